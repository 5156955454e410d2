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
        state.withLock { $0.cache.beginScan() }
        do { return try scanOnce(table, request) } catch StoreError.notFound {
            // An extent merged or dropped by another process since the catalog was read: reload, retry.
            try refreshCatalog(force: true)
            return try scanOnce(table, request)
        }
    }

    func scanOnce(_ table: String, _ request: ScanRequest) throws -> Table {
        let (_, wanted) = try columns(of: table, request)
        let from = request.timeFrom, to = request.timeTo
        let (extents, wal, gen) = snapshot(table, from, to, ingest: (request.ingestFrom, request.ingestTo))
        let ingestKey = request.ingestFrom == nil && request.ingestTo == nil ? "" : "I\(request.ingestFrom ?? 0)-\(request.ingestTo ?? 0)|"
        let keyPrefix = "T\(table)|\(gen)|\(from.map(String.init) ?? "")|\(to.map(String.init) ?? "")|" + ingestKey
        // Row ranges of each extent inside the time range (extents are sorted by time).
        var ranges: [Range<Int>]? = nil
        func extentRanges() throws -> [Range<Int>] {
            if let ranges { return ranges }
            let r = try extents.map { try rowRange(of: $0, from, to) }
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
            // Part by part into one column: at 100M rows, holding every decoded part until one
            // concatenation doubled the memory a scan needs.
            var appender = ColumnAppender(type: c.type, capacity: total)
            for (i, e) in extents.enumerated() {
                let r = try extentRanges()[i]
                if r.isEmpty { continue }
                let col = try column(of: e, c.name, type: c.type) ?? Self.nullColumn(c.type, e.rows)
                appender.append(r.count == e.rows ? col : col.slice(r))
            }
            for w in wal { appender.append(try walColumn(w, c)) }
            let assembled = appender.finish()
            state.withLock { $0.cache.put(key, assembled) }
            out.append(assembled)
        }
        return Table(schema: Schema(wanted), columns: out, count: total)
    }

    /// The table's schema and the columns a request asks for, in schema order (after a catalog refresh).
    func columns(of table: String, _ request: ScanRequest) throws -> (Schema, [ColumnSchema]) {
        try refreshCatalog()
        guard let schema = schema(of: table) else {
            throw KQLError(.runtime, "KQL4002", "table '\(table)' does not exist in the workspace")
        }
        guard let names = request.columns else { return (schema, schema.columns) }
        let set = Set(names)
        return (schema, schema.columns.filter { set.contains($0.name) })
    }

    /// One decoded column of an extent, or nil when the extent does not hold it (it was never set).
    func column(of e: ExtentRecord, _ name: String, type: KQLType) throws -> Column? {
        let key = "E\(e.id)|\(name)"
        if let hit = state.withLock({ $0.cache.get(key) }) { return hit }
        let (data, footer) = try mapped(e)
        guard let entry = footer.entry(name) else { return nil }
        let verifiedKey = "\(e.id)|\(name)"
        let verified = state.withLock { $0.verifiedColumns.contains(verifiedKey) }
        var col = try data.withUnsafeBytes { raw in
            defer { Self.releasePages(raw, entry.offset..<(entry.offset + entry.length)) }
            return try ExtentCodec.decodeColumn(raw, entry, rows: footer.rows, verify: !verified)
        }
        if !verified { state.withLock { _ = $0.verifiedColumns.insert(verifiedKey) } }
        if col.type != type { col = Column.concat([col], type: type) }
        state.withLock { $0.cache.put(key, col) }
        return col
    }

    func mapped(_ e: ExtentRecord) throws -> (Data, ExtentFooter) {
        if let m = state.withLock({ $0.mapped[e.id] }) { return m }
        let url = workspace.root.appendingPathComponent(e.file)
        let data: Data
        guard FileManager.default.fileExists(atPath: url.path) else { throw StoreError.notFound("extent \(e.file)") }
        do { data = try Self.map(url.path) } catch { throw StoreError.io("cannot read extent \(e.file): \(error)") }
        let footer = try data.withUnsafeBytes { try ExtentCodec.footer($0) }
        guard footer.rows == e.rows else { throw StoreError.corrupt("\(e.file): \(footer.rows) rows, catalog says \(e.rows)") }
        state.withLock { $0.mapped[e.id] = (data, footer) }
        return (data, footer)
    }

    /// One column of a write-ahead batch, as the schema types it (nulls when the batch lacks it).
    func walColumn(_ w: WALRecord, _ c: ColumnSchema) throws -> Column {
        try walColumns(w).column(named: c.name).map { $0.type == c.type ? $0 : Column.concat([$0], type: c.type) } ?? Self.nullColumn(c.type, w.rows)
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

    /// The extents whose time range meets [from, to], the write-ahead batches and the table's generation.
    /// The extents overlapping the time range (and the ingestion-time range, when given: sealed
    /// extents know theirs), every write-ahead batch, and the table's generation.
    func snapshot(_ table: String, _ from: Int64?, _ to: Int64?, ingest: (Int64?, Int64?) = (nil, nil)) -> ([ExtentRecord], [WALRecord], Int) {
        state.withLock { st in
            let ex = (st.extents[table] ?? []).filter { e in
                if let lo = e.min_ingest, let hi = e.max_ingest {
                    if let f = ingest.0, hi < f { return false }
                    if let t = ingest.1, lo > t { return false }
                }
                guard let lo = e.min_time, let hi = e.max_time else { return true }
                if let from, hi < from { return false }
                if let to, lo > to { return false }
                return true
            }
            return (ex, st.wal[table] ?? [], st.generation[table] ?? 0)
        }
    }

    /// The rows of an extent inside [from, to], by binary search on its sorted `TimeGenerated`.
    func rowRange(of e: ExtentRecord, _ from: Int64?, _ to: Int64?) throws -> Range<Int> {
        guard from != nil || to != nil, let t = try column(of: e, "TimeGenerated", type: .datetime), case .int64(let a) = t.data else { return 0..<e.rows }
        let lo = from.map { v in Self.partition(a) { $0 < v } } ?? 0
        let hi = to.map { v in Self.partition(a) { $0 <= v } } ?? a.count
        return lo..<max(lo, hi)
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
        state.withLock { $0.cache.beginScan() }
        do { return try scanFiltered(table, request, filter) } catch StoreError.notFound {
            try refreshCatalog(force: true)
            return try scanFiltered(table, request, filter)
        }
    }

    func scanFiltered(_ table: String, _ request: ScanRequest, _ filter: (Table) throws -> Table) throws -> Table {
        let (_, wanted) = try columns(of: table, request)
        // Late materialisation pays when the filters read fewer columns than the query returns.
        guard let fc = request.filterColumns else { return try filter(scanOnce(table, request)) }
        let f = Set(fc)
        let filterCols = wanted.filter { f.contains($0.name) }
        guard filterCols.count < wanted.count, filterCols.count == f.count else { return try filter(scanOnce(table, request)) }

        // Too big for the column cache (months of a busy table): filter part by part and keep only the
        // survivors, instead of assembling whole columns the cache cannot keep anyway.
        let budget = workspace.config.storage.cacheMegabytes << 20
        if snapshotRows(table, request) * 8 * filterCols.count > budget / 2 {
            return try scanStreaming(table, request, wanted: wanted, filterCols: filterCols, filter)
        }
        // The filter columns, assembled over every part and cached like any scan, plus row numbers.
        var narrow = request
        narrow.columns = filterCols.map(\.name)
        // Parts and assembled columns must come from one catalog state: retry if a write landed between.
        var base = Table.empty(Schema([]))
        var parts: [ScanPart] = []
        for attempt in 0..<10 {
            let before = state.withLock { $0.generation[table] ?? 0 }
            parts = try scanParts(table, request)
            base = try scanOnce(table, narrow)
            let after = state.withLock { $0.generation[table] ?? 0 }
            let partRows = parts.last.map { $0.offset + rowsOf($0) } ?? 0
            if before == after && partRows == base.count { break }
            if attempt == 9 { throw StoreError.busy("\(table) kept changing during the scan; retry") }
        }
        let numbers = Column(type: .long, data: .int64(NullBuffers.rowNumbers(base.count)))
        let r = try filter(Table(schema: Schema(base.schema.columns + [ColumnSchema(ScanRequest.rowIdColumn, .long)]),
                                 columns: base.columns + [numbers], count: base.count))
        guard let ids = r.column(named: ScanRequest.rowIdColumn), case .int64(let rowIDs) = ids.data else {
            throw StoreError.corrupt("the filter dropped the row numbers")
        }
        // Many survivors (one row in a hundred or more): the whole column, assembled and cached like any scan, then
        // one gather, beats fetching rows part by part.
        let dense = rowIDs.count * 100 >= max(base.count, 1)
        let generation = state.withLock { $0.generation[table] ?? 0 }
        // The row numbers as gather indices once, not once per column.
        let gatherIDs = dense ? rowIDs.map { Int32($0) } : []
        // The surviving rows per part and whether they are in order, built only when some column is
        // fetched part by part (a dense scan seldom needs them, and this is a loop over every survivor).
        var perPartCache: (lists: [[Int32]], ordered: Bool)?
        func perPart() -> (lists: [[Int32]], ordered: Bool) {
            if let have = perPartCache { return have }
            var out: [[Int32]] = Array(repeating: [], count: parts.count)
            var p = 0
            for g in rowIDs {
                while p + 1 < parts.count && Int(g) >= parts[p + 1].offset { p += 1 }
                // Rows come back in order for filters; a reordering filter would still land in its part.
                if Int(g) < parts[p].offset { p = parts.lastIndex { $0.offset <= Int(g) } ?? 0 }
                out[p].append(Int32(Int(g) - parts[p].offset + parts[p].first))
            }
            perPartCache = (out, rowIDs.indices.allSatisfy { $0 == 0 || rowIDs[$0 - 1] <= rowIDs[$0] })
            return perPartCache!
        }
        var out: [Column] = []
        for c in wanted {
            if let have = r.column(named: c.name) { out.append(have); continue }
            if dense {
                var one = request
                one.columns = [c.name]
                let whole = try scanOnce(table, one)
                if state.withLock({ $0.generation[table] ?? 0 }) == generation, whole.count == base.count, let col = whole.columns.first {
                    out.append(col.gather(gatherIDs))
                    continue
                }
            }
            let (perPart, ordered) = perPart()
            var pieces: [Column] = []
            for (i, part) in parts.enumerated() where !perPart[i].isEmpty {
                switch part.source {
                case .extent(let e): pieces.append(try rows(of: e, c, perPart[i]))
                case .wal(let w): pieces.append(try walColumn(w, c).gather(perPart[i]))
                }
            }
            var col = pieces.isEmpty ? Column.empty(c.type) : Column.concat(pieces, type: c.type)
            if !ordered {
                // Put the gathered rows back in the filter's order.
                let sortedIDs = rowIDs.enumerated().sorted { $0.element < $1.element }.map(\.offset)
                var inverse = [Int](repeating: 0, count: sortedIDs.count)
                for (k, orig) in sortedIDs.enumerated() { inverse[orig] = k }
                col = col.gather(inverse)
            }
            out.append(col)
        }
        return Table(schema: Schema(wanted), columns: out, count: rowIDs.count)
    }

    /// Rows a scan would read, from the catalog (extents overlapping the range, whole; batches).
    func snapshotRows(_ table: String, _ request: ScanRequest) -> Int {
        let (extents, wal, _) = snapshot(table, request.timeFrom, request.timeTo, ingest: (request.ingestFrom, request.ingestTo))
        return extents.reduce(0) { $0 + $1.rows } + wal.reduce(0) { $0 + $1.rows }
    }

    /// The partitioned scan one part at a time: each part's filter columns (cut to the time range) and
    /// row numbers go through the filter, and the other wanted columns are gathered for its survivors
    /// from the part's decoded column. Memory: the cache, one part and the survivors.
    func scanStreaming(_ table: String, _ request: ScanRequest, wanted: [ColumnSchema], filterCols: [ColumnSchema],
                       _ filter: (Table) throws -> Table) throws -> Table {
        let parts = try scanParts(table, request)
        // Survivors join the result columns part by part, while the next part decodes.
        var merged = wanted.map { ColumnAppender(type: $0.type) }
        var total = 0
        let schema = Schema(filterCols + [ColumnSchema(ScanRequest.rowIdColumn, .long)])
        // The next parts' filter columns decode on other cores while this part is filtered.
        var ahead = PrefetchWindow(self, parts, filterCols, prefilter: request.prefilter)
        for (p, part) in parts.enumerated() {
            let n = rowsOf(part)
            let decoded = try ahead.take(p)
            let ids = decoded.rows.map { $0.map(Int64.init) } ?? NullBuffers.rowNumbers(n)
            let r = try filter(Table(schema: schema, columns: decoded.columns + [Column(type: .long, data: .int64(ids))], count: ids.count))
            guard let ids = r.column(named: ScanRequest.rowIdColumn), case .int64(let rowIDs) = ids.data else {
                throw StoreError.corrupt("the filter dropped the row numbers")
            }
            if rowIDs.isEmpty { continue }
            let gather = rowIDs.map { Int32($0) }
            // Few survivors: read just their rows from the file (as the assembled path does).
            let sparse = rowIDs.count * 100 < n
            for (k, c) in wanted.enumerated() {
                if let have = r.column(named: c.name) { merged[k].append(have); continue }
                if sparse, case .extent(let e) = part.source, state.withLock({ $0.cache.get("E\(e.id)|\(c.name)") }) == nil {
                    merged[k].append(try rows(of: e, c, gather.map { $0 + Int32(part.first) }))
                } else {
                    merged[k].append(try partColumn(part, c).gather(gather))
                }
            }
            total += rowIDs.count
        }
        if parts.isEmpty {
            // The filter binds the query even when there is nothing to read.
            _ = try filter(Table.empty(schema))
        }
        return Table(schema: Schema(wanted), columns: merged.map { $0.finish() }, count: total)
    }

    /// A part's columns as a scan reads them: every row, or (`rows`, numbered within the part) the
    /// rows a prefilter let through.
    struct Decoded {
        var columns: [Column]
        var rows: [Int32]?
    }

    /// Columns of a part being decoded on a background thread.
    final class Prefetch: @unchecked Sendable {
        private var result: Result<Decoded, any Error>?
        private let done = DispatchSemaphore(value: 0)
        func set(_ r: Result<Decoded, any Error>) { result = r; done.signal() }
        func get() throws -> Decoded {
            done.wait()
            done.signal()
            return try result!.get()
        }
    }

    /// The parts of a scan decoded ahead of their use, two at a time: when a part's filter is quicker
    /// than decoding the next (q5's `has` over a dictionary of command lines), one decode left a
    /// core idle a third of the time.
    struct PrefetchWindow {
        static let depth = 2
        let store: LogStore
        let parts: [ScanPart]
        let columns: [ColumnSchema]
        let prefilter: StringPrefilter?
        var pending: [Prefetch] = []

        init(_ store: LogStore, _ parts: [ScanPart], _ columns: [ColumnSchema], prefilter: StringPrefilter? = nil) {
            self.store = store; self.parts = parts; self.columns = columns; self.prefilter = prefilter
            pending = parts.prefix(Self.depth).map { store.prefetch($0, columns, prefilter) }
        }

        /// Part `p`'s columns (parts are taken in order), starting the decode of part `p + depth`.
        mutating func take(_ p: Int) throws -> Decoded {
            let first = pending.removeFirst()
            if p + Self.depth < parts.count { pending.append(store.prefetch(parts[p + Self.depth], columns, prefilter)) }
            return try first.get()
        }
    }

    func prefetch(_ part: ScanPart, _ columns: [ColumnSchema], _ prefilter: StringPrefilter?) -> Prefetch {
        let p = Prefetch()
        DispatchQueue.global().async { p.set(Result { try self.decode(part, columns, prefilter) }) }
        return p
    }

    /// A part's columns; with a prefilter over a dictionary-coded column of an extent, only the rows
    /// whose value passes it, when they are at most a quarter of the part (more, and decoding
    /// whole columns is quicker than picking rows).
    func decode(_ part: ScanPart, _ columns: [ColumnSchema], _ prefilter: StringPrefilter?) throws -> Decoded {
        if let pf = prefilter, case .extent(let e) = part.source, columns.contains(where: { $0.name == pf.column }),
           state.withLock({ $0.cache.get("E\(e.id)|\(pf.column)") }) == nil,
           let rows = try prefiltered(e, part, pf), rows.count * 4 <= part.length {
            let inExtent = rows.map { $0 + Int32(part.first) }
            return Decoded(columns: try columns.map { try self.rows(of: e, $0, inExtent) }, rows: rows)
        }
        return Decoded(columns: try columns.map { try partColumn(part, $0) }, rows: nil)
    }

    /// The rows of an extent's part whose prefilter column passes, from the stored dictionary; nil
    /// when the column is not dictionary-coded there.
    func prefiltered(_ e: ExtentRecord, _ part: ScanPart, _ pf: StringPrefilter) throws -> [Int32]? {
        let (data, footer) = try mapped(e)
        guard let entry = footer.entry(pf.column) else { return nil }
        let verifiedKey = "\(e.id)|\(pf.column)"
        let verified = state.withLock { $0.verifiedColumns.contains(verifiedKey) }
        let nullPasses = pf.nullPasses
        let rows = try data.withUnsafeBytes { raw in
            defer { Self.releasePages(raw, entry.offset..<(entry.offset + entry.length)) }
            return try ExtentCodec.dictionaryRows(raw, entry, rows: footer.rows, range: part.first..<(part.first + part.length), verify: !verified,
                                                  nullPasses: nullPasses, test: pf.test)
        }
        if rows != nil && !verified { state.withLock { _ = $0.verifiedColumns.insert(verifiedKey) } }
        return rows
    }

    /// One column of one part of a scan (an extent cut to the time range, or a write-ahead batch).
    func partColumn(_ part: ScanPart, _ c: ColumnSchema) throws -> Column {
        switch part.source {
        case .extent(let e):
            let col = try column(of: e, c.name, type: c.type) ?? Self.nullColumn(c.type, e.rows)
            return part.first == 0 && part.length == e.rows ? col : col.slice(part.first..<(part.first + part.length))
        case .wal(let w): return try walColumn(w, c)
        }
    }

    public var scansInParts: Bool { true }

    public func scanEach(_ table: String, request: ScanRequest, _ body: (Table) throws -> Void) throws {
        state.withLock { $0.cache.beginScan() }
        let (_, wanted) = try columns(of: table, request)
        let parts = try scanParts(table, request)
        if parts.isEmpty { try body(Table.empty(Schema(wanted))) }
        // The next parts decode on other cores while this one goes through `body`.
        var ahead = PrefetchWindow(self, parts, wanted)
        for (p, part) in parts.enumerated() {
            let columns = try ahead.take(p).columns
            try body(Table(schema: Schema(wanted), columns: columns, count: rowsOf(part)))
        }
    }

    /// The parts of a scan in the order `scanOnce` concatenates them: overlapping extents cut to the
    /// time range (`first` is the first row inside the extent), then write-ahead batches; `offset` is
    /// where each starts in the assembled table.
    struct ScanPart {
        enum Source { case extent(ExtentRecord), wal(WALRecord) }
        var source: Source
        var offset: Int
        var first: Int
        var length: Int
    }

    func rowsOf(_ p: ScanPart) -> Int {
        switch p.source {
        case .extent: return p.length
        case .wal(let w): return w.rows
        }
    }

    func scanParts(_ table: String, _ request: ScanRequest) throws -> [ScanPart] {
        let from = request.timeFrom, to = request.timeTo
        let (extents, wal, _) = snapshot(table, from, to, ingest: (request.ingestFrom, request.ingestTo))
        var parts: [ScanPart] = []
        var offset = 0
        for e in extents {
            let range = try rowRange(of: e, from, to)
            if range.isEmpty { continue }
            parts.append(ScanPart(source: .extent(e), offset: offset, first: range.lowerBound, length: range.count))
            offset += range.count
        }
        for w in wal {
            parts.append(ScanPart(source: .wal(w), offset: offset, first: 0, length: w.rows))
            offset += w.rows
        }
        return parts
    }
}

extension LogStore {
    /// The selected rows of one extent column: gathered from the decoded column when it is cached,
    /// else read from the file for those rows alone (the checksums of the blocks read are checked,
    /// once per process).
    func rows(of e: ExtentRecord, _ c: ColumnSchema, _ select: [Int32]) throws -> Column {
        if let hit = state.withLock({ $0.cache.get("E\(e.id)|\(c.name)") }) {
            let g = hit.gather(select)
            return g.type == c.type ? g : Column.concat([g], type: c.type)
        }
        let (data, footer) = try mapped(e)
        guard let entry = footer.entry(c.name) else { return Self.nullColumn(c.type, select.count) }
        let key = "\(e.id)|\(c.name)"
        var verified = state.withLock { $0.verifiedBlocks[key] ?? [] }
        let col = try data.withUnsafeBytes { raw in
            defer { Self.releasePages(raw, entry.offset..<(entry.offset + entry.length)) }
            return try ExtentCodec.decodeRows(raw, entry, rows: footer.rows, select: select, verified: &verified)
        }
        state.withLock { $0.verifiedBlocks[key] = verified }
        return col.type == c.type ? col : Column.concat([col], type: c.type)
    }
}
