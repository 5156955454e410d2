public import Foundation
public import GRDB
public import Ingestion
public import KQL
import SentinelParsers
import Synchronization

/// The log store: Sentinel-named tables kept as immutable, time-sorted columnar extents (files),
/// fed by a durable write-ahead area (SQLite), catalogued in the workspace database. It is the KQL
/// engine's `TableProvider`: scans read only the extents that overlap the time range and only the
/// columns the query uses.
public final class LogStore: TableProvider, Sendable {
    public let workspace: Workspace
    public let db: StateDatabase
    /// Incidents, audit, tokens, rule runs, the outbox and report deliveries: the workspace's SQLite
    /// database, or PostgreSQL when `vigil.yaml` names one (`state: postgres://...`).
    public let stateBackend: any StateBackend
    let clock: @Sendable () -> Int64
    let makeID: @Sendable () -> String
    let state: Mutex<State>
    /// Serialises sealing, merging and retention within the process.
    let maintenanceLock = NSLock()

    struct ExtentRecord: Sendable, Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "extent"
        var id: String
        var table_name: String
        var file: String
        var rows: Int
        var bytes: Int
        var min_time: Int64?
        var max_time: Int64?
        var min_ingest: Int64?
        var max_ingest: Int64?
        var created_at: Int64
    }

    struct WALRecord: Sendable, Codable, FetchableRecord {
        var id: Int64
        var table_name: String
        var rows: Int
        var min_time: Int64?
        var max_time: Int64?
        var ingested_at: Int64
    }

    struct State {
        var customSchemas: [String: Schema] = [:]
        var known: Set<String> = []
        /// Tables created with a declared schema (`vigil tables create`): exactly those columns.
        var declared: Set<String> = []
        /// Workspace functions by every name they answer to.
        var functions: [String: WorkspaceFunction] = [:]
        var extents: [String: [ExtentRecord]] = [:]
        var wal: [String: [WALRecord]] = [:]
        var generation: [String: Int] = [:]
        var cache: ColumnCache
        var mapped: [String: (Data, ExtentFooter)] = [:]
        var catalogVersion: Int64 = -1
        /// Checksum blocks of extent columns already checked by partial reads.
        var verifiedBlocks: [String: Set<Int>] = [:]
        /// Extent columns whose every checksum was checked by a whole-column read: extents never
        /// change once written, so a column the cache could not keep is not hashed again when re-read.
        var verifiedColumns: Set<String> = []
        var pendingRows: Int { wal.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.rows } } }
    }

    /// Opens the store of a workspace. Extent files left by a crash before their catalog commit, and
    /// temporary files, are removed: they were never acknowledged.
    public init(workspace: Workspace, clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e7) },
                makeID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }) throws {
        self.workspace = workspace
        self.clock = clock
        self.makeID = makeID
        do { db = try StateDatabase(path: workspace.statePath) } catch { throw StoreError.workspace("cannot open \(workspace.statePath): \(error)") }
        if let url = workspace.config.stateURL {
            stateBackend = try PostgresState(url: url, workspaceID: try db.workspaceID())
        } else {
            stateBackend = SQLiteState(database: db)
        }
        state = Mutex(State(cache: ColumnCache(budgetBytes: workspace.config.storage.cacheMegabytes << 20)))
        try refreshCatalog(force: true)
        try removeOrphans()
    }

    /// Reloads the catalog when another process (or connection) changed it: `vigil ingest` while
    /// `vigil serve` runs, a merge elsewhere. The database's `catalog_version`, bumped by triggers on
    /// every catalog write, makes the check one indexed read. Runs under the state lock, and every
    /// in-process update is idempotent, so a reload and a concurrent write cannot lose each other.
    func refreshCatalog(force: Bool = false) throws {
        try state.withLock { st in
            try db.pool.read { db in
                let version = try Int64.fetchOne(db, sql: "SELECT version FROM catalog_version WHERE id = 1") ?? 0
                guard force || version != st.catalogVersion else { return }
                var known = Set<String>(), declared = Set<String>()
                for row in try Row.fetchAll(db, sql: "SELECT name, declared FROM log_table") {
                    known.insert(row["name"])
                    if row["declared"] as Bool? == true { declared.insert(row["name"]) }
                }
                st.functions = try Self.fetchFunctions(db)
                var cols: [String: [ColumnSchema]] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT table_name, name, type FROM custom_column ORDER BY table_name, ordinal") {
                    let t: String = row["table_name"], n: String = row["name"], ty: String = row["type"]
                    cols[t, default: []].append(ColumnSchema(n, KQLType(name: ty) ?? .string))
                }
                var extents: [String: [ExtentRecord]] = [:]
                for e in try ExtentRecord.order(GRDB.Column("min_time")).fetchAll(db) { extents[e.table_name, default: []].append(e) }
                var wal: [String: [WALRecord]] = [:]
                for w in try WALRecord.fetchAll(db, sql: "SELECT id, table_name, rows, min_time, max_time, ingested_at FROM wal_batch ORDER BY id") {
                    wal[w.table_name, default: []].append(w)
                }
                let live = Set(extents.values.flatMap { $0.map(\.id) })
                for id in st.mapped.keys where !live.contains(id) { st.mapped[id] = nil; st.cache.removeAll(prefix: "E\(id)|") }
                for t in Set(st.extents.keys).union(extents.keys).union(st.wal.keys).union(wal.keys) { st.generation[t, default: 0] += 1 }
                st.known = known
                st.declared = declared
                st.customSchemas = cols.mapValues { Schema($0) }
                st.extents = extents
                st.wal = wal
                st.catalogVersion = version
            }
        }
    }

    /// Removes extent files no catalog row names: left by a crash between writing a file and
    /// committing it, so never acknowledged. Only files older than ten minutes: a younger one may
    /// belong to another process that is about to commit it.
    func removeOrphans(minimumAge: TimeInterval = 600) throws {
        let fm = FileManager.default
        let tablesDir = workspace.root.appendingPathComponent("tables")
        guard let dirs = try? fm.contentsOfDirectory(atPath: tablesDir.path) else { return }
        var candidates: [(URL, String)] = []
        for d in dirs {
            let dir = tablesDir.appendingPathComponent(d)
            for f in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] where f.hasSuffix(".tmp") || f.hasSuffix(".vgx") {
                let url = dir.appendingPathComponent(f)
                let modified = (try? fm.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? Date()
                if Date().timeIntervalSince(modified) >= minimumAge { candidates.append((url, "tables/\(d)/\(f)")) }
            }
        }
        guard !candidates.isEmpty else { return }
        // The catalog is read after the listing: a file committed meanwhile is in it.
        let known = try db.pool.read { db in Set(try String.fetchAll(db, sql: "SELECT file FROM extent")) }
        for (url, rel) in candidates where !known.contains(rel) { try? fm.removeItem(at: url) }
    }

    // MARK: catalog

    /// Whether a table is known before any data: Sentinel's built-in and connector tables (`vigil
    /// ingest` accepts these names without the `_CL` suffix custom tables need).
    public func isBuiltIn(_ table: String) -> Bool { SchemaCatalog.known(table) != nil }

    /// The schema a batch for `table` is built against: Sentinel's, a connector table's declared
    /// columns plus those its data added, or a custom table's columns so far.
    public func storageSchema(of table: String) -> Schema {
        if let s = SchemaCatalog.builtIn[table] { return s }
        let (custom, isDeclared) = state.withLock { ($0.customSchemas[table], $0.declared.contains(table)) }
        if !isDeclared, let declared = SchemaCatalog.connectors[table] {
            guard let extra = custom else { return declared }
            return Schema(declared.columns + extra.columns.filter { declared.index(of: $0.name) == nil })
        }
        return custom ?? Schema([])
    }

    /// Built-in tables and tables created with a declared schema take only their columns; connector
    /// and custom tables grow with the data, as custom logs do.
    public func policy(for table: String) -> BatchBuilder.ColumnPolicy {
        SchemaCatalog.builtIn[table] != nil || state.withLock({ $0.declared.contains(table) }) ? .fixed : .extensible
    }

    /// Every table's schema carries `_IngestionTime`, which `ingestion_time()` reads.
    public func schema(of table: String) -> Schema? {
        if SchemaCatalog.known(table) == nil, state.withLock({ $0.customSchemas[table] == nil }) { try? refreshCatalog() }
        let base: Schema
        if SchemaCatalog.known(table) != nil { base = storageSchema(of: table) }
        else if let s = state.withLock({ $0.customSchemas[table] }) { base = s }
        else { return nil }
        if base.index(of: "_IngestionTime") != nil { return base }
        return Schema(base.columns + [ColumnSchema("_IngestionTime", .datetime)])
    }

    public func tableNames() -> [String] {
        try? refreshCatalog()
        return Array(Set(SchemaCatalog.knownNames).union(state.withLock { Array($0.customSchemas.keys) })).sorted()
    }

    /// From the catalog alone: an extent overlapping the range, or any write-ahead batch (their times are
    /// not kept apart), may hold rows.
    public func mayHaveRows(_ table: String, from: Int64, to: Int64, byIngestionTime: Bool) -> Bool {
        try? refreshCatalog()
        let (extents, wal, _) = byIngestionTime ? snapshot(table, nil, nil, ingest: (from, to)) : snapshot(table, from, to)
        return !extents.isEmpty || !wal.isEmpty
    }

    /// Resolution order: Sentinel's `_GetWatchlist`, the workspace's own functions, then the ASIM
    /// parsers shipped in the binary.
    public func storedFunction(named name: String) -> StoredFunction? {
        if name == "_GetWatchlist" { return SentinelBuiltIns.getWatchlist }
        try? refreshCatalog()
        if let f = state.withLock({ $0.functions[name] }) { return f.stored(as: name) }
        return BundledParsers.asim.byName[name]?.stored(as: name)
    }

    public func functionNames() -> [String] {
        try? refreshCatalog()
        return ["_GetWatchlist"] + state.withLock { Array($0.functions.keys) } + Array(BundledParsers.asim.byName.keys)
    }


    /// Tables that hold data, with their row counts and time ranges.
    public struct TableInfo: Sendable, Equatable {
        public var name: String
        public var custom: Bool
        public var rows: Int
        public var extents: Int
        public var pendingRows: Int
        public var bytes: Int
        public var minTime: Int64?
        public var maxTime: Int64?
        public init(name: String, custom: Bool, rows: Int, extents: Int, pendingRows: Int, bytes: Int, minTime: Int64? = nil, maxTime: Int64? = nil) {
            self.name = name; self.custom = custom; self.rows = rows; self.extents = extents; self.pendingRows = pendingRows
            self.bytes = bytes; self.minTime = minTime; self.maxTime = maxTime
        }
    }

    public func tableInfos() -> [TableInfo] {
        try? refreshCatalog()
        return state.withLock { st in
            st.known.sorted().map { t in
                let ex = st.extents[t] ?? [], wal = st.wal[t] ?? []
                let times = ex.compactMap(\.min_time) + wal.compactMap(\.min_time)
                let maxes = ex.compactMap(\.max_time) + wal.compactMap(\.max_time)
                return TableInfo(name: t, custom: SchemaCatalog.known(t) == nil, rows: ex.reduce(0) { $0 + $1.rows } + wal.reduce(0) { $0 + $1.rows },
                                 extents: ex.count, pendingRows: wal.reduce(0) { $0 + $1.rows }, bytes: ex.reduce(0) { $0 + $1.bytes },
                                 minTime: times.min(), maxTime: maxes.max())
            }
        }
    }

    public var pendingRows: Int { state.withLock { $0.pendingRows } }
}
