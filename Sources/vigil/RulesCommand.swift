import ArgumentParser
import Detection
import Foundation
import KQL
import VigilApp
import VigilStore

/// `vigil rules`: analytics rules in Sentinel's format.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "Work with analytics rules.", subcommands: [Validate.self])

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
