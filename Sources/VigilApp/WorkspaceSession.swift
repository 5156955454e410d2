public import Foundation
public import KQL
public import VigilStore
import SentinelParsers

/// Opens the workspace a command works on (the flag, `VIGIL_WORKSPACE`, or `./.vigil`) and its store.
public enum WorkspaceSession {
    /// The workspace's store if the workspace exists; nil (nothing created) when it does not.
    public static func openIfPresent(_ flag: String?) throws -> LogStore? {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: Workspace.resolvePath(flag), isDirectory: &isDir), isDir.boolValue else { return nil }
        return try open(flag, create: false)
    }

    /// Sentinel's tables (empty) and the shipped ASIM parsers, for queries without a workspace.
    public static func catalogOnly() -> InMemoryTables {
        InMemoryTables(schemas: SchemaCatalog.connectors.merging(SchemaCatalog.builtIn) { $1 }, functions: BundledParsers.asim.storedFunctions.merging(SentinelBuiltIns.all) { $1 })
    }

    public static func open(_ flag: String?, create: Bool = true, now: Int64? = nil) throws -> LogStore {
        let ws = try Workspace.open(Workspace.resolvePath(flag), create: create)
        // A new workspace starts with Vigil's rule pack and the Sigma set (`vigil rules update` keeps them current).
        if ws.isNew { _ = try RulePackInstaller.updateAll(rulesDirectory: ws.rulesDirectory) }
        if let now { return try LogStore(workspace: ws, clock: { now }) }
        return try LogStore(workspace: ws)
    }
}

/// Tables from files given on the command line in front of the workspace's tables.
public struct LayeredTables: TableProvider {
    public let top: InMemoryTables
    public let base: any TableProvider
    public init(top: InMemoryTables, base: any TableProvider) { self.top = top; self.base = base }
    public func schema(of table: String) -> Schema? { top.tables[table]?.schema ?? base.schema(of: table) }
    public func tableNames() -> [String] { Array(Set(top.tables.keys).union(base.tableNames())).sorted() }
    public func scan(_ table: String, request: ScanRequest) throws -> Table {
        try top.tables[table] != nil ? top.scan(table, request: request) : base.scan(table, request: request)
    }
    public func storedFunction(named name: String) -> StoredFunction? { top.storedFunction(named: name) ?? base.storedFunction(named: name) }
    public func scan(_ table: String, request: ScanRequest, filter: (Table) throws -> Table) throws -> Table {
        try top.tables[table] != nil ? filter(top.scan(table, request: request)) : base.scan(table, request: request, filter: filter)
    }
}
