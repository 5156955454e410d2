/// The storage seam: the store (or an in-memory map in tests) serves tables by name, pruned by the
/// columns and time range a query needs.
public protocol TableProvider: Sendable {
    func schema(of table: String) -> Schema?
    func tableNames() -> [String]
    func scan(_ table: String, request: ScanRequest) throws -> Table
    /// KQL text of a stored function (Sentinel's parsers, `_GetWatchlist`...), or nil.
    func storedFunction(named name: String) -> StoredFunction?
}

/// What a scan needs: nil columns means all; the time range is on `TimeGenerated`, half-open unless noted.
public struct ScanRequest: Sendable {
    public var columns: [String]?
    public var timeFrom: Int64?
    public var timeTo: Int64?
    public init(columns: [String]? = nil, timeFrom: Int64? = nil, timeTo: Int64? = nil) {
        self.columns = columns; self.timeFrom = timeFrom; self.timeTo = timeTo
    }
}

/// A named function the catalog defines, with its parameters as KQL text (`(a:string, b:long=1)`).
public struct StoredFunction: Sendable {
    public var name: String
    public var parameters: String
    public var body: String
    public init(name: String, parameters: String = "()", body: String) { self.name = name; self.parameters = parameters; self.body = body }
}

/// Tables held in memory: tests, `vigil query --table`, and benchmarks.
public struct InMemoryTables: TableProvider {
    public var tables: [String: Table]
    public var schemas: [String: Schema]
    public var functions: [String: StoredFunction]

    public init(tables: [String: Table] = [:], schemas: [String: Schema] = [:], functions: [String: StoredFunction] = [:]) {
        self.tables = tables
        self.schemas = schemas
        self.functions = functions
    }

    public func schema(of table: String) -> Schema? { tables[table]?.schema ?? schemas[table] }
    public func tableNames() -> [String] { Array(Set(tables.keys).union(schemas.keys)).sorted() }
    public func scan(_ table: String, request: ScanRequest) throws -> Table {
        if let t = tables[table] { return t }
        if let s = schemas[table] { return Table.empty(s) }
        throw KQLError.runtime("table '\(table)' does not exist")
    }
    public func storedFunction(named name: String) -> StoredFunction? { functions[name] }
}
