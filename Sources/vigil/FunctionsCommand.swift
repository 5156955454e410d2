import ArgumentParser
import Foundation
import KQL
import VigilApp
import VigilStore

/// `vigil functions`: workspace functions (Log Analytics saved functions) and the ASIM parsers shipped
/// in the binary; install reads Sentinel's parser files unchanged. On a workspace or against a server.
struct FunctionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "functions", abstract: "Workspace functions: list, show, install parser files, remove.",
                                                    subcommands: [List.self, Show.self, Install.self, Remove.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The functions queries can call, with their origin (workspace or built-in).")
        @OptionGroup var target: Target
        @Option(help: "Output format: table or json.") var format: String = "table"
        @Flag(help: "Only the workspace's own functions.") var workspaceOnly = false

        func run() async throws {
            var rows: [[Value]] = []
            if let api = target.api {
                for f in (try await api.object("GET", "/api/functions"))["value"] as? [[String: Any]] ?? [] {
                    let origin = f["origin"] as? String ?? ""
                    if workspaceOnly && origin != "workspace" { continue }
                    let params = (f["parameters"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                    rows.append([.string(f["name"] as? String ?? ""), .string(((f["aliases"] as? [String]) ?? []).joined(separator: ", ")),
                                 .string(params.joined(separator: ", ")), .string(f["category"] as? String ?? ""), .string(origin)])
                }
            } else {
                let store = try WorkspaceSession.open(target.workspace)
                for i in store.functionInfos(includeBuiltIn: !workspaceOnly) {
                    rows.append([.string(i.function.name), .string(i.function.aliases.joined(separator: ", ")),
                                 .string(i.function.parameters.map(\.name).joined(separator: ", ")), .string(i.function.category), .string(i.origin)])
                }
            }
            let schema = Schema(["Name", "Aliases", "Parameters", "Category", "Origin"].map { ColumnSchema($0, .string) })
            print(ResultFormatter.render([ResultTable(name: "functions", table: Table.from(schema: schema, rows: rows))], as: format == "json" ? .json : .table), terminator: "")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A function as a KQL declaration, with its names and source.")
        @OptionGroup var target: Target
        @Argument(help: "The function's name or alias.") var name: String

        func run() async throws {
            let f: WorkspaceFunction, origin: String
            if let api = target.api {
                let o = try await api.object("GET", "/api/functions/" + name)
                let params = (o["parameters"] as? [[String: Any]] ?? []).map {
                    WorkspaceFunction.Parameter(name: $0["name"] as? String ?? "", type: $0["type"] as? String ?? "", defaultValue: $0["defaultValue"] as? String)
                }
                f = WorkspaceFunction(name: o["name"] as? String ?? name, aliases: o["aliases"] as? [String] ?? [], parameters: params, body: o["body"] as? String ?? "",
                                      title: o["title"] as? String ?? "", category: o["category"] as? String ?? "", version: o["version"] as? String ?? "",
                                      source: o["source"] as? String ?? "")
                origin = o["origin"] as? String ?? ""
            } else {
                let store = try WorkspaceSession.open(target.workspace)
                guard let i = store.functionInfo(named: name) else {
                    throw StoreError.notFound("function '\(name)'" + NameSuggestion.didYouMean(name, among: store.functionNames()))
                }
                (f, origin) = (i.function, i.origin)
            }
            if !f.title.isEmpty { print("// \(f.title)" + (f.version.isEmpty ? "" : " (version \(f.version))")) }
            print("// names: \(f.names.joined(separator: ", ")); \(f.category); \(origin)" + (f.source.isEmpty ? "" : "; from \(f.source)"))
            print(f.declaration)
        }
    }

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install parser files (ASIM YAML, Solutions' .txt/.kql) or directories of them; a file that does not parse is reported and skipped.")
        @OptionGroup var target: Target
        @Argument(help: "Files or directories (read recursively).") var paths: [String]

        func run() async throws {
            let (functions, problems, files) = FunctionInstaller.read(paths)
            for p in problems { FileHandle.standardError.write(Data(("skipped: " + p + "\n").utf8)) }
            var installed = 0
            if let api = target.api {
                for f in functions {
                    let body: [String: Any] = ["body": f.body, "aliases": f.aliases, "title": f.title, "category": f.category, "version": f.version, "source": f.source,
                                               "parameters": f.parameters.map { p -> [String: Any] in
                                                   var d: [String: Any] = ["name": p.name, "type": p.type]
                                                   if let v = p.defaultValue { d["defaultValue"] = v }
                                                   return d
                                               }]
                    _ = try await api.send("PUT", "/api/functions/" + f.name, json: body)
                    installed += 1
                }
            } else {
                let store = try WorkspaceSession.open(target.workspace)
                let out = try store.installFunctions(functions, by: "cli:" + NSUserName())
                installed = out.count
                for o in out where !o.replaced.isEmpty { print("\(o.name): replaces the earlier function of \(o.replaced.joined(separator: ", "))") }
            }
            print("\(installed) functions installed from \(files) files" + (problems.isEmpty ? "" : "; \(problems.count) skipped (above)"))
            if installed == 0 && !problems.isEmpty { throw ExitCode(1) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a workspace function and its aliases (a built-in parser of that name applies again).")
        @OptionGroup var target: Target
        @Argument(help: "The function's name or alias.") var name: String

        func run() async throws {
            if let api = target.api { _ = try await api.send("DELETE", "/api/functions/" + name) }
            else { try WorkspaceSession.open(target.workspace).removeFunction(name) }
            print("function \(name) removed")
        }
    }
}
