import ArgumentParser
import Detection
import Foundation
import KQL
import VigilApp
import VigilCore
import Triage
import VigilStore

/// `vigil triage N`: the evidence modules and the risk score on one incident, on demand. Re-running
/// replaces the earlier findings and label instead of adding to them.
struct TriageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "triage", abstract: "Gather evidence on an incident's entities and score it (Risk Score - N).")
    @OptionGroup var target: Target
    @Option(help: "The time the evidence is gathered at (ISO 8601; default: now). Set it to replay old data.") var now: String?
    @Option(help: "How far back the modules look.") var lookback: String = "14d"
    @Option(help: "md (the comments as stored) or html (STAT's HTML tables).") var format: String = "md"
    @Argument(help: "The incident number.") var number: Int

    func run() async throws {
        if let api = target.api {
            // The server triages at its own clock; the comments come back with the incident.
            _ = try await api.send("POST", "/api/incidents/\(number)/triage")
            for c in (try await api.object("GET", "/api/incidents/\(number)/comments"))["value"] as? [[String: Any]] ?? [] {
                let p = c["properties"] as? [String: Any] ?? [:]
                if ((p["author"] as? [String: Any])?["name"] as? String ?? "").hasPrefix("triage") { print((p["message"] as? String ?? "") + "\n") }
            }
            return
        }
        let store = try WorkspaceSession.open(target.workspace)
        guard let inc = try IncidentStore(store: store).get(number: number) else { throw StoreError.notFound("no incident \(number)") }
        let t = try now.map { s -> Int64 in guard let v = DateTimeParser.parse(s) else { throw ValidationError("--now: '\(s)' is not a datetime") }; return v }
            ?? Int64(Date().timeIntervalSince1970 * 1e7)
        guard let l = RuleDuration.parse(lookback) else { throw ValidationError("--lookback: '\(lookback)' is not a duration") }
        guard ["md", "html"].contains(format) else { throw ValidationError("--format is md or html") }
        var html: [String] = []
        let done = try IncidentPipeline(store: store, rules: []).triage([inc], now: t, lookback: l) { _, reports in html = reports.map(\.html) }
        guard let out = done[inc.id] else { return }
        if format == "html" {
            for h in html { print(h) }
            if let s = out.riskScore { print(TriageRunner.htmlScoreComment(s)) }
            return
        }
        for c in out.comments where c.author.hasPrefix("triage") { print(c.message + "\n") }
    }
}
