import ArgumentParser
import Detection
import Foundation
import KQL
import VigilApp
import VigilStore
import VigilCore
import VigilServer

/// `vigil rules`: analytics rules in Sentinel's format.
struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "Work with analytics rules.",
                                                    subcommands: [Validate.self, Test.self, Status.self, Tune.self, List.self, Show.self, Install.self, Remove.self, Update.self])

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1e7) }

    /// `vigil rules list`: the workspace's (or a server's) rules with their health.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The rules of a workspace or server, with their health.")
        @OptionGroup var target: Target
        func run() async throws {
            let data: Data
            if let api = target.api { data = try await api.send("GET", "/api/rules") } else {
                data = try AdminActions.make(store: try WorkspaceSession.open(target.workspace), clock: { RulesCommand.now }).rules()
            }
            for r in ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["value"] as? [[String: Any]] ?? [] {
                let h = r["health"] as? [String: Any] ?? [:]
                print("\(r["name"] as? String ?? "")\t\(r["kind"] as? String ?? "")\t\(r["severity"] as? String ?? "")\t\((r["enabled"] as? Bool ?? true) ? "enabled" : "disabled")\t"
                      + "runs \(h["runs"] as? Int ?? 0), failures \(h["failures"] as? Int ?? 0), alerts \(h["alerts"] as? Int ?? 0)\t\(r["file"] as? String ?? "")")
            }
        }
    }

    /// `vigil rules install FILE`: a rule file validated and put in the rule directory (the scheduler reloads it).
    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a rule file and install it in the workspace's (or server's) rule directory.")
        @OptionGroup var target: Target
        @Option(help: "Who installs it (audit trail; a server records the token's name).") var by: String = NSUserName()
        @Argument(help: "The rule file (Sentinel YAML or ARM JSON).") var file: String
        func run() async throws {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let name = (file as NSString).lastPathComponent
            if let api = target.api {
                let data = try await api.send("PUT", "/api/rules/" + (name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name), body: Data(text.utf8), contentType: "application/yaml")
                print("installed \(name): " + ((((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["rules"] as? [String]) ?? []).joined(separator: ", "))
                return
            }
            let names = try AdminActions.make(store: try WorkspaceSession.open(target.workspace), clock: { RulesCommand.now }).putRule(name, text, "cli:\(by)")
            print("installed \(name): " + names.joined(separator: ", "))
        }
    }

    /// `vigil rules show NAME [--kql]`: one rule of the workspace (by file, id or name), as Vigil runs
    /// it; `--kql` prints only its query (for a Sigma rule, the KQL it became).
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a rule of the workspace as Vigil runs it (--kql: only the query).")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Flag(help: "Print only the KQL query.") var kql = false
        @Argument(help: "The rule's file name, id or name, or a rule file's path.") var rule: String

        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let files = FileManager.default.fileExists(atPath: rule) ? [rule] : DetectReplay.ruleFiles(in: store.workspace.rulesDirectory)
            for f in files {
                guard let text = try? String(contentsOfFile: f, encoding: .utf8) else { continue }
                let (parsed, diags) = RuleParser.parse(text, file: f)
                if files.count == 1, parsed.isEmpty { for d in diags { print(d) }; throw ExitCode(1) }
                for p in parsed where files.count == 1 || (f as NSString).lastPathComponent == rule || p.rule.id == rule || p.rule.name == rule {
                    if kql { print(p.rule.query); return }
                    let r = p.rule
                    print("\(r.name)\nid: \(r.id)\nfile: \(f)\nkind: \(r.kind), severity: \(r.severity.rawValue), every \(RuleDuration.format(r.queryFrequency)) over \(RuleDuration.format(r.queryPeriod))")
                    print("tactics: \(r.tactics.map(\.rawValue).joined(separator: ", ")); techniques: \(r.techniques.joined(separator: ", "))")
                    if !r.description.isEmpty { print("\n" + r.description) }
                    print("\n" + r.query)
                    return
                }
            }
            throw ValidationError("no rule '\(rule)' in \(store.workspace.rulesDirectory)")
        }
    }

    /// `vigil rules update`: the workspace's copy of the built-in pack brought to the binary's version.
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring the workspace's built-in rules (Vigil's pack and the Sigma set in rules/sigma) to this binary's version.",
            discussion: "Rules you edited are kept as they are; rules you only disabled get the new version and stay disabled; rules you deleted are not restored; rules the pack dropped are removed unless you edited them.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Flag(help: "Report what would change without writing.") var dryRun = false
        @Flag(help: "List every file by outcome.") var verbose = false
        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            for r in try RulePackInstaller.updateAll(rulesDirectory: store.workspace.rulesDirectory, dryRun: dryRun) {
                print((dryRun ? "would update " : "") + r.summary)
                let lists: [(String, [String])] = [("added", r.added), ("updated", r.updated), ("kept (changed locally)", r.keptChanged),
                                                   ("not restored (removed locally)", r.keptRemoved), ("retired", r.retired)] + (verbose ? [("unchanged", r.unchanged)] : [])
                for (label, files) in lists where !files.isEmpty && (verbose || label != "added" || files.count <= 10) {
                    print("  \(label): " + files.joined(separator: ", "))
                }
            }
        }
    }

    /// `vigil rules remove NAME`: a rule file out of the rule directory.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a rule file from the workspace's (or server's) rule directory.")
        @OptionGroup var target: Target
        @Option(help: "Who removes it (audit trail).") var by: String = NSUserName()
        @Argument(help: "The rule file's name.") var name: String
        func run() async throws {
            if let api = target.api {
                _ = try await api.send("DELETE", "/api/rules/" + (name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name))
            } else {
                try AdminActions.make(store: try WorkspaceSession.open(target.workspace), clock: { RulesCommand.now }).deleteRule(name, "cli:\(by)")
            }
            print("removed \(name)")
        }
    }

    /// `vigil rules status`: health of every rule that has run (runs, failures, rows, alerts, durations).
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show rule health from the run log.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Option(help: "Output format: table or json.") var format: String = "table"

        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let health = try RuleRunLog(db: store.stateBackend).health()
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

    /// Rule files named on the command line, directories searched recursively, sorted.
    static func files(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { throw ValidationError("\(p) does not exist") }
            files += isDir.boolValue ? DetectReplay.ruleFiles(in: p) : [p]
        }
        return files.sorted()
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
            let files = try RulesCommand.files(paths)
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

    /// `vigil rules tune FILE --from --to`: what thresholds the rule's history supports.
    struct Tune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay one rule over history and propose thresholds with the alert volume each would have produced.",
            discussion: "Scheduled and NRT rules: the current threshold, percentiles of the result counts, and the learned (dynamic) trigger. Anomaly rules: the anomaly volume for each value of --parameter name=v1,v2,...")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Option(help: "Start of the span (ISO 8601).") var from: String
        @Option(help: "End of the span (ISO 8601).") var to: String
        @Option(help: "Ingestion delay subtracted from each window (Sentinel: 5m).") var delay: String = "5m"
        @Option(help: "Anomaly rules: a parameter and the values to try, as name=v1,v2,v3.") var parameter: String?
        @Argument(help: "The rule file.") var file: String

        func run() throws {
            guard let f = DateTimeParser.parse(from), let t = DateTimeParser.parse(to), f <= t else { throw ValidationError("--from and --to must be datetimes, from <= to") }
            guard let d = RuleDuration.parse(delay) else { throw ValidationError("--delay: '\(delay)' is not a duration") }
            let store = try WorkspaceSession.open(workspace)
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let (parsed, diags) = RuleParser.parse(text, file: file)
            let problems = diags + parsed.flatMap { RuleValidator(catalog: store, now: t).validate($0) }.filter { $0.severity == .error }
            guard problems.isEmpty, let rule = parsed.first?.rule else {
                problems.forEach { print($0) }
                throw ExitCode(1)
            }
            var name: String?, values: [String] = []
            if let p = parameter {
                let parts = p.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, rule.parameters.contains(where: { $0.key == parts[0] }) else {
                    throw ValidationError("--parameter: '\(p)' is not name=v1,v2 for one of the rule's parameters (\(rule.parameters.map(\.key).joined(separator: ", ")))")
                }
                name = parts[0]; values = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            let report = RuleTuner(store: store, delay: d).tune(rule, from: f, to: t, parameter: name, values: values)
            print("\(rule.name): \(report.runs) runs from \(DateTimeMath.format(f)) to \(DateTimeMath.format(t))" + (report.failedRuns > 0 ? ", \(report.failedRuns) failed" : ""))
            let table: Table
            if rule.kind == .anomaly {
                table = Table.from(schema: Schema([ColumnSchema(name ?? "parameters", .string), ColumnSchema("Anomalies", .long), ColumnSchema("Entities", .long)]),
                                   rows: report.parameterTrials.map { [.string($0.value.isEmpty ? "as written" : $0.value), .long(Int64($0.anomalies)), .long(Int64($0.entities))] })
            } else {
                table = Table.from(schema: Schema([ColumnSchema("Threshold", .string), ColumnSchema("Value", .string), ColumnSchema("FiringRuns", .long), ColumnSchema("Alerts", .long)]),
                                   rows: report.proposals.map { [.string($0.label), .string($0.threshold.map { "\(rule.triggerOperator.rawValue) \($0)" } ?? "learned"),
                                                                 .long(Int64($0.firingRuns)), .long(Int64($0.alerts))] })
            }
            print(ResultFormatter.render([ResultTable(name: "tune", table: table)], as: .table), terminator: "")
        }
    }

    /// `vigil rules test DIR|FILE...`: each rule against its fixtures (`tests/<Rule>.test.yaml`).
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run rules against their positive and negative fixture rows; exit 1 when any fails.")
        @Option(help: "Workspace directory whose catalog (custom tables included) the queries bind against.") var workspace: String?
        @Flag(help: "Print every case, not only failures.") var verbose = false
        @Argument(help: "Rule files or directories (default: the workspace's rule directory).") var paths: [String] = []

        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let results = RulePackTest.run(files: try RulesCommand.files(paths.isEmpty ? [store.workspace.rulesDirectory] : paths), catalog: store, now: Int64(Date().timeIntervalSince1970 * 1e7))
            var cases = 0, failedCases = 0
            for r in results {
                let mark = r.passed ? "ok  " : "FAIL"
                print("\(mark) \(r.file) (\(r.rule))")
                if let p = r.problem { print("     \(p)") }
                for c in r.cases where verbose || !c.passed {
                    print("     \(c.passed ? "ok  " : "FAIL") \(c.name): \(c.detail)")
                }
                cases += r.cases.count
                failedCases += r.cases.filter { !$0.passed }.count
            }
            let failed = results.filter { !$0.passed }.count
            print("\(results.count) rules, \(cases) cases: \(results.count - failed) rules passed, \(failed) failed (\(failedCases) failing cases)")
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
