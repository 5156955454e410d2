import Agents
import Foundation
import KQL
import Testing
import VigilApp
import VigilCore
import VigilStore

/// Playbooks for real: a webhook posted to a running server on loopback (Vigil's own ingest
/// endpoint, which stores what it receives), a local command that reads the incident on its standard
/// input, a command that overruns its timeout, and the pipeline that runs them from automation rules.
@Suite(.serialized) struct PlaybookTests {
    static func incident() -> Incident {
        var inc = Incident(id: "0f5e2d6c-1111-4222-8333-944455556666", number: 7, title: "Brute force", severity: .medium, createdTime: 0)
        inc.entities = [Entity(type: .ip, properties: ["Address": "185.220.101.45"])]
        return inc
    }

    @Test func aWebhookPlaybookPostsTheIncidentToARealServer() async throws {
        // The playbook posts without a token: a receiver that takes anything.
        let s = try await ServeTests.Running(auth: "none")
        defer { Task { await s.stop() } }
        let p = AutomationRules.Playbook(name: "block-ip", target: .webhook("http://127.0.0.1:\(s.port)/api/ingest/Playbook_CL"), timeoutSeconds: 30)
        let o = await PlaybookRunner().run(p, incident: Self.incident())
        #expect(o.succeeded, "\(o.detail)")
        #expect(o.detail.hasPrefix("HTTP 200"))
        let rows = try await s.rows("Playbook_CL | project playbook, number = toint(incident.number), ip = tostring(incident.entities[0].properties.Address)")
        #expect(rows.count == 1)
        #expect(rows.first?[0] as? String == "block-ip" && rows.first?[1] as? Int == 7 && rows.first?[2] as? String == "185.220.101.45")
        // A server that is not there: a failure with the reason, not a crash.
        let down = await PlaybookRunner().run(AutomationRules.Playbook(name: "x", target: .webhook("http://127.0.0.1:9/none"), timeoutSeconds: 2), incident: Self.incident())
        #expect(!down.succeeded && down.detail.hasPrefix("the webhook failed"))
    }

    @Test func commandPlaybooksReadTheIncidentAndAreStoppedAtTheirTimeout() async throws {
        let out = NSTemporaryDirectory() + "vigil-playbook-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let ok = await PlaybookRunner().run(.init(name: "save", target: .command(["/bin/sh", "-c", "cat > \(out); echo saved"]), timeoutSeconds: 10), incident: Self.incident())
        #expect(ok.succeeded && ok.detail == "exit status 0: saved")
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("\"playbook\":\"save\""))
        let slow = await PlaybookRunner().run(.init(name: "slow", target: .command(["/bin/sleep", "30"]), timeoutSeconds: 1), incident: Self.incident())
        #expect(!slow.succeeded && slow.detail == "timed out after 1 s and was stopped")
        // Commands that ignore their input, large or not, are neither a crash nor a hang.
        var big = Self.incident()
        big.description = String(repeating: "x", count: 300_000)
        let ignores = await PlaybookRunner().run(.init(name: "ignores", target: .command(["/bin/true"]), timeoutSeconds: 5), incident: big)
        #expect(ignores.succeeded && ignores.detail == "exit status 0")
        let chatty = await PlaybookRunner().run(.init(name: "chatty", target: .command(["/bin/sh", "-c", "head -c 400000 /dev/zero | tr '\\0' a; echo"]), timeoutSeconds: 5), incident: big)
        #expect(chatty.succeeded && chatty.detail.hasPrefix("exit status 0: aaaa"))
        let stuck = await PlaybookRunner().run(.init(name: "stuck", target: .command(["/bin/sleep", "30"]), timeoutSeconds: 1), incident: big)
        #expect(!stuck.succeeded && stuck.detail == "timed out after 1 s and was stopped")
        let failing = await PlaybookRunner().run(.init(name: "f", target: .command(["/bin/sh", "-c", "echo no >&2; exit 3"]), timeoutSeconds: 5), incident: Self.incident())
        #expect(!failing.succeeded && failing.detail == "exit status 3: no")
    }

    /// Automation in the pipeline: a free playbook runs, a gated one waits for approval.
    @Test func automationRulesRunFreePlaybooksAndHoldTheOthers() throws {
        let path = NSTemporaryDirectory() + "vigil-automation-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try LogStore(workspace: Workspace.open(path))
        let marker = path + "/ran.txt"
        try FileManager.default.createDirectory(atPath: path + "/policies", withIntermediateDirectories: true)
        try ReviewPolicy.defaultText.replacingOccurrences(of: "playbooksWithoutApproval: []", with: "playbooksWithoutApproval: [note]")
            .write(toFile: path + "/policies/review.yaml", atomically: true, encoding: .utf8)
        try """
        playbooks:
          - {name: note, command: ["/bin/sh", "-c", "cat > \(marker)"]}
          - {name: disable-account, command: ["/bin/true"]}
        rules:
          - name: Every new incident
            trigger: incidentCreated
            actions: [{addLabel: automated}, {runPlaybook: note}, {runPlaybook: disable-account}]
        """.write(toFile: path + "/policies/automation.yaml", atomically: true, encoding: .utf8)
        let t = DateTimeParser.parse("2024-06-21T02:00:00Z")!
        let alert = AlertRecord(systemAlertID: "a1", ruleID: "r", name: "Brute force", severity: .medium, startTime: t, endTime: t, time: t,
                                entities: [Entity(type: .account, properties: ["FullName": "CONTOSO\\bob"])])
        _ = try IncidentPipeline(store: store, rules: []).process([alert], now: t + Ticks.perHour)
        let inc = try IncidentStore(store: store).get(number: 1)
        #expect(inc?.labels.map(\.labelName).contains("automated") == true)
        #expect(inc?.labels.map(\.labelName).contains("Playbook pending approval: disable-account") == true)
        #expect(inc?.comments.contains { $0.author == "automation" && $0.message.hasPrefix("Playbook note (automation rule 'Every new incident'): succeeded") } == true)
        #expect(FileManager.default.fileExists(atPath: marker))
        let audit = try IncidentStore(store: store).audit(incidentID: inc?.id ?? "")
        #expect(audit.map(\.actor) == ["producer-agent", "triage", "reviewer-agent", "automation"])
    }

    /// Automation that re-runs triage and writes the report: both on the stored incident, the
    /// report once per rule and incident however often the rule fires.
    @Test func automationRulesRunTriageAndTheReport() throws {
        let path = NSTemporaryDirectory() + "vigil-automation-report-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try LogStore(workspace: Workspace.open(path))
        try FileManager.default.createDirectory(atPath: path + "/policies", withIntermediateDirectories: true)
        try """
        rules:
          - name: Escalate and report
            trigger: incidentCreated
            actions: [{changeSeverity: High}, {runTriage: true}, {runReport: comment}]
          - name: Report on change
            trigger: incidentUpdated
            actions: [{runReport: comment}]
        """.write(toFile: path + "/policies/automation.yaml", atomically: true, encoding: .utf8)
        let t = DateTimeParser.parse("2024-06-21T02:00:00Z")!
        let alert = AlertRecord(systemAlertID: "a1", ruleID: "r", name: "Brute force", severity: .medium, startTime: t, endTime: t, time: t,
                                entities: [Entity(type: .account, properties: ["FullName": "CONTOSO\\bob"])])
        var pipeline = IncidentPipeline(store: store, rules: [])
        pipeline.model = nil
        _ = try pipeline.process([alert], now: t + Ticks.perHour)
        let inc = try #require(try IncidentStore(store: store).get(number: 1))
        #expect(inc.severity == .high)
        let reports = inc.comments.filter { $0.author == "report" }
        #expect(reports.count == 1)
        #expect(reports.first?.message.hasPrefix("<h1>Incident 1: ") == true && reports.first?.message.contains("<h2>Follow-up actions</h2>") == true)
        #expect(inc.labels.contains { $0.labelName == "Vigil Report" })
        let audit = try IncidentStore(store: store).audit(incidentID: inc.id)
        #expect(audit.map(\.actor) == ["producer-agent", "triage", "reviewer-agent", "automation", "triage", "report"])
        // Another alert on the same account updates the incident: the update rule reports it once.
        let second = AlertRecord(systemAlertID: "a2", ruleID: "r", name: "Brute force", severity: .medium, startTime: t + Ticks.perHour, endTime: t + Ticks.perHour,
                                 time: t + Ticks.perHour, entities: [Entity(type: .account, properties: ["FullName": "CONTOSO\\bob"])])
        _ = try pipeline.process([second], now: t + 2 * Ticks.perHour)
        _ = try pipeline.automate([try #require(try IncidentStore(store: store).get(number: 1))], created: [], now: t + 3 * Ticks.perHour)
        let after = try #require(try IncidentStore(store: store).get(number: 1))
        #expect(after.alerts.count == 2)
        #expect(after.comments.filter { $0.author == "report" }.count == 2)
    }
}
