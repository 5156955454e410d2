import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// A PostgreSQL server as the state backend, shared by several `vigil serve` nodes. The stores'
/// API is synchronous (as on SQLite), so each call waits for postgres-nio's future on the caller's
/// thread; the connections run on their own event loop group, never on the waiting thread.
/// Writes are SERIALIZABLE transactions retried on a serialization failure: the read-check-write
/// steps (an incident's version, the outbox claim) stay correct with several writers at once.
public final class PostgresState: StateBackend {
    let configuration: PostgresConnection.Configuration
    let group: MultiThreadedEventLoopGroup
    let logger: Logger
    let idle = Mutex<[PostgresConnection]>([])
    let nextID = Atomic<Int>(0)
    public let location: String

    let schema: String?

    /// `postgres://user[:password]@host[:port]/database[?schema=NAME]` (TLS is not supported yet:
    /// loopback or a private network only). With `schema=workspace` each workspace gets its own
    /// schema, named by its id: several workspaces (or test runs) share one database.
    public init(url: String, workspaceID: @autoclosure () throws -> String) throws {
        let logger = Logger(label: "vigil.state")
        guard let u = URLComponents(string: url), u.scheme == "postgres" || u.scheme == "postgresql", let host = u.host, !host.isEmpty else {
            throw StoreError.workspace("state: expected postgres://user:password@host:port/database, got \(url)")
        }
        let database = u.path.hasPrefix("/") ? String(u.path.dropFirst()) : u.path
        configuration = PostgresConnection.Configuration(host: host, port: u.port ?? 5432, username: u.user ?? "postgres",
                                                         password: u.password ?? ProcessInfo.processInfo.environment["PGPASSWORD"],
                                                         database: database.isEmpty ? nil : database, tls: .disable)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.logger = logger
        switch u.queryItems?.first(where: { $0.name == "schema" })?.value {
        case nil, "": schema = nil
        case "workspace": schema = "vigil_" + (try workspaceID())
        case let name?:
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw StoreError.workspace("state: schema must be letters, digits and _ (or 'workspace'), got \(name)")
            }
            schema = name
        }
        location = "postgres://\(u.user ?? "postgres")@\(host):\(u.port ?? 5432)/\(database)" + (schema.map { "?schema=" + $0 } ?? "")
        try migrate()
    }

    deinit {
        for c in idle.withLock({ $0 }) { try? c.close().wait() }
        try? group.syncShutdownGracefully()
    }

    public func read<T>(_ body: (any StateConnection) throws -> T) throws -> T {
        try withConnection { c in try body(PostgresStateConnection(connection: c, logger: logger)) }
    }

    public func write<T>(_ body: (any StateConnection) throws -> T) throws -> T {
        try withConnection { c in
            let conn = PostgresStateConnection(connection: c, logger: logger)
            for attempt in 0..<50 {
                try conn.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
                do {
                    let out = try body(conn)
                    try conn.execute("COMMIT")
                    return out
                } catch is RetryableTransaction {
                    _ = try? conn.execute("ROLLBACK")
                    // Back off a little, more each time, so that the writers do not collide again.
                    usleep(UInt32.random(in: 1_000...5_000) * UInt32(attempt + 1))
                } catch {
                    _ = try? conn.execute("ROLLBACK")
                    throw error
                }
            }
            throw StoreError.conflict("the state transaction kept colliding with other writers; try again")
        }
    }

    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let c: PostgresConnection
        if let pooled = idle.withLock({ $0.popLast() }), !pooled.isClosed {
            c = pooled
        } else {
            do {
                c = try PostgresConnection.connect(on: group.next(), configuration: configuration, id: nextID.add(1, ordering: .relaxed).newValue, logger: logger).wait()
            } catch {
                throw StoreError.io("cannot connect to the state database \(location): \(String(reflecting: error))")
            }
            // The schema may not exist yet: `migrate` creates it, on this connection, under its lock.
            if let schema { _ = try PostgresStateConnection(connection: c, logger: logger).execute("SET search_path TO \(schema)") }
        }
        do {
            let out = try body(c)
            giveBack(c)
            return out
        } catch {
            // A connection whose transaction failed was rolled back above; a closed one is dropped.
            if !c.isClosed { giveBack(c) }
            throw error
        }
    }

    /// Keeps a few idle connections for the next callers; a burst's extra ones are closed.
    func giveBack(_ c: PostgresConnection) {
        let kept = idle.withLock { list -> Bool in
            guard list.count < Self.maxIdle else { return false }
            list.append(c)
            return true
        }
        if !kept { c.close().whenComplete { _ in } }
    }
    static let maxIdle = 16

    /// The state tables, created by the same migrations as on SQLite, recorded in `state_migration`.
    /// An advisory lock serializes nodes that start at once.
    func migrate() throws {
        try withConnection { c in
            let conn = PostgresStateConnection(connection: c, logger: logger)
            try conn.execute("SELECT pg_advisory_lock(7305418)")
            defer { _ = try? conn.execute("SELECT pg_advisory_unlock(7305418)") }
            if let schema { try conn.execute("CREATE SCHEMA IF NOT EXISTS \(schema)") }
            try conn.execute("CREATE TABLE IF NOT EXISTS state_migration (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)")
            let done = Set(try conn.strings("SELECT id FROM state_migration"))
            for m in StateMigrations.all where !done.contains(m.id) {
                try conn.execute("BEGIN")
                do {
                    for s in m.statements(.postgres) { try conn.execute(s) }
                    try conn.execute("INSERT INTO state_migration (id, applied_at) VALUES (?, ?)", [m.id, Int64(Date().timeIntervalSince1970)])
                    try conn.execute("COMMIT")
                } catch {
                    _ = try? conn.execute("ROLLBACK")
                    throw error
                }
            }
        }
    }
}

/// A serialization failure or deadlock: the whole transaction is run again.
struct RetryableTransaction: Error {}

struct PostgresStateConnection: StateConnection {
    let connection: PostgresConnection
    let logger: Logger

    var workspaceSQLite: WorkspaceSQLite? { nil }

    func execute(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    func rows(_ sql: String, _ arguments: [any SQLBindable]) throws -> [SQLRow] {
        let result = try run(sql, arguments)
        return try result.rows.map { row in
            var names: [String] = [], values: [SQLValue] = []
            for cell in row {
                names.append(cell.columnName)
                values.append(try Self.value(cell))
            }
            return SQLRow(names: names, values: values)
        }
    }

    func run(_ sql: String, _ arguments: [any SQLBindable]) throws -> PostgresQueryResult {
        var binds = PostgresBindings(capacity: arguments.count)
        for a in arguments {
            switch a.sqlValue {
            case .null: binds.appendNull()
            case .int(let i): binds.append(i)
            case .double(let d): binds.append(d)
            case .text(let s): binds.append(s)
            case .bool(let b): binds.append(b)
            case .blob(let d): binds.append(ByteBuffer(bytes: d))
            }
        }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: Self.numbered(sql), binds: binds), logger: logger).wait()
        } catch let e as PSQLError {
            let state = e.serverInfo?[.sqlState] ?? ""
            let message = e.serverInfo?[.message] ?? String(reflecting: e)
            // 40001 serialization failure, 40P01 deadlock: the transaction may simply be retried.
            if state == "40001" || state == "40P01" { throw RetryableTransaction() }
            throw StoreError.io("state database: \(message) (SQLSTATE \(state))")
        }
    }

    /// `?` placeholders as PostgreSQL's `$1, $2, ...`, outside quoted literals and identifiers.
    static func numbered(_ sql: String) -> String {
        var out = "", n = 0
        var quote: Character?
        for ch in sql {
            if let q = quote {
                if ch == q { quote = nil }
                out.append(ch)
            } else if ch == "'" || ch == "\"" {
                quote = ch; out.append(ch)
            } else if ch == "?" {
                n += 1; out += "$\(n)"
            } else {
                out.append(ch)
            }
        }
        return out
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .int(try cell.decode(Int64.self))
        case .float4, .float8: return .double(try cell.decode(Double.self))
        case .numeric:
            // SUM and AVG of integers: exact integers stay integers.
            let d = try cell.decode(Decimal.self)
            let i = NSDecimalNumber(decimal: d).int64Value
            return Decimal(i) == d ? .int(i) : .double(NSDecimalNumber(decimal: d).doubleValue)
        case .bool: return .bool(try cell.decode(Bool.self))
        case .bytea:
            let b = try cell.decode(ByteBuffer.self)
            return .blob(Data(b.readableBytesView))
        default: return .text(try cell.decode(String.self))
        }
    }
}
