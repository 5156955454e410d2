/// The storage seam: the store (or an in-memory map in tests) serves tables by name, pruned by the
/// columns and time range a query needs.
public protocol TableProvider: Sendable {
    func schema(of table: String) -> Schema?
    func tableNames() -> [String]
    func scan(_ table: String, request: ScanRequest) throws -> Table
    /// KQL text of a stored function (Sentinel's parsers, `_GetWatchlist`...), or nil.
    func storedFunction(named name: String) -> StoredFunction?
    /// Scans and filters part by part: a store of many extents runs `filter` (the query's leading
    /// `where`s) on each extent and concatenates the small results, instead of concatenating whole
    /// columns first. `filter` must also be called once when there are no parts (it binds the query).
    func scan(_ table: String, request: ScanRequest, filter: (Table) throws -> Table) throws -> Table
    /// The table's rows part by part (a store's extents), each part with the requested columns, never
    /// assembled into one table: for an operator that keeps little of each part (the probe side of a
    /// join that a filter follows). `body` is called at least once (with no rows when there are none).
    func scanEach(_ table: String, request: ScanRequest, _ body: (Table) throws -> Void) throws
    /// Whether `scanEach` yields more than one part for a big table (a store of extents): operators
    /// stream only then, and otherwise keep their whole-table paths, which use every core.
    var scansInParts: Bool { get }
    /// Names of the stored functions, for "did you mean" suggestions.
    func functionNames() -> [String]
    /// False only when the table surely has no rows with `from <= TimeGenerated <= to` (or, by
    /// ingestion time, `_IngestionTime` in the range): a cheap check before running a query.
    func mayHaveRows(_ table: String, from: Int64, to: Int64, byIngestionTime: Bool) -> Bool
}

extension TableProvider {
    public func functionNames() -> [String] { [] }
    public func scanEach(_ table: String, request: ScanRequest, _ body: (Table) throws -> Void) throws {
        try body(scan(table, request: request))
    }
    public var scansInParts: Bool { false }
    public func mayHaveRows(_ table: String, from: Int64, to: Int64, byIngestionTime: Bool) -> Bool { true }
    public func scan(_ table: String, request: ScanRequest, filter: (Table) throws -> Table) throws -> Table {
        try filter(scan(table, request: request))
    }
}

/// What a scan needs: nil columns means all; the time range is on `TimeGenerated`, half-open unless noted.
public struct ScanRequest: Sendable {
    public var columns: [String]?
    public var timeFrom: Int64?
    public var timeTo: Int64?
    /// With the partitioned scan: the columns the filters read. A provider may hand the filter only
    /// these plus `rowIdColumn` (row numbers within the part) and fetch the other columns for the
    /// surviving rows alone (late materialisation). Nil: the filters may read any column.
    public var filterColumns: [String]?
    /// The name of the row-number column a provider adds for late materialisation; filters keep it.
    public static let rowIdColumn = "__vigil_row"
    /// A hint for near-real-time reads: only rows with `ingestFrom <= _IngestionTime <= ingestTo` are
    /// wanted, so a provider that knows when its parts were ingested may skip the others. The caller
    /// still filters the rows it gets.
    public var ingestFrom: Int64?
    public var ingestTo: Int64?
    /// With the partitioned scan: the first filter as a test of one string column's bytes. A provider
    /// may hand the filter only the rows whose value passes it (the filter still runs on them).
    public var prefilter: StringPrefilter?
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
    public private(set) var tables: [String: Table]
    public var schemas: [String: Schema]
    public var functions: [String: StoredFunction]
    /// Tables known to be sorted by `TimeGenerated`, whose scans can cut the time range by binary search.
    var timeSorted: Set<String> = []

    public init(tables: [String: Table] = [:], schemas: [String: Schema] = [:], functions: [String: StoredFunction] = [:]) {
        self.tables = tables
        self.schemas = schemas
        self.functions = functions
        for (name, t) in tables where Self.isTimeSorted(t) { timeSorted.insert(name) }
    }

    /// Adds a table, noting whether it is ordered by time (as the store's extents and the generators' files are).
    public mutating func add(_ name: String, _ t: Table) {
        tables[name] = t
        if Self.isTimeSorted(t) { timeSorted.insert(name) } else { timeSorted.remove(name) }
    }

    static func isTimeSorted(_ t: Table) -> Bool {
        guard let c = t.column(named: "TimeGenerated"), c.nulls == nil, case .int64(let a) = c.data else { return false }
        for i in 1..<max(1, a.count) where a[i] < a[i - 1] { return false }
        return true
    }

    public func schema(of table: String) -> Schema? { tables[table]?.schema ?? schemas[table] }
    public func tableNames() -> [String] { Array(Set(tables.keys).union(schemas.keys)).sorted() }
    public func scan(_ table: String, request: ScanRequest) throws -> Table {
        guard var t = tables[table] else {
            if let s = schemas[table] { return Table.empty(s) }
            throw KQLError.runtime("table '\(table)' does not exist")
        }
        if let cols = request.columns {
            let keep = Set(cols)
            let idx = t.schema.columns.indices.filter { keep.contains(t.schema.columns[$0].name) }
            t = Table(schema: Schema(idx.map { t.schema.columns[$0] }), columns: idx.map { t.columns[$0] }, count: t.count)
        }
        if timeSorted.contains(table), request.timeFrom != nil || request.timeTo != nil,
           let c = tables[table]?.column(named: "TimeGenerated"), case .int64(let a) = c.data {
            // Inclusive bounds; the filter that produced them still runs on the slice.
            let lo = request.timeFrom.map { v in partition(a) { $0 < v } } ?? 0
            let hi = request.timeTo.map { v in partition(a) { $0 <= v } } ?? a.count
            if lo > 0 || hi < a.count { t = t.slice(lo..<max(lo, hi)) }
        }
        return t
    }

    /// First index where `pred` turns false in a sorted array.
    func partition(_ a: [Int64], _ pred: (Int64) -> Bool) -> Int {
        var lo = 0, hi = a.count
        while lo < hi { let mid = (lo + hi) / 2; if pred(a[mid]) { lo = mid + 1 } else { hi = mid } }
        return lo
    }
    public func storedFunction(named name: String) -> StoredFunction? { functions[name] }
    public func functionNames() -> [String] { Array(functions.keys) }
}
