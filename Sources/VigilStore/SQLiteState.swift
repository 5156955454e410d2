import Foundation
import GRDB

/// The workspace's SQLite database as the state backend (the embedded default).
public struct SQLiteState: StateBackend {
    let database: StateDatabase
    public init(database: StateDatabase) { self.database = database }

    public var location: String { "sqlite:" + database.pool.path }

    public func read<T>(_ body: (any StateConnection) throws -> T) throws -> T {
        try database.pool.read { db in try body(SQLiteConnection(db: db)) }
    }

    public func write<T>(_ body: (any StateConnection) throws -> T) throws -> T {
        try database.pool.write { db in try body(SQLiteConnection(db: db)) }
    }
}

/// The GRDB database of a transaction on the workspace's own SQLite file.
public struct WorkspaceSQLite {
    let db: Database
}

struct SQLiteConnection: StateConnection {
    let db: Database

    var workspaceSQLite: WorkspaceSQLite? { WorkspaceSQLite(db: db) }

    func execute(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int {
        try db.execute(sql: sql, arguments: Self.arguments(arguments))
        return db.changesCount
    }

    func rows(_ sql: String, _ arguments: [any SQLBindable]) throws -> [SQLRow] {
        try Row.fetchAll(db, sql: sql, arguments: Self.arguments(arguments)).map { r in
            SQLRow(names: Array(r.columnNames), values: r.databaseValues.map(Self.value))
        }
    }

    static func arguments(_ values: [any SQLBindable]) -> StatementArguments {
        StatementArguments(values.map { v -> (any DatabaseValueConvertible)? in
            switch v.sqlValue {
            case .null: return nil
            case .int(let i): return i
            case .double(let d): return d
            case .text(let s): return s
            case .blob(let d): return d
            case .bool(let b): return b
            }
        })
    }

    static func value(_ v: DatabaseValue) -> SQLValue {
        switch v.storage {
        case .null: return .null
        case .int64(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .text(s)
        case .blob(let d): return .blob(d)
        }
    }
}
