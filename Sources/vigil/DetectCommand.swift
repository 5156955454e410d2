import ArgumentParser
import Detection
import Foundation
import KQL
import VigilApp
import VigilStore

/// `vigil detect --from T1 --to T2`: replays the rules' schedule over stored history.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "detect", abstract: "Run analytics rules over a span of history, deterministically.")
    @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
    @Option(help: "Start of the span (ISO 8601): the first runs happen here.") var from: String
    @Option(help: "End of the span (ISO 8601).") var to: String
    @Option(help: "Rule directory (default: the workspace's rules/).") var rules: String?
    @Option(help: "Ingestion delay subtracted from each window (Sentinel: 5m).") var delay: String = "5m"
    @Flag(help: "Print the alerts and anomalies without storing them.") var dryRun = false
    @Flag(help: "NRT rules read rows by TimeGenerated, as if each row had been ingested when it was generated (for history loaded in bulk).") var asGenerated = false

    func run() throws {
        guard let f = DateTimeParser.parse(from), let t = DateTimeParser.parse(to), f <= t else { throw ValidationError("--from and --to must be datetimes, from <= to") }
        guard let d = RuleDuration.parse(delay) else { throw ValidationError("--delay: '\(delay)' is not a duration") }
        let store = try WorkspaceSession.open(workspace)
        let dir = rules ?? store.workspace.root.appendingPathComponent("rules").path
        let loaded = try DetectReplay.loadRules(dir, validator: RuleValidator(catalog: store, now: t)) { d in
            FileHandle.standardError.write(Data("skipped: \(d)\n".utf8))
        }
        var replay = DetectReplay(store: store, rules: loaded, delay: d)
        replay.nrtByTimeGenerated = asGenerated
        let result = replay.run(from: f, to: t)
        print(DetectReplay.ndjson(result.alerts), terminator: "")
        print(DetectReplay.ndjson(result.anomalies), terminator: "")
        let failed = result.outcomes.filter { $0.error != nil }
        for o in failed { FileHandle.standardError.write(Data("run of \(o.run.ruleID) at \(DateTimeMath.format(o.run.runTime)) failed: \(o.error!)\n".utf8)) }
        if !dryRun {
            try replay.storeAlerts(result.alerts)
            try replay.storeAnomalies(result.anomalies)
            try replay.recordRuns(result.outcomes)
        }
        FileHandle.standardError.write(Data("\(loaded.count) rules, \(result.outcomes.count) runs, \(result.alerts.count) alerts, \(result.anomalies.count) anomalies, \(failed.count) failed runs\n".utf8))
    }
}
