import Foundation
public import GRDB

/// The workspace's SQLite database (WAL, synchronous=FULL so that a committed transaction survives a
/// crash or power loss): the table catalog, the extent list, the write-ahead batches and the ingest log.
/// Later issues add incidents, alerts, rules and the outbox as further migrations.
public final class StateDatabase: Sendable {
    public let pool: DatabasePool

    public init(path: String) throws {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        config.busyMode = .timeout(10)
        // Two processes opening a new workspace at once would both create the tables: migrations run
        // under an exclusive lock on a file beside the database, one process after the other.
        let lock = open(path + ".lock", O_CREAT | O_RDWR, 0o644)
        guard lock >= 0 else { throw StoreError.workspace("cannot open \(path).lock: errno \(errno)") }
        defer { close(lock) }
        flock(lock, LOCK_EX)
        defer { flock(lock, LOCK_UN) }
        pool = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(pool)
    }

    public func workspaceID() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT workspace_id FROM workspace_info WHERE id = 1") ?? "default" }
    }

    /// A state migration shared with PostgreSQL (`StateMigrations`), run in GRDB's migrator.
    static func apply(_ id: String, _ db: Database) throws {
        for sql in StateMigrations.named(id).statements(.sqlite) { try db.execute(sql: sql) }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-log-store") { db in
            try db.create(table: "log_table") { t in
                t.column("name", .text).primaryKey()
                t.column("custom", .boolean).notNull()
                t.column("created_at", .integer).notNull()
            }
            // Columns of custom tables, in order; built-in tables take Sentinel's schema.
            try db.create(table: "custom_column") { t in
                t.column("table_name", .text).notNull().references("log_table", onDelete: .cascade)
                t.column("ordinal", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("type", .text).notNull()
                t.primaryKey(["table_name", "name"])
            }
            try db.create(table: "extent") { t in
                t.column("id", .text).primaryKey()
                t.column("table_name", .text).notNull().indexed()
                t.column("file", .text).notNull()
                t.column("rows", .integer).notNull()
                t.column("bytes", .integer).notNull()
                t.column("min_time", .integer)
                t.column("max_time", .integer)
                t.column("min_ingest", .integer)
                t.column("max_ingest", .integer)
                t.column("created_at", .integer).notNull()
            }
            // Acknowledged rows not yet sealed into an extent, encoded like an extent.
            try db.create(table: "wal_batch") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("table_name", .text).notNull().indexed()
                t.column("rows", .integer).notNull()
                t.column("min_time", .integer)
                t.column("max_time", .integer)
                t.column("ingested_at", .integer).notNull()
                t.column("payload", .blob).notNull()
            }
            try db.create(table: "ingest_log") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("source", .text).notNull()
                t.column("table_name", .text).notNull()
                t.column("format", .text).notNull()
                t.column("accepted", .integer).notNull()
                t.column("skipped", .integer).notNull()
                t.column("warnings", .integer).notNull()
                t.column("at", .integer).notNull()
                t.column("duration_ms", .integer).notNull()
            }
        }
        m.registerMigration("v2-catalog-version") { db in
            // Bumped by every catalog change, so other processes' stores notice and reload.
            try db.execute(sql: """
                CREATE TABLE catalog_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
                INSERT INTO catalog_version (id, version) VALUES (1, 0);
                """)
            for table in ["extent", "wal_batch", "custom_column", "log_table"] {
                for op in ["INSERT", "DELETE"] {
                    try db.execute(sql: """
                        CREATE TRIGGER \(table)_\(op.lowercased())_version AFTER \(op) ON \(table)
                        BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
                        """)
                }
            }
        }
        m.registerMigration("v3-rule-runs") { db in try Self.apply("v3-rule-runs", db) }
        m.registerMigration("v4-rule-run-time") { db in try Self.apply("v4-rule-run-time", db) }
        m.registerMigration("v5-incidents") { db in try Self.apply("v5-incidents", db) }
        m.registerMigration("v6-incident-row-time") { db in try Self.apply("v6-incident-row-time", db) }
        m.registerMigration("v7-outbox-reports") { db in try Self.apply("v7-outbox-reports", db) }
        m.registerMigration("v8-api-tokens") { db in try Self.apply("v8-api-tokens", db) }
        m.registerMigration("v9-declared-tables-functions") { db in
            // A table created with a declared schema (`vigil tables create`) takes exactly its columns,
            // as a data collection rule's stream does; tables made by ingesting stay extensible.
            try db.alter(table: "log_table") { t in t.add(column: "declared", .boolean).notNull().defaults(to: false) }
            // Workspace functions (Log Analytics saved functions): one row per callable name; the
            // aliases of one parser file share its `function_id`.
            try db.create(table: "workspace_function") { t in
                t.column("name", .text).primaryKey()
                t.column("function_id", .text).notNull().indexed()
                t.column("parameters", .text).notNull()
                t.column("body", .text).notNull()
                t.column("category", .text).notNull()
                t.column("title", .text).notNull()
                t.column("source", .text).notNull()
                t.column("version", .text).notNull()
                t.column("installed_at", .integer).notNull()
                t.column("installed_by", .text).notNull()
            }
            for op in ["INSERT", "DELETE", "UPDATE"] {
                try db.execute(sql: """
                    CREATE TRIGGER workspace_function_\(op.lowercased())_version AFTER \(op) ON workspace_function
                    BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
                    """)
            }
            try db.execute(sql: """
                CREATE TRIGGER log_table_update_version AFTER UPDATE ON log_table
                BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
                """)
        }
        m.registerMigration("v10-workspace-id") { db in
            // The workspace's identity, the same for every node that shares its folder: it names the
            // workspace's schema when several workspaces share one PostgreSQL database.
            try db.execute(sql: """
                CREATE TABLE workspace_info (id INTEGER PRIMARY KEY CHECK (id = 1), workspace_id TEXT NOT NULL);
                INSERT INTO workspace_info (id, workspace_id) VALUES (1, lower(hex(randomblob(8))));
                """)
        }
        m.registerMigration("v11-leases") { db in try Self.apply("v11-leases", db) }
        return m
    }
}
