public import Foundation

/// A value bound into or read from the state database, the same for SQLite and PostgreSQL.
public enum SQLValue: Sendable, Equatable {
    case null, int(Int64), double(Double), text(String), blob(Data), bool(Bool)
}

/// What can be bound as a `?` parameter of a state query.
public protocol SQLBindable: Sendable { var sqlValue: SQLValue { get } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .int(Int64(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .int(self) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .double(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .bool(self) } }
extension Data: SQLBindable { public var sqlValue: SQLValue { .blob(self) } }
extension Optional: SQLBindable where Wrapped: SQLBindable { public var sqlValue: SQLValue { self?.sqlValue ?? .null } }

/// One result row, by column name. The accessors absorb the two backends' differences: SQLite has
/// no boolean type (0/1), and PostgreSQL's aggregates may come back in a wider type.
public struct SQLRow: Sendable {
    public var names: [String]
    public var values: [SQLValue]

    public init(names: [String], values: [SQLValue]) { self.names = names; self.values = values }

    public subscript(_ name: String) -> SQLValue {
        guard let i = names.firstIndex(of: name) else { return .null }
        return values[i]
    }
    public var first: SQLValue { values.first ?? .null }

    public func string(_ name: String) -> String? { Self.string(self[name]) }
    public func int64(_ name: String) -> Int64? { Self.int64(self[name]) }
    public func int(_ name: String) -> Int? { int64(name).map(Int.init) }
    public func double(_ name: String) -> Double? { Self.double(self[name]) }
    public func bool(_ name: String) -> Bool? { Self.bool(self[name]) }
    public func data(_ name: String) -> Data? {
        switch self[name] {
        case .blob(let d): return d
        case .text(let s): return Data(s.utf8)
        default: return nil
        }
    }

    static func string(_ v: SQLValue) -> String? {
        switch v {
        case .text(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .blob(let d): return String(decoding: d, as: UTF8.self)
        case .bool(let b): return b ? "true" : "false"
        case .null: return nil
        }
    }
    static func int64(_ v: SQLValue) -> Int64? {
        switch v {
        case .int(let i): return i
        case .double(let d): return Int64(d)
        case .bool(let b): return b ? 1 : 0
        case .text(let s): return Int64(s) ?? Double(s).map { Int64($0) }
        default: return nil
        }
    }
    static func double(_ v: SQLValue) -> Double? {
        switch v {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .text(let s): return Double(s)
        default: return nil
        }
    }
    static func bool(_ v: SQLValue) -> Bool? {
        switch v {
        case .bool(let b): return b
        case .int(let i): return i != 0
        default: return nil
        }
    }
}

/// A connection inside a read or a write transaction. SQL is written once for both backends:
/// `?` placeholders, standard SQL that SQLite and PostgreSQL both accept.
public protocol StateConnection {
    /// Runs a statement; returns the number of rows it changed.
    @discardableResult func execute(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int
    func rows(_ sql: String, _ arguments: [any SQLBindable]) throws -> [SQLRow]
    /// The workspace's own SQLite database when the state lives in it: writes to the log store's
    /// write-ahead area can then join the state's transaction.
    var workspaceSQLite: WorkspaceSQLite? { get }
}

extension StateConnection {
    @discardableResult public func execute(_ sql: String) throws -> Int { try execute(sql, []) }
    public func rows(_ sql: String) throws -> [SQLRow] { try rows(sql, []) }
    public func row(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> SQLRow? { try rows(sql, arguments).first }
    public func strings(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> [String] { try rows(sql, arguments).compactMap { SQLRow.string($0.first) } }
    public func string(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> String? { try row(sql, arguments).flatMap { SQLRow.string($0.first) } }
    public func int64(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> Int64? { try row(sql, arguments).flatMap { SQLRow.int64($0.first) } }
    public func int64s(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> [Int64] { try rows(sql, arguments).compactMap { SQLRow.int64($0.first) } }
}

/// Where incidents, alerts links, audit, tokens, rule runs, the outbox and report deliveries live:
/// the workspace's SQLite file (the embedded default) or a PostgreSQL server shared by several nodes.
public protocol StateBackend: Sendable {
    /// A consistent read (no transaction is held open on PostgreSQL: each statement autocommits).
    func read<T>(_ body: (any StateConnection) throws -> T) throws -> T
    /// A serializable transaction; on PostgreSQL it is retried on a serialization failure, so `body`
    /// must not have effects outside the transaction.
    func write<T>(_ body: (any StateConnection) throws -> T) throws -> T
    /// A short description for logs and `vigil serve`'s banner (no password).
    var location: String { get }
}
