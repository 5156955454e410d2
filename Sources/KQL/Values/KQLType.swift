/// Kusto's scalar types. `int` and `long` share 64-bit storage; `decimal` is stored as a double (documented gap).
public enum KQLType: String, Sendable, Hashable, Codable, CaseIterable {
    case bool, int, long, real, decimal, string, datetime, timespan, guid, dynamic

    /// Parses a type name as written in queries and schemas, including Kusto's aliases.
    public init?(name: String) {
        switch name.lowercased() {
        case "bool", "boolean": self = .bool
        case "int", "int32": self = .int
        case "long", "int64": self = .long
        case "real", "double", "float": self = .real
        case "decimal": self = .decimal
        case "string": self = .string
        case "datetime", "date": self = .datetime
        case "timespan", "time": self = .timespan
        case "guid", "uuid", "uniqueid": self = .guid
        case "dynamic": self = .dynamic
        default: return nil
        }
    }

    public var isNumeric: Bool { self == .int || self == .long || self == .real || self == .decimal }
    public var isIntegral: Bool { self == .int || self == .long }
    /// Types stored as Int64 in a column.
    public var isInt64Backed: Bool { self == .int || self == .long || self == .datetime || self == .timespan }
}

/// A named, typed column of a table's schema.
public struct ColumnSchema: Sendable, Hashable, Codable {
    public var name: String
    public var type: KQLType
    public init(_ name: String, _ type: KQLType) { self.name = name; self.type = type }
}

/// The ordered columns of a table.
public struct Schema: Sendable, Hashable, Codable {
    public var columns: [ColumnSchema]
    public init(_ columns: [ColumnSchema]) { self.columns = columns }
    public func index(of name: String) -> Int? { columns.firstIndex { $0.name == name } }
    public var names: [String] { columns.map(\.name) }
}
