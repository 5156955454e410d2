import Foundation
import KQL
import Reports
import Testing
import VigilCore

/// The incident report: its sections from the evidence, byte-for-byte reproducible, golden in each
/// format, and grounded (a model's summary is kept only when the checker accepts it).
@Suite struct ReportTests {
    static func golden(_ name: String, _ text: String) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens/\(name)").path
        if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] != nil { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == expected, "\(name) differs from its golden file (UPDATE_GOLDENS=1 swift test --filter ReportTests to accept)")
    }

    @Test func goldenReportsInEveryFormat() throws {
        let r = ReportBuilder().build(ReportFixtures.input())
        try Self.golden("multi-stage.md", ReportRenderer.markdown(r))
        try Self.golden("multi-stage.html", ReportRenderer.html(r))
        try Self.golden("multi-stage.json", ReportRenderer.json(r) + "\n")
    }

    @Test func theSectionsSayWhatHappenedInKillChainOrder() {
        let r = ReportBuilder().build(ReportFixtures.input())
        #expect(r.title.hasPrefix("Multi-stage incident"))
        #expect(r.summary.timeline.map(\.tactic) == ["Initial Access", "Execution", "Credential Access"])
        // Each alert once, under the first tactic its rule lists.
        #expect(r.summary.timeline[0].steps.map(\.alert) == ["Successful sign-in after a password spray"])
        #expect(r.summary.timeline[2].steps.map(\.alert) == ["Password spray against Entra ID", "Sign-in failures per user anomaly"])
        #expect(r.summary.timeline[1].steps[0].entities == ["bob@contoso.com", "WS-042.corp.contoso.com"])
        #expect(r.summary.duration == "1 h 30 min")
        #expect(r.details.analysts == ["alice@contoso.com", "Tier 2"])
        #expect(r.details.agents == ["producer-agent", "triage", "reviewer-agent", "automation"])
        #expect(r.remediation.map(\.text) == ["Playbook block-ip (automation rule 'Block TI addresses'): succeeded, HTTP 200"])
        #expect(r.followUp.first == "Approve or reject playbook disable-account (vigil incidents approve 42 --playbook disable-account).")
        #expect(r.followUp.contains("Manual review requested by Tier 2: the reviewer agent did not approve or close it automatically."))
        #expect(r.followUp.contains { $0.hasPrefix("Reset the credentials of bob@contoso.com") })
        #expect(r.investigation.contains { $0.text == "Threat intelligence: 185.220.101.45 is a known Botnet indicator (confidence 80)" })
        #expect(r.investigation.contains { $0.text == "Watchlists: nothing found" })
        #expect(r.investigation.contains { $0.actor == "alice@contoso.com" && $0.text.hasPrefix("Comment: Called bob") })
        #expect(r.riskScore?.contributions.first == "Related alerts: 60 (4 related alerts across 3 tactics)")
    }

    @Test func theSameIncidentGivesTheSameReportEvenAfterItWasReported() {
        let input = ReportFixtures.input()
        let first = ReportBuilder().build(input)
        var again = input
        again.incident.comments.append(.init(id: "r", message: ReportRenderer.html(first), author: ReportBuilder.author, createdTime: ReportFixtures.t0 + 200 * ReportFixtures.minute))
        again.audit.append(.init(time: ReportFixtures.t0 + 200 * ReportFixtures.minute, actor: ReportBuilder.author, incidentID: input.incident.id, action: "report", detail: "period x"))
        #expect(ReportBuilder().build(again) == first)
        #expect(ReportRenderer.json(ReportBuilder().build(again)) == ReportRenderer.json(first))
    }

    @Test func aClosedIncidentSaysWhoClosedItAndHasNoContainmentLeft() {
        var input = ReportFixtures.input()
        input.incident.status = .closed
        input.incident.closedTime = ReportFixtures.t0 + 300 * ReportFixtures.minute
        input.incident.classification = .benignPositive
        input.incident.classificationReason = .suspiciousButExpected
        input.incident.classificationComment = "Red team exercise"
        input.incident.labels.removeAll { $0.labelName.hasPrefix("Playbook pending") }
        input.audit.append(.init(time: ReportFixtures.t0 + 300 * ReportFixtures.minute, actor: "alice@contoso.com", incidentID: input.incident.id, action: "closed", detail: "BenignPositive"))
        let r = ReportBuilder().build(input)
        #expect(r.classification.decidedBy == "alice@contoso.com")
        #expect(r.classification.comment == "Red team exercise")
        #expect(r.details.closed?.display == "2024-06-21 07:00 UTC")
        #expect(r.followUp.isEmpty)
        #expect(ReportRenderer.markdown(r).contains("No follow-up actions."))
    }

    @Test func repeatedAlertsBecomeOneStepAndLongNamesAreCut() {
        var input = ReportFixtures.input()
        let t0 = ReportFixtures.t0, m = ReportFixtures.minute
        for i in 1...3 {
            input.incident.alerts.append(.init(systemAlertID: "cert-\(i)", ruleID: "r-cert", name: "Certutil used to download a file", severity: .medium,
                                               tactics: [.defenseEvasion], startTime: t0 + Int64(10 * i) * m, endTime: t0 + Int64(10 * i) * m, isAnomaly: false))
        }
        let long = "powershell.exe -nop -w hidden -enc " + String(repeating: "SQBFAFgA", count: 40)
        input.incident.entities.append(Entity(type: .process, properties: ["CommandLine": long]))
        let r = ReportBuilder().build(input)
        let stage = r.summary.timeline.first { $0.tactic == "Defense Evasion" }
        #expect(stage?.steps.count == 1 && stage?.steps[0].count == 3 && stage?.steps[0].until?.display == "2024-06-21 02:30 UTC")
        #expect(ReportRenderer.markdown(r).contains("- 2024-06-21 02:10 UTC to 2024-06-21 02:30 UTC: Certutil used to download a file (Medium, 3 times)"))
        #expect(r.summary.impact.contains("process powershell.exe -nop -w hidden") && !r.summary.impact.contains(long) && r.summary.impact.contains("..."))
        #expect(ReportGrounding.ungrounded(r, evidence: ReportGrounding.evidence(input)) == [])
    }

    @Test func onePersonIsOneAnalystAndSimultaneousRepeatsHaveNoRange() {
        var input = ReportFixtures.input()
        let t = ReportFixtures.t0 + 200 * ReportFixtures.minute
        input.audit.append(.init(time: t, actor: "token:alice@contoso.com", incidentID: input.incident.id, action: "update", detail: "owner"))
        input.audit.append(.init(time: t, actor: "cli:alice@contoso.com", incidentID: input.incident.id, action: "comment", detail: "x"))
        for i in 1...3 {
            input.incident.alerts.append(.init(systemAlertID: "same-\(i)", ruleID: "r", name: "Same minute", severity: .low, tactics: [.discovery],
                                               startTime: t, endTime: t, isAnomaly: false))
        }
        let r = ReportBuilder().build(input)
        #expect(r.details.analysts == ["alice@contoso.com", "Tier 2"])
        let step = r.summary.timeline.first { $0.tactic == "Discovery" }?.steps.first
        #expect(step?.count == 3 && step?.until == nil)
    }

    @Test func anEmptyIncidentStillRenders() {
        let inc = Incident(id: "00000000-0000-4000-8000-000000000000", number: 1, title: "Empty <b>", severity: .low, createdTime: 0)
        let r = ReportBuilder().build(.init(incident: inc, audit: []))
        let md = ReportRenderer.markdown(r), html = ReportRenderer.html(r)
        #expect(md.contains("No alerts.") && md.contains("No remediation actions yet.") && md.contains("No entities were identified."))
        #expect(html.contains("Empty &lt;b&gt;") && !html.contains("<b>Empty"))
    }

    @Test func theDeterministicReportIsGroundedAndAModelSummaryIsChecked() async {
        let input = ReportFixtures.input()
        let r = ReportBuilder().build(input)
        let evidence = ReportGrounding.evidence(input)
        #expect(ReportGrounding.ungrounded(r, evidence: evidence) == [])
        let grounded = FixedModel(answer: "A password spray against bob@contoso.com from 185.220.101.45 began at 2024-06-21 02:00 UTC and was followed by a successful sign-in and a process burst on WS-042.corp.contoso.com.")
        let ok = await ReportGrounding.narrate(r, input: input, model: grounded, name: "test-model")
        #expect(ok.rejection == nil && ok.report.summary.writtenBy == "test-model" && ok.report.summary.text.hasPrefix("A password spray"))
        let invented = FixedModel(answer: "The attacker at 203.0.113.77 signed in 7 times as bob@contoso.com.")
        let no = await ReportGrounding.narrate(r, input: input, model: invented, name: "test-model")
        #expect(no.report == r)
        #expect(no.rejection?.contains("203.0.113.77") == true && no.rejection?.contains("7") == true)
        // A report that states a number the evidence lacks fails the check.
        var edited = r
        edited.summary.text += " 9999 logons."
        #expect(ReportGrounding.ungrounded(edited, evidence: evidence) == ["9999"])
    }
}

struct FixedModel: LanguageModel {
    var answer: String
    func complete(system: String, user: String) async throws -> String { answer }
    func completeBlocking(system: String, user: String) throws -> String { answer }
}
