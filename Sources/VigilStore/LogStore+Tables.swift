public import Foundation
import GRDB
public import KQL
public import Ingestion
import Synchronization

/// Custom tables declared ahead of their data, and dropping a table's data.
extension LogStore {
    /// Creates a custom table with exactly these columns (validated, `TimeGenerated` added when
    /// missing). Ingest then fills them and drops fields the declaration does not name, with a warning.
    @discardableResult
    public func createTable(_ name: String, columns: [ColumnSchema]) throws -> Schema {
        let cols: [ColumnSchema]
        do { cols = try TableDeclaration.validate(name: name, columns: columns) } catch let e as IngestionError { throw StoreError.invalid(e.description) }
        try refreshCatalog()
        let exists = state.withLock { $0.known.contains(name) || $0.customSchemas[name] != nil }
        if exists { throw StoreError.conflict("table '\(name)' already exists; drop it first (vigil tables drop \(name))") }
        try db.pool.write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM log_table WHERE name = ?", arguments: [name]) ?? 0 > 0 {
                throw StoreError.conflict("table '\(name)' already exists; drop it first (vigil tables drop \(name))")
            }
            try db.execute(sql: "INSERT INTO log_table (name, custom, created_at, declared) VALUES (?, 1, ?, 1)", arguments: [name, clock()])
            for (i, c) in cols.enumerated() {
                try db.execute(sql: "INSERT INTO custom_column (table_name, ordinal, name, type) VALUES (?, ?, ?, ?)", arguments: [name, i, c.name, c.type.rawValue])
            }
        }
        try refreshCatalog(force: true)
        return storageSchema(of: name)
    }

    /// Drops a table's data and, for a custom table, its columns. A connector table of the catalog
    /// stays known (empty); built-in tables are not dropped (their rows age out by retention).
    /// Returns the rows removed.
    @discardableResult
    public func dropTable(_ name: String) throws -> Int {
        if SchemaCatalog.builtIn[name] != nil {
            throw StoreError.invalid("'\(name)' is a built-in Sentinel table and cannot be dropped; its rows age out by retention (vigil.yaml retention)")
        }
        try refreshCatalog(force: true)
        let known = state.withLock { $0.known.contains(name) || $0.customSchemas[name] != nil }
        guard known else { throw StoreError.notFound("table '\(name)' holds no data and was never created") }
        maintenanceLock.lock()
        defer { maintenanceLock.unlock() }
        let (files, rows): ([String], Int) = try db.pool.write { db in
            let files = try String.fetchAll(db, sql: "SELECT file FROM extent WHERE table_name = ?", arguments: [name])
            let rows = (try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(rows), 0) FROM extent WHERE table_name = ?", arguments: [name]) ?? 0)
                + (try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(rows), 0) FROM wal_batch WHERE table_name = ?", arguments: [name]) ?? 0)
            try db.execute(sql: "DELETE FROM extent WHERE table_name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM wal_batch WHERE table_name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM custom_column WHERE table_name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM log_table WHERE name = ?", arguments: [name])
            return (files, rows)
        }
        state.withLock { st in
            for e in st.extents[name] ?? [] { st.cache.removeAll(prefix: "E\(e.id)|"); st.mapped[e.id] = nil }
            st.extents[name] = nil
            st.wal[name] = nil
            st.customSchemas[name] = nil
            st.known.remove(name)
            st.declared.remove(name)
            st.generation[name, default: 0] += 1
        }
        for f in files { try? FileManager.default.removeItem(at: workspace.root.appendingPathComponent(f)) }
        try refreshCatalog(force: true)
        return rows
    }

    /// Whether a table was created with a declared schema.
    public func isDeclared(_ name: String) -> Bool { state.withLock { $0.declared.contains(name) } }
}
