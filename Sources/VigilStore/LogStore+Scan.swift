public import Foundation
public import KQL
import Synchronization
import GRDB

extension LogStore {
    /// Reads a table for a query: only extents overlapping the time range (by their min/max time),
    /// only the requested columns, each extent cut to the range by binary search on its sorted
    /// `TimeGenerated`, plus the unsealed write-ahead batches. Decoded and assembled columns are cached,
    /// so a repeated query reads no disk and copies nothing.
    public func scan(_ table: String, request: ScanRequest) throws -> Table {
        do { return try scanOnce(table, request) } catch StoreError.notFound {
            // An extent merged or dropped by another process since the catalog was read: reload, retry.
            try refreshCatalog(force: true)
            return try scanOnce(table, request)
        }
    }

    func scanOnce(_ table: String, _ request: ScanRequest) throws -> Table {
        try refreshCatalog()
        guard let schema = schema(of: table) else {
            throw KQLError(.runtime, "KQL4002", "table '\(table)' does not exist in the workspace")
        }
        let wanted: [ColumnSchema]
        if let names = request.columns { let set = Set(names); wanted = schema.columns.filter { set.contains($0.name) } }
        else { wanted = schema.columns }
        let from = request.timeFrom, to = request.timeTo
        let (extents, wal, gen) = state.withLock { st -> ([ExtentRecord], [WALRecord], Int) in
            let ex = (st.extents[table] ?? []).filter { e in
                guard let lo = e.min_time, let hi = e.max_time else { return true }
                if let from, hi < from { return false }
                if let to, lo > to { return false }
                return true
            }
            return (ex, st.wal[table] ?? [], st.generation[table] ?? 0)
        }
        let keyPrefix = "T\(table)|\(gen)|\(from.map(String.init) ?? "")|\(to.map(String.init) ?? "")|"
        // Row ranges of each extent inside the time range (extents are sorted by time).
        var ranges: [Range<Int>]? = nil
        func extentRanges() throws -> [Range<Int>] {
            if let ranges { return ranges }
            let r = try extents.map { e -> Range<Int> in
                guard from != nil || to != nil, let t = try column(of: e, "TimeGenerated", type: .datetime), case .int64(let a) = t.data else { return 0..<e.rows }
                let lo = from.map { v in Self.partition(a) { $0 < v } } ?? 0
                let hi = to.map { v in Self.partition(a) { $0 <= v } } ?? a.count
                return lo..<max(lo, hi)
            }
            ranges = r
            return r
        }
        var out: [Column] = []
        // Rows the scan returns, and which columns any part holds at all: a column no extent and no
        // batch holds is one shared null buffer, not a concatenation of per-extent nulls (a Sentinel
        // table has ~200 columns, a source sets 20, and `T | where ...` returns them all).
        var total = 0
        var present = Set<String>()
        for (i, e) in extents.enumerated() where !(try extentRanges()[i]).isEmpty {
            total += try extentRanges()[i].count
            present.formUnion(try mapped(e).1.columns.map(\.name))
        }
        for w in wal {
            total += w.rows
            present.formUnion(try walColumns(w).schema.names)
        }
        for c in wanted {
            if !present.contains(c.name) { out.append(Self.nullColumn(c.type, total)); continue }
            let key = keyPrefix + c.name
            if let hit = state.withLock({ $0.cache.get(key) }) { out.append(hit); continue }
            var parts: [Column] = []
            for (i, e) in extents.enumerated() {
                let r = try extentRanges()[i]
                if r.isEmpty { continue }
                let col = try column(of: e, c.name, type: c.type) ?? Self.nullColumn(c.type, e.rows)
                parts.append(r.count == e.rows ? col : col.slice(r))
            }
            for w in wal {
                let decoded = try walColumns(w)
                parts.append(decoded.column(named: c.name).map { $0.type == c.type ? $0 : Column.concat([$0], type: c.type) } ?? Self.nullColumn(c.type, w.rows))
            }
            let assembled = parts.isEmpty ? Column.empty(c.type) : Column.concat(parts, type: c.type)
            state.withLock { $0.cache.put(key, assembled) }
            out.append(assembled)
        }
        return Table(schema: Schema(wanted), columns: out, count: total)
    }

    /// One decoded column of an extent, or nil when the extent does not hold it (it was never set).
    func column(of e: ExtentRecord, _ name: String, type: KQLType) throws -> Column? {
        let key = "E\(e.id)|\(name)"
        if let hit = state.withLock({ $0.cache.get(key) }) { return hit }
        let (data, footer) = try mapped(e)
        guard let entry = footer.entry(name) else { return nil }
        var col = try data.withUnsafeBytes { try ExtentCodec.decodeColumn($0, entry, rows: footer.rows, verify: true) }
        if col.type != type { col = Column.concat([col], type: type) }
        state.withLock { $0.cache.put(key, col) }
        return col
    }

    func mapped(_ e: ExtentRecord) throws -> (Data, ExtentFooter) {
        if let m = state.withLock({ $0.mapped[e.id] }) { return m }
        let url = workspace.root.appendingPathComponent(e.file)
        let data: Data
        guard FileManager.default.fileExists(atPath: url.path) else { throw StoreError.notFound("extent \(e.file)") }
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch { throw StoreError.io("cannot read extent \(e.file): \(error.localizedDescription)") }
        let footer = try data.withUnsafeBytes { try ExtentCodec.footer($0) }
        guard footer.rows == e.rows else { throw StoreError.corrupt("\(e.file): \(footer.rows) rows, catalog says \(e.rows)") }
        state.withLock { $0.mapped[e.id] = (data, footer) }
        return (data, footer)
    }

    /// All columns of a write-ahead batch, decoded once.
    func walColumns(_ w: WALRecord) throws -> Table {
        let prefix = "W\(w.id)|"
        let blob: Data? = try db.pool.read { db in try Data.fetchOne(db, sql: "SELECT payload FROM wal_batch WHERE id = ?", arguments: [w.id]) }
        // Sealed by another process since the catalog was read: the caller reloads and retries.
        guard let blob else { throw StoreError.notFound("write-ahead batch \(w.id)") }
        return try blob.withUnsafeBytes { raw in
            let footer = try ExtentCodec.footer(raw)
            var cols: [Column] = [], schema: [ColumnSchema] = []
            for entry in footer.columns {
                let key = prefix + entry.name
                let c = try state.withLock({ $0.cache.get(key) }) ?? ExtentCodec.decodeColumn(raw, entry, rows: footer.rows, verify: true)
                state.withLock { $0.cache.put(key, c) }
                cols.append(c); schema.append(ColumnSchema(entry.name, entry.kqlType))
            }
            return Table(schema: Schema(schema), columns: cols, count: footer.rows)
        }
    }

    /// A column of nulls that concatenates cheaply with dictionary-encoded strings. Its buffers are
    /// shared by every null column of the same length: a Sentinel table has ~200 columns of which a
    /// file sets 20, and `T | where ...` returns all of them, so per-column buffers would be gigabytes.
    static func nullColumn(_ type: KQLType, _ n: Int) -> Column {
        switch type {
        case .string: return Column(type: type, data: .dict(codes: NullBuffers.codes(n), values: [""]))
        case .guid: return Column(type: type, data: .dict(codes: NullBuffers.codes(n), values: [""]), nulls: NullBuffers.trues(n))
        case .bool: return Column(type: type, data: .bool(NullBuffers.falses(n)), nulls: NullBuffers.trues(n))
        case .real, .decimal: return Column(type: type, data: .double(NullBuffers.doubles(n)), nulls: NullBuffers.trues(n))
        case .dynamic: return Column(type: type, data: .value(NullBuffers.values(n)))
        default: return Column(type: type, data: .int64(NullBuffers.ints(n)), nulls: NullBuffers.trues(n))
        }
    }

    static func partition(_ a: [Int64], _ pred: (Int64) -> Bool) -> Int {
        var lo = 0, hi = a.count
        while lo < hi { let mid = (lo + hi) / 2; if pred(a[mid]) { lo = mid + 1 } else { hi = mid } }
        return lo
    }
}

extension LogStore {
    /// The engine's partitioned scan: the query's leading filters run on each extent (cut to the time
    /// range) and on the write-ahead batches, and only their results are concatenated. Cold, this
    /// decodes each extent's columns once and never builds table-wide columns; warm, it reuses them.
    public func scan(_ table: String, request: ScanRequest, filter: (Table) throws -> Table) throws -> Table {
        do { return try scanFiltered(table, request, filter) } catch StoreError.notFound {
            try refreshCatalog(force: true)
            return try scanFiltered(table, request, filter)
        }
    }

    func scanFiltered(_ table: String, _ request: ScanRequest, _ filter: (Table) throws -> Table) throws -> Table {
        try refreshCatalog()
        guard let schema = schema(of: table) else {
            throw KQLError(.runtime, "KQL4002", "table '\(table)' does not exist in the workspace")
        }
        let wanted: [ColumnSchema]
        if let names = request.columns { let set = Set(names); wanted = schema.columns.filter { set.contains($0.name) } }
        else { wanted = schema.columns }
        let from = request.timeFrom, to = request.timeTo
        let (extents, wal) = state.withLock { st -> ([ExtentRecord], [WALRecord]) in
            let ex = (st.extents[table] ?? []).filter { e in
                guard let lo = e.min_time, let hi = e.max_time else { return true }
                if let from, hi < from { return false }
                if let to, lo > to { return false }
                return true
            }
            return (ex, st.wal[table] ?? [])
        }
        // Late materialisation pays when the filters read fewer columns than the query returns.
        var lateColumns: [ColumnSchema]? = nil
        if let fc = request.filterColumns {
            let f = Set(fc)
            let late = wanted.filter { f.contains($0.name) }
            if late.count < wanted.count && late.count == f.count { lateColumns = late }
        }
        var results: [Table] = []
        for e in extents {
            var range = 0..<e.rows
            if from != nil || to != nil, let t = try column(of: e, "TimeGenerated", type: .datetime), case .int64(let a) = t.data {
                let lo = from.map { v in Self.partition(a) { $0 < v } } ?? 0
                let hi = to.map { v in Self.partition(a) { $0 <= v } } ?? a.count
                range = lo..<max(lo, hi)
            }
            if range.isEmpty { continue }
            if let late = lateColumns {
                // Late materialisation: the filter sees its own columns and the row numbers; the other
                // columns are read for the surviving rows only.
                var cols = try late.map { c -> Column in
                    let col = try column(of: e, c.name, type: c.type) ?? Self.nullColumn(c.type, e.rows)
                    return range.count == e.rows ? col : col.slice(range)
                }
                cols.append(Column(type: .long, data: .int64((Int64(range.lowerBound)..<Int64(range.upperBound)).map { $0 })))
                let r = try filter(Table(schema: Schema(late + [ColumnSchema(ScanRequest.rowIdColumn, .long)]), columns: cols, count: range.count))
                guard let ids = r.column(named: ScanRequest.rowIdColumn), case .int64(let rowIDs) = ids.data else {
                    throw StoreError.corrupt("the filter dropped the row numbers")
                }
                let select = rowIDs.map { Int32($0) }
                let out = try wanted.map { c in try r.column(named: c.name) ?? rows(of: e, c, select) }
                results.append(Table(schema: Schema(wanted), columns: out, count: select.count))
                continue
            }
            let cols = try wanted.map { c -> Column in
                let col = try column(of: e, c.name, type: c.type) ?? Self.nullColumn(c.type, e.rows)
                return range.count == e.rows ? col : col.slice(range)
            }
            results.append(try filter(Table(schema: Schema(wanted), columns: cols, count: range.count)))
        }
        if !wal.isEmpty {
            let batches = try wal.map { try walColumns($0) }
            let merged = Self.union(batches, schema: schema)
            let cols = wanted.map { c in merged.column(named: c.name).map { $0.type == c.type ? $0 : Column.concat([$0], type: c.type) } ?? Self.nullColumn(c.type, merged.count) }
            results.append(try filter(Table(schema: Schema(wanted), columns: cols, count: merged.count)))
        }
        // No part at all still runs the filter once: it binds the query and gives the result its schema.
        if results.isEmpty { return try filter(Table.empty(Schema(wanted))) }
        if results.count == 1 { return results[0] }
        // Parts may differ in which columns they return (a late-materialised part returns every
        // requested column, a filtered part those later operators read); the union is what is needed.
        let names = Set(results.flatMap(\.schema.names))
        let out = wanted.filter { names.contains($0.name) }
        let cols = out.map { c in Column.concat(results.map { r in r.column(named: c.name) ?? Self.nullColumn(c.type, r.count) }, type: c.type) }
        return Table(schema: Schema(out), columns: cols, count: results.reduce(0) { $0 + $1.count })
    }
}

extension LogStore {
    /// The selected rows of one extent column: gathered from the decoded column when it is cached,
    /// else read from the file for those rows alone (its checksum checked once per process).
    func rows(of e: ExtentRecord, _ c: ColumnSchema, _ select: [Int32]) throws -> Column {
        if let hit = state.withLock({ $0.cache.get("E\(e.id)|\(c.name)") }) {
            let g = hit.gather(select)
            return g.type == c.type ? g : Column.concat([g], type: c.type)
        }
        let (data, footer) = try mapped(e)
        guard let entry = footer.entry(c.name) else { return Self.nullColumn(c.type, select.count) }
        let key = "\(e.id)|\(c.name)"
        if !state.withLock({ $0.verified.contains(key) }) {
            try data.withUnsafeBytes { try ExtentCodec.verify($0, entry) }
            state.withLock { _ = $0.verified.insert(key) }
        }
        let col = try data.withUnsafeBytes { try ExtentCodec.decodeRows($0, entry, rows: footer.rows, select: select) }
        return col.type == c.type ? col : Column.concat([col], type: c.type)
    }
}
