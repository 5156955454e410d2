import ArgumentParser
import Detection
import Foundation
import KQL
import VigilApp
import VigilStore

/// The options `vigil detect` and `vigil run` share, and the replay they describe.
struct ReplayOptions: ParsableArguments {
    @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
    @Option(help: "Start of the span (ISO 8601): the first runs happen here.") var from: String
    @Option(help: "End of the span (ISO 8601).") var to: String
    @Option(help: "Rule directory (default: the workspace's rules/).") var rules: String?
    @Option(help: "Ingestion delay subtracted from each window (Sentinel: 5m).") var delay: String = "5m"
    @Flag(help: "NRT rules read rows by TimeGenerated, as if each row had been ingested when it was generated (for history loaded in bulk).") var asGenerated = false

    /// The workspace's store and the replay of its (valid) rules; skipped rules are reported on stderr.
    func replay() throws -> (replay: DetectReplay, from: Int64, to: Int64) {
        guard let f = DateTimeParser.parse(from), let t = DateTimeParser.parse(to), f <= t else { throw ValidationError("--from and --to must be datetimes, from <= to") }
        guard let d = RuleDuration.parse(delay) else { throw ValidationError("--delay: '\(delay)' is not a duration") }
        let store = try WorkspaceSession.open(workspace)
        let dir = rules ?? store.workspace.root.appendingPathComponent("rules").path
        let loaded = try DetectReplay.loadRules(dir, validator: RuleValidator(catalog: store, now: t)) { d in
            FileHandle.standardError.write(Data("skipped: \(d)\n".utf8))
        }
        var replay = DetectReplay(store: store, rules: loaded, delay: d)
        replay.nrtByTimeGenerated = asGenerated
        return (replay, f, t)
    }
}
