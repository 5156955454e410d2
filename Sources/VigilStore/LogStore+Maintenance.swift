public import Foundation
import GRDB
public import KQL
import Synchronization

extension LogStore {
    /// Seals write-ahead batches into extents: tables whose unsealed rows reach `sealRows` or whose
    /// oldest batch is older than `sealSeconds` (all of them with `force`). The extent is durable before
    /// the batches are deleted, in one transaction, so a crash at any point loses and duplicates nothing.
    @discardableResult
    public func seal(force: Bool = false) throws -> Int {
        // One maintenance step at a time in this process; the transactions below guard across processes.
        maintenanceLock.lock()
        defer { maintenanceLock.unlock() }
        let cfg = workspace.config.ingest
        let now = clock()
        let due = state.withLock { st in
            st.wal.filter { (_, batches) in
                guard let oldest = batches.map(\.ingested_at).min() else { return false }
                return force || batches.reduce(0) { $0 + $1.rows } >= cfg.sealRows || now - oldest >= Int64(cfg.sealSeconds) * 10_000_000
            }.keys.sorted()
        }
        var sealed = 0
        for table in due {
            let batches = state.withLock { $0.wal[table] ?? [] }
            guard !batches.isEmpty else { continue }
            let schema = schema(of: table) ?? Schema([])
            let tables: [Table]
            do { tables = try batches.map { try walColumns($0) } } catch StoreError.notFound {
                // Sealed by another process since the catalog was read.
                try refreshCatalog(force: true)
                continue
            }
            let rec = try writeExtentFile(table: table, rows: Self.union(tables, schema: schema))
            let rel = rec.file
            let ids = batches.map(\.id)
            let committed: Bool = try db.pool.write { db in
                // Another process may have sealed these batches meanwhile: then this extent is dropped.
                guard try Self.takeAll(db, from: "wal_batch", ids: ids) else { return false }
                try rec.insert(db)
                return true
            }
            guard committed else {
                try? FileManager.default.removeItem(at: workspace.root.appendingPathComponent(rel))
                try refreshCatalog(force: true)
                continue
            }
            state.withLock { st in
                let gone = Set(ids)
                st.wal[table] = (st.wal[table] ?? []).filter { !gone.contains($0.id) }
                if !(st.extents[table] ?? []).contains(where: { $0.id == rec.id }) { st.extents[table, default: []].append(rec) }
                st.extents[table]!.sort { ($0.min_time ?? 0) < ($1.min_time ?? 0) }
                st.generation[table, default: 0] += 1
                for id in ids { st.cache.removeAll(prefix: "W\(id)|") }
            }
            sealed += 1
        }
        return sealed
    }

    /// Merges runs of small neighbouring extents (by time) into larger ones, up to `targetExtentRows`.
    @discardableResult
    public func merge(table: String) throws -> Int {
        maintenanceLock.lock()
        defer { maintenanceLock.unlock() }
        let cfg = workspace.config.storage
        let extents = state.withLock { $0.extents[table] ?? [] }
        var runs: [[ExtentRecord]] = []
        var cur: [ExtentRecord] = []
        var curRows = 0
        for e in extents {
            if e.rows < cfg.mergeBelowRows, curRows + e.rows <= cfg.targetExtentRows {
                cur.append(e); curRows += e.rows
            } else {
                if cur.count > 1 { runs.append(cur) }
                cur = e.rows < cfg.mergeBelowRows ? [e] : []
                curRows = cur.first?.rows ?? 0
            }
        }
        if cur.count > 1 { runs.append(cur) }
        guard let schema = schema(of: table) else { return 0 }
        for run in runs {
            let parts = try run.map { e -> Table in
                let (_, footer) = try mapped(e)
                let cols = try footer.columns.map { try column(of: e, $0.name, type: $0.kqlType)! }
                return Table(schema: Schema(footer.columns.map { ColumnSchema($0.name, $0.kqlType) }), columns: cols, count: e.rows)
            }
            try replace(table, old: run, with: try writeExtentFile(table: table, rows: Self.union(parts, schema: schema)))
        }
        return runs.count
    }

    /// Drops whole extents whose newest row is older than the table's retention.
    @discardableResult
    public func applyRetention(now: Int64) throws -> Int {
        maintenanceLock.lock()
        defer { maintenanceLock.unlock() }
        let ret = workspace.config.retention
        var dropped = 0
        for (table, extents) in state.withLock({ $0.extents }) {
            let days = ret.days(for: table)
            guard days > 0 else { continue }
            let cutoff = now - Int64(days) * Ticks.perDay
            let old = extents.filter { ($0.max_time ?? Int64.max) < cutoff }
            if old.isEmpty { continue }
            try replace(table, old: old, with: nil)
            dropped += old.count
        }
        return dropped
    }

    /// Swaps extents in the catalog in one transaction, then deletes the old files.
    func replace(_ table: String, old: [ExtentRecord], with new: ExtentRecord?) throws {
        let ids = old.map(\.id)
        let committed: Bool = try db.pool.write { db in
            // The extents being replaced must all still exist (another process may have merged them).
            guard try Self.takeAll(db, from: "extent", ids: ids) else { return false }
            if let new { try new.insert(db) }
            return true
        }
        guard committed else {
            if let new { try? FileManager.default.removeItem(at: workspace.root.appendingPathComponent(new.file)) }
            try refreshCatalog(force: true)
            return
        }
        state.withLock { st in
            let gone = Set(ids)
            st.extents[table] = (st.extents[table] ?? []).filter { !gone.contains($0.id) && $0.id != new?.id } + (new.map { [$0] } ?? [])
            st.extents[table]!.sort { ($0.min_time ?? 0) < ($1.min_time ?? 0) }
            st.generation[table, default: 0] += 1
            for id in ids { st.cache.removeAll(prefix: "E\(id)|"); st.mapped[id] = nil }
        }
        for e in old { try? FileManager.default.removeItem(at: workspace.root.appendingPathComponent(e.file)) }
    }

    /// Deletes the rows with these ids, inside the caller's transaction, only if all of them are still
    /// there; false (nothing deleted) when another writer took some first.
    static func takeAll(_ db: Database, from table: String, ids: [some DatabaseValueConvertible]) throws -> Bool {
        let list = ids.map { _ in "?" }.joined(separator: ",")
        let still = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE id IN (\(list))", arguments: StatementArguments(ids)) ?? 0
        guard still == ids.count else { return false }
        try db.execute(sql: "DELETE FROM \(table) WHERE id IN (\(list))", arguments: StatementArguments(ids))
        return true
    }

    /// Tables with different column subsets as one, in schema order (missing columns are null).
    static func union(_ parts: [Table], schema: Schema) -> Table {
        if parts.count == 1 { return parts[0] }
        var names: [ColumnSchema] = []
        for c in schema.columns where parts.contains(where: { $0.schema.index(of: c.name) != nil }) { names.append(c) }
        for p in parts { for c in p.schema.columns where !names.contains(where: { $0.name == c.name }) { names.append(c) } }
        let cols = names.map { c in
            Column.concat(parts.map { p in p.column(named: c.name) ?? nullColumn(c.type, p.count) }, type: c.type)
        }
        return Table(schema: Schema(names), columns: cols, count: parts.reduce(0) { $0 + $1.count })
    }
}
