import ArgumentParser
import Foundation
import KQL
import VigilApp
import VigilStore

/// `vigil tables`: tables holding data, with row counts, time ranges and storage.
struct TablesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tables", abstract: "List the workspace's tables.")
    @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
    @Flag(help: "Also list the empty built-in Sentinel tables of the catalog.") var all = false
    @Option(help: "Output format: table or json.") var format: String = "table"

    func run() throws {
        let store = try WorkspaceSession.open(workspace)
        var infos = store.tableInfos()
        if all {
            let have = Set(infos.map(\.name))
            for t in store.tableNames() where !have.contains(t) {
                infos.append(LogStore.TableInfo(name: t, custom: !store.isBuiltIn(t), rows: 0, extents: 0, pendingRows: 0, bytes: 0))
            }
            infos.sort { $0.name < $1.name }
        }
        let cols = ["Table", "Kind", "Rows", "Extents", "Unsealed", "Bytes", "From", "To"]
        let rows: [[Value]] = infos.map { i in
            [.string(i.name), .string(i.custom ? "custom" : "built-in"), .long(Int64(i.rows)), .long(Int64(i.extents)), .long(Int64(i.pendingRows)),
             .long(Int64(i.bytes)), i.minTime.map { .datetime($0) } ?? .null, i.maxTime.map { .datetime($0) } ?? .null]
        }
        let schema = Schema(zip(cols, [KQLType.string, .string, .long, .long, .long, .long, .datetime, .datetime]).map { ColumnSchema($0, $1) })
        let t = ResultTable(name: "tables", table: Table.from(schema: schema, rows: rows))
        print(ResultFormatter.render([t], as: format == "json" ? .json : .table), terminator: "")
    }
}
