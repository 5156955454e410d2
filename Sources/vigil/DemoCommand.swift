import ArgumentParser
import Foundation
import Reports
import VigilApp
import VigilCore
import VigilStore

/// `vigil demo`: the whole of Vigil on a month of synthetic logs, in one command.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Generate a month of logs with injected attacks and run the whole pipeline on them.",
        discussion: "Creates a fresh workspace (default ./vigil-demo), ingests synthetic SecurityEvent and SigninLogs, runs the rule pack day by day, drafts, triages and reviews incidents, and reports the riskiest. Nothing leaves the machine.")
    @Option(help: "Workspace directory to create.") var workspace: String = "vigil-demo"
    @Option(help: "A rule directory to use instead of the built-in pack.") var rules: String?
    @Flag(help: "Replace the workspace if it exists.") var force = false

    func run() throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: workspace) {
            guard force else { throw ValidationError("\(workspace) exists; pass --force to replace it, or --workspace DIR") }
            try fm.removeItem(atPath: workspace)
        }
        let started = Date()
        let log: (String) -> Void = { print("  " + $0) }
        print("Vigil demo: a month of synthetic logs (2024-05-31 to 2024-06-30) with four injected attacks")
        let r = try Demo(directory: workspace, rules: rules, log: log).run()
        print("\nInjected:")
        for s in r.scenarios { print("  - " + s) }
        let h = r.history
        print("\nDetection: \(h.runs) rule runs, \(h.alerts) alerts, \(h.anomalies) anomalies -> \(r.incidents.count) incidents")
        var verdicts: [String: Int] = [:]
        for i in r.incidents { verdicts[i.review?.outcome.rawValue ?? "none", default: 0] += 1 }
        print("Reviewer: " + ["approve", "flag", "autoClose"].map { "\($0) \(verdicts[$0] ?? 0)" }.joined(separator: ", ")
              + " (auto-closed ones are low-risk and reversible: vigil incidents reopen N)")
        let open = r.incidents.filter { $0.status != .closed }.sorted { ($0.riskScore?.total ?? 0, -$0.number) > ($1.riskScore?.total ?? 0, -$1.number) }
        print("\nOpen incidents, riskiest first:")
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func left(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        print("  " + [pad("#", 5), left("score", 5), pad("severity", 8), pad("verdict", 9), left("alerts", 6), "title"].joined(separator: "  "))
        for i in open.prefix(12) {
            print("  " + [pad("\(i.number)", 5), left("\(i.riskScore?.total ?? 0)", 5), pad(i.severity.rawValue, 8), pad(i.review?.outcome.rawValue ?? "-", 9),
                          left("\(i.alerts.count)", 6), String(i.title.prefix(90))].joined(separator: "  "))
        }
        if open.count > 12 { print("  ... and \(open.count - 12) more (vigil incidents list --workspace \(workspace))") }
        if let top = r.report.items.first {
            print("\nThe riskiest incident's report (added to it as a comment, tagged 'Vigil Report'):\n")
            print(ReportRenderer.markdown(top.report))
        }
        print(String(format: "Done in %.0f s. Next:", Date().timeIntervalSince(started)))
        print("  vigil incidents list --workspace \(workspace)          the queue")
        print("  vigil report N --workspace \(workspace)                any incident's report (md, html, json)")
        print("  vigil query --workspace \(workspace) --now 2024-06-30T00:00:00Z 'SecurityIncident | summarize arg_max(TimeGenerated, *) by IncidentNumber | count'")
        print("  vigil serve --workspace \(workspace)                   the API on http://127.0.0.1:8080 (rules, digest and outbox run live)")
    }
}
