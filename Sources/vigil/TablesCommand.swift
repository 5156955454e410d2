import ArgumentParser
import Foundation
import Ingestion
import KQL
import VigilApp
import VigilStore

/// `vigil tables`: the workspace's tables (Sentinel's catalog, connectors', custom ones), custom
/// tables declared ahead of their data, and dropping a table's data. On a workspace or a server.
struct TablesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tables", abstract: "List, create and drop tables.",
                                                    subcommands: [List.self, Show.self, Create.self, Drop.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Tables holding data, with rows, extents, bytes and time range (--all: every known table).")
        @OptionGroup var target: Target
        @Flag(help: "Also list the empty tables of the catalog (Sentinel's built-in and connector tables).") var all = false
        @Option(help: "Output format: table or json.") var format: String = "table"

        func run() async throws {
            var rows: [[Value]] = []
            if let api = target.api {
                for t in (try await api.object("GET", "/api/tables" + (all ? "?all=true" : "")))["value"] as? [[String: Any]] ?? [] {
                    func n(_ k: String) -> Value { .long(Int64(t[k] as? Int ?? 0)) }
                    func d(_ k: String) -> Value { (t[k] as? String).flatMap(DateTimeParser.parse).map { .datetime($0) } ?? .null }
                    rows.append([.string(t["name"] as? String ?? ""), .string(t["kind"] as? String ?? ""), n("rows"), n("extents"), n("unsealedRows"), n("bytes"), d("from"), d("to")])
                }
            } else {
                let store = try WorkspaceSession.open(target.workspace)
                var infos = store.tableInfos()
                if all {
                    let have = Set(infos.map(\.name))
                    for t in store.tableNames() where !have.contains(t) {
                        infos.append(LogStore.TableInfo(name: t, custom: !store.isBuiltIn(t), rows: 0, extents: 0, pendingRows: 0, bytes: 0))
                    }
                    infos.sort { $0.name < $1.name }
                }
                rows = infos.map { i in
                    [.string(i.name), .string(TablesCommand.kind(i.name, store)), .long(Int64(i.rows)), .long(Int64(i.extents)), .long(Int64(i.pendingRows)),
                     .long(Int64(i.bytes)), i.minTime.map { .datetime($0) } ?? .null, i.maxTime.map { .datetime($0) } ?? .null]
                }
            }
            let cols = ["Table", "Kind", "Rows", "Extents", "Unsealed", "Bytes", "From", "To"]
            let schema = Schema(zip(cols, [KQLType.string, .string, .long, .long, .long, .long, .datetime, .datetime]).map { ColumnSchema($0, $1) })
            print(ResultFormatter.render([ResultTable(name: "tables", table: Table.from(schema: schema, rows: rows))], as: format == "json" ? .json : .table), terminator: "")
        }
    }

    static func kind(_ name: String, _ store: LogStore) -> String {
        if SchemaCatalog.builtIn[name] != nil { return "built-in" }
        if SchemaCatalog.connectors[name] != nil { return "connector" }
        return store.isDeclared(name) ? "custom (declared)" : "custom"
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A table's columns and types.")
        @OptionGroup var target: Target
        @Argument(help: "The table.") var name: String

        func run() async throws {
            if let api = target.api {
                let t = try await api.object("GET", "/api/tables/" + name)
                print("\(name) (\(t["kind"] as? String ?? ""))")
                for c in t["columns"] as? [[String: Any]] ?? [] { print("  \(c["name"] as? String ?? ""): \(c["type"] as? String ?? "")") }
                return
            }
            let store = try WorkspaceSession.open(target.workspace)
            guard let s = store.schema(of: name) else {
                throw StoreError.notFound("table '\(name)'" + NameSuggestion.didYouMean(name, among: store.tableNames()))
            }
            print("\(name) (\(TablesCommand.kind(name, store)))")
            for c in s.columns { print("  \(c.name): \(c.type.rawValue)") }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a custom table (NAME_CL) from declared columns, as a data collection rule does.",
            discussion: """
            --schema takes a JSON list of columns ([{"name": "Src", "type": "string"}, ...]), {"columns": [...]}, a Log Analytics table \
            resource or a data collection rule; or sample records (JSON or CSV) to infer the columns from. Fields that ingested records \
            carry beyond the declared columns are dropped, with a warning.
            """)
        @OptionGroup var target: Target
        @Option(help: "The columns: a JSON schema document, or sample records to infer from.") var schema: String
        @Argument(help: "The table name, ending in _CL.") var name: String

        func run() async throws {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: schema)))
            var columns: [ColumnSchema]
            var inferred = false
            do {
                if let declared = try TableDeclaration.columns(fromSchemaDocument: bytes) {
                    columns = declared
                } else {
                    let format = bytes.withUnsafeBufferPointer { LogFormat.detect(name: schema, head: UnsafeBufferPointer(rebasing: $0[0..<min($0.count, 1 << 16)])) }
                    guard let format, format == .json || format == .csv else {
                        throw ValidationError("\(schema): neither a column list nor JSON or CSV sample records")
                    }
                    columns = try bytes.withUnsafeBufferPointer { try TableDeclaration.columns(inferredFrom: $0, format: format, table: name) }
                    inferred = true
                }
            } catch let e as IngestionError { throw ValidationError("\(schema): \(e.description)") }
            if let api = target.api {
                _ = try await api.send("PUT", "/api/tables/" + name, json: ["columns": columns.map { ["name": $0.name, "type": $0.type.rawValue] }])
                columns = try TableDeclaration.validate(name: name, columns: columns)
            } else {
                columns = try WorkspaceSession.open(target.workspace).createTable(name, columns: columns).columns
            }
            print("table \(name) created with \(columns.count) columns" + (inferred ? " inferred from the sample" : "") + ":")
            for c in columns { print("  \(c.name): \(c.type.rawValue)") }
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop a table's data (and a custom table's columns); built-in tables cannot be dropped.")
        @OptionGroup var target: Target
        @Argument(help: "The table.") var name: String

        func run() async throws {
            if let api = target.api {
                _ = try await api.send("DELETE", "/api/tables/" + name)
                print("table \(name) dropped")
                return
            }
            let rows = try WorkspaceSession.open(target.workspace).dropTable(name)
            print("table \(name) dropped (\(rows) rows)")
        }
    }
}
