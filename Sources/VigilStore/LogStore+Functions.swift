public import Foundation
import GRDB
public import KQL
import SentinelParsers
import Synchronization

/// Workspace functions (Log Analytics saved functions), stored in the workspace database beside the
/// table catalog: a change in one process is seen by the others through `catalog_version`.
extension LogStore {
    /// A function as listed: where it comes from and whether the workspace's copy replaces a shipped one.
    public struct FunctionInfo: Sendable, Equatable {
        public var function: WorkspaceFunction
        /// `workspace` (installed here) or `built-in` (shipped in the binary).
        public var origin: String
        public var installedAt: Int64?
        public var installedBy: String?
    }

    /// What installing one function did.
    public struct InstallOutcome: Sendable, Equatable {
        public var name: String
        public var aliases: [String]
        /// Names that pointed at another function before (replaced).
        public var replaced: [String]
    }

    static func fetchFunctions(_ db: Database) throws -> [String: WorkspaceFunction] {
        var byID: [String: (WorkspaceFunction, [String])] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, function_id, parameters, body, category, title, source, version FROM workspace_function ORDER BY name") {
            let id: String = row["function_id"], name: String = row["name"]
            if byID[id] == nil {
                let params = (try? JSONDecoder().decode([WorkspaceFunction.Parameter].self, from: Data((row["parameters"] as String).utf8))) ?? []
                byID[id] = (WorkspaceFunction(name: id, parameters: params, body: row["body"], title: row["title"], category: row["category"],
                                              version: row["version"], source: row["source"]), [])
            }
            if name != id { byID[id]!.1.append(name) }
        }
        var out: [String: WorkspaceFunction] = [:]
        for (id, (f, aliases)) in byID {
            var full = f
            full.aliases = aliases
            out[id] = full
            for a in aliases { out[a] = full }
        }
        return out
    }

    /// Installs functions in one transaction: each name now calls the new body (an earlier function
    /// of that name loses it; one left with no name is gone).
    @discardableResult
    public func installFunctions(_ functions: [WorkspaceFunction], by actor: String) throws -> [InstallOutcome] {
        for f in functions {
            for n in f.names where !SchemaCatalog.isTableName(n) { throw StoreError.invalid("'\(n)' is not a valid function name") }
        }
        let now = clock()
        let outcomes: [InstallOutcome] = try db.pool.write { db in
            var out: [InstallOutcome] = []
            for var f in functions {
                // Another function's own name is not taken by this one's alias.
                let owners = Set(try String.fetchAll(db, sql: "SELECT DISTINCT function_id FROM workspace_function"))
                f.aliases = f.aliases.filter { !owners.contains($0) || $0 == f.name }
                var replaced: [String] = []
                for n in f.names {
                    if let old = try String.fetchOne(db, sql: "SELECT function_id FROM workspace_function WHERE name = ?", arguments: [n]), old != f.name {
                        replaced.append(n)
                    }
                }
                // The function's earlier names go with it; then every name is (re)bound to it.
                try db.execute(sql: "DELETE FROM workspace_function WHERE function_id = ?", arguments: [f.name])
                let params = String(decoding: try JSONEncoder().encode(f.parameters), as: UTF8.self)
                for n in f.names {
                    try db.execute(sql: """
                        INSERT OR REPLACE INTO workspace_function (name, function_id, parameters, body, category, title, source, version, installed_at, installed_by)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [n, f.name, params, f.body, f.category, f.title, f.source, f.version, now, actor])
                }
                out.append(InstallOutcome(name: f.name, aliases: Array(f.names.dropFirst()), replaced: replaced))
            }
            return out
        }
        try refreshCatalog(force: true)
        return outcomes
    }

    /// Removes a workspace function with all its names; a shipped parser of that name applies again.
    public func removeFunction(_ name: String) throws {
        let removed: Int = try db.pool.write { db in
            guard let id = try String.fetchOne(db, sql: "SELECT function_id FROM workspace_function WHERE name = ?", arguments: [name]) else { return 0 }
            try db.execute(sql: "DELETE FROM workspace_function WHERE function_id = ?", arguments: [id])
            return db.changesCount
        }
        guard removed > 0 else {
            if BundledParsers.asim.byName[name] != nil {
                throw StoreError.invalid("'\(name)' is a built-in parser shipped with Vigil; install a function of that name to replace it")
            }
            throw StoreError.notFound("function '\(name)'")
        }
        try refreshCatalog(force: true)
    }

    /// Every function a query can call, one entry per function (not per alias), by name.
    public func functionInfos(includeBuiltIn: Bool = true) -> [FunctionInfo] {
        try? refreshCatalog()
        let mine = state.withLock { $0.functions }
        var meta: [String: (Int64, String)] = [:]
        if let rows = try? db.pool.read({ db in try Row.fetchAll(db, sql: "SELECT function_id, MAX(installed_at) AS at, MAX(installed_by) AS by FROM workspace_function GROUP BY function_id") }) {
            for r in rows { meta[r["function_id"]] = (r["at"], r["by"]) }
        }
        var out: [String: FunctionInfo] = [:]
        for f in mine.values where out[f.name] == nil {
            out[f.name] = FunctionInfo(function: f, origin: "workspace", installedAt: meta[f.name]?.0, installedBy: meta[f.name]?.1)
        }
        if includeBuiltIn {
            for f in BundledParsers.asim.functions where out[f.name] == nil && !f.names.contains(where: { mine[$0] != nil }) {
                out[f.name] = FunctionInfo(function: f, origin: "built-in")
            }
        }
        return out.values.sorted { $0.function.name.lowercased() < $1.function.name.lowercased() }
    }

    /// One function by any of its names: the workspace's, else the shipped one.
    public func functionInfo(named name: String) -> FunctionInfo? {
        try? refreshCatalog()
        if let f = state.withLock({ $0.functions[name] }) { return FunctionInfo(function: f, origin: "workspace") }
        if let f = BundledParsers.asim.byName[name] { return FunctionInfo(function: f, origin: "built-in") }
        return nil
    }
}
