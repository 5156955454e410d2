import ArgumentParser
import Foundation
import KQL
import KQLSyntax
import VigilApp
import VigilStore

/// `vigil query`: run KQL over files or the workspace, print the result.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Run a KQL query.")

    @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
    @Option(help: "Fixed now() for the query, ISO 8601 (default: the current time).") var now: String?
    @Option(name: .customLong("param"), help: "Query parameter name=value (repeatable).") var params: [String] = []
    @Option(name: .customLong("table"), help: "Load a table from a file: Name=path.csv|.json (repeatable).") var tables: [String] = []
    @Option(help: "Output format: table, json, csv, ndjson.") var format: String = "table"
    @Flag(help: "Parse and bind only; exit 0 when the query is valid.") var parseOnly = false
    @Flag(help: "Print the executed plan.") var explain = false
    @Argument(help: "The query; read from standard input when omitted.") var query: String?

    func run() throws {
        guard let fmt = ResultFormatter.Format(rawValue: format) else { throw ValidationError("unknown format '\(format)'") }
        var text = query ?? ""
        if query == nil {
            var lines: [String] = []
            while let l = readLine(strippingNewline: false) { lines.append(l) }
            text = lines.joined()
        }
        var nowTicks: Int64
        if let n = now {
            guard let t = DateTimeParser.parse(n) else { throw ValidationError("--now: '\(n)' is not a datetime") }
            nowTicks = t
        } else {
            nowTicks = Int64(Date().timeIntervalSince1970 * 1e7)
        }
        var parameters: [String: Value] = [:]
        for p in params {
            guard let eq = p.firstIndex(of: "=") else { throw ValidationError("--param expects name=value") }
            parameters[String(p[..<eq])] = .string(String(p[p.index(after: eq)...]))
        }
        // The workspace provides the functions (its own and the shipped ASIM parsers).
        var mem = InMemoryTables(schemas: [:])
        for spec in tables {
            guard let eq = spec.firstIndex(of: "=") else { throw ValidationError("--table expects Name=path") }
            let name = String(spec[..<eq]), path = String(spec[spec.index(after: eq)...])
            let (t, report) = try TableLoader.load(path: path, table: name, schema: SchemaCatalog.known(name))
            for p in report.problems { FileHandle.standardError.write(Data(("warning: " + p + "\n").utf8)) }
            mem.add(name, t)
        }
        // Files given with --table sit in front of the workspace's tables. A query never creates a
        // workspace: without one it binds against the catalog and the shipped parsers alone.
        let base: any TableProvider = try WorkspaceSession.openIfPresent(workspace) ?? WorkspaceSession.catalogOnly()
        let runner = QueryRunner(provider: LayeredTables(top: mem, base: base), now: nowTicks, parameters: parameters)
        switch runner.run(text, parseOnly: parseOnly, explain: explain) {
        case .success(let results, let plan):
            if explain { print(plan.map { "  " + $0 }.joined(separator: "\n")) }
            if !parseOnly { print(ResultFormatter.render(results, as: fmt), terminator: "") }
        case .failure(let code, let message):
            FileHandle.standardError.write(Data((message + "\n").utf8))
            throw ExitCode(code)
        }
    }
}
