import ArgumentParser
import Detection
import Foundation
import KQL
import VigilApp
import VigilStore

/// `vigil rules`: analytics rules in Sentinel's format.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "Work with analytics rules.", subcommands: [Validate.self, Status.self])

    /// `vigil rules status`: health of every rule that has run (runs, failures, rows, alerts, durations).
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show rule health from the run log.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Option(help: "Output format: table or json.") var format: String = "table"

        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let health = try RuleRunLog(db: store.db).health()
            let names = ["Rule", "Runs", "Failures", "Backfills", "Rows", "Alerts", "MeanMs", "MaxMs", "LastRun", "LastError"]
            let types: [KQLType] = [.string, .long, .long, .long, .long, .long, .real, .real, .datetime, .string]
            let rows: [[Value]] = health.map { h in
                [.string(h.ruleName), .long(Int64(h.runs)), .long(Int64(h.failures)), .long(Int64(h.backfills)), .long(Int64(h.resultRows)),
                 .long(Int64(h.alerts)), .real((h.meanMillis * 10).rounded() / 10), .real((h.maxMillis * 10).rounded() / 10), .datetime(h.lastRun),
                 .string(h.lastError ?? "")]
            }
            let t = Table.from(schema: Schema(zip(names, types).map { ColumnSchema($0, $1) }), rows: rows)
            print(ResultFormatter.render([ResultTable(name: "rules", table: t)], as: format == "json" ? .json : .table), terminator: "")
        }
    }

    /// `vigil rules validate DIR|FILE...`: every problem of every rule as `file:line: code message`.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lint rule files (YAML or ARM JSON); exit 1 when any has an error.")
        @Option(help: "Workspace directory whose tables (custom ones included) the queries bind against.") var workspace: String?
        @Flag(help: "Also print warnings.") var warnings = false
        @Argument(help: "Rule files or directories (searched recursively for .yaml, .yml, .json).") var paths: [String]

        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let validator = RuleValidator(catalog: store, now: Int64(Date().timeIntervalSince1970 * 1e7))
            var files: [String] = []
            for p in paths {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { throw ValidationError("\(p) does not exist") }
                if isDir.boolValue {
                    files += DetectReplay.ruleFiles(in: p)
                } else {
                    files.append(p)
                }
            }
            files.sort()
            var rules = 0, bad = 0, unreadable = 0
            for f in files {
                let text: String
                do { text = try String(contentsOfFile: f, encoding: .utf8) } catch { print("\(f):1: VGR1000 cannot read the file: \(error.localizedDescription)"); unreadable += 1; continue }
                let (parsed, diags) = RuleParser.parse(text, file: f)
                for d in diags { print(d) }
                if parsed.isEmpty { unreadable += 1; continue }
                for p in parsed {
                    rules += 1
                    let problems = validator.validate(p).filter { warnings || $0.severity == .error }
                    for d in problems { print(d) }
                    if problems.contains(where: { $0.severity == .error }) { bad += 1 }
                }
            }
            print("\(rules) rules in \(files.count) files: \(rules - bad) valid, \(bad) with errors" + (unreadable > 0 ? "; \(unreadable) files hold no rule" : ""))
            if bad + unreadable > 0 { throw ExitCode(1) }
        }
    }
}
