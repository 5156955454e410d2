import Foundation
import KQL
import Testing
import Triage
import VigilCore

/// The rule-record module: a rule's alerts across the estate before the incident, counted. A Sigma
/// rule that alerted on many hosts on many days is routine here; one seen on a few hosts is not.
@Suite struct RuleRecordModuleTests {
    static let now = DateTimeParser.parse("2024-06-30T00:00:00Z")!
    static let day: Int64 = 864_000_000_000

    /// Rule "noisy" (Sigma): 12 hosts a day for 5 days. Rule "quiet" (the pack): two hosts, once each.
    static func tables() -> InMemoryTables {
        var t = InMemoryTables(schemas: SchemaCatalog.builtIn)
        let schema = SchemaCatalog.builtIn["SecurityAlert"]!
        var rows: [[String: Value]] = []
        func add(_ at: Int64, _ rule: String, _ host: String, sigma: Bool) {
            rows.append(["TimeGenerated": .datetime(at), "SystemAlertId": .string("\(rule)-\(host)-\(at)"), "AlertName": .string(rule),
                         "CompromisedEntity": .string(host), "Description": .string(sigma ? "Sigma rule by someone (status test; DRL 1.1)." : "Vigil's pack."),
                         "ExtendedProperties": .string(#"{"Analytic Rule Ids":"[\"\#(rule)\"]"}"#)])
        }
        for d in 1...5 { for h in 0..<12 { add(now - Int64(d) * day + Int64(h) * 36_000_000_000, "noisy", "WS-\(h)", sigma: true) } }
        add(now - 2 * day, "quiet", "WS-1", sigma: false)
        add(now - 3 * day, "quiet", "WS-2", sigma: false)
        t.add("SecurityAlert", Table.from(schema: schema, rows: rows.map { r in schema.columns.map { r[$0.name] ?? .null } }))
        return t
    }

    func record(_ rule: String) throws -> [Finding] {
        var inc = Incident(id: "i-\(rule)", number: 1, title: rule, severity: .high, createdTime: Self.now)
        inc.alerts = [Incident.AlertRef(systemAlertID: "new", ruleID: rule, name: rule, severity: .high, tactics: [], startTime: Self.now, endTime: Self.now, isAnomaly: false)]
        inc.firstActivityTime = Self.now
        inc.lastActivityTime = Self.now
        return try RuleRecordModule().run(TriageContext(incident: inc, provider: Self.tables(), now: Self.now))
    }

    @Test func aRuleThatFiresOnManyHostsOnManyDaysIsRoutine() throws {
        let f = try #require(try record("noisy").first)
        #expect(f.level == "routine")
        #expect(f.summary == "noisy: 60 alerts on 12 hosts or accounts on 5 of the 14 days before this incident: it fires routinely in this estate")
        #expect(f.evidence.first?["sigma"] == "true" && f.evidence.first?["rowsCounted"] == "60")
    }

    @Test func aRuleSeenOnAFewHostsOrNeverIsRare() throws {
        #expect(try record("quiet").map(\.level) == ["rare", "background"])
        #expect(try record("quiet").first?.evidence.first?["sigma"] == "false")
        let never = try record("new-rule")
        #expect(never.map(\.level) == ["rare", "background"] && never.first?.summary == "new-rule: no alert in the 14 days before this incident")
    }

    /// The producer asks for the same set before it correlates: only the routine Sigma rule.
    @Test func theProducerGetsTheRoutineCommunityRules() throws {
        #expect(try RuleRecordModule().routineCommunityRules(provider: Self.tables(), now: Self.now) == ["noisy"])
        #expect(try RuleRecordModule().routineCommunityRules(provider: Self.tables(), now: Self.now - 3 * Self.day) == [])
    }

    /// The routine community rules are listed for the runner: their alerts on the incident's hosts
    /// are background, not another rule corroborating it.
    @Test func routineCommunityRulesAreBackgroundForOtherIncidents() throws {
        let f = try #require(try record("quiet").last)
        #expect(f.evidence.first?["fact"] == "routine community rules" && f.evidence.first?["RuleIds"] == "noisy")
        var inc = Incident(id: "i", number: 1, title: "quiet", severity: .low, createdTime: Self.now)
        inc.alerts = [Incident.AlertRef(systemAlertID: "new", ruleID: "quiet", name: "quiet", severity: .low, tactics: [], startTime: Self.now, endTime: Self.now, isAnomaly: false)]
        inc.firstActivityTime = Self.now - 36_000_000_000
        inc.lastActivityTime = Self.now - 36_000_000_000
        let noisyAlert = Finding(kind: .relatedAlert, summary: "noisy at 2024-06-29T20:00:00Z", level: "High",
                                 evidence: [["TimeGenerated": "2024-06-29T20:00:00Z", "RuleId": "noisy"]])
        let packAlert = Finding(kind: .relatedAlert, summary: "pack at 2024-06-29T21:00:00Z", level: "Medium",
                                evidence: [["TimeGenerated": "2024-06-29T21:00:00Z", "RuleId": "pack"]])
        let runner = TriageRunner(modules: [])
        let reports = [ModuleReport(module: "Related alerts", findings: [noisyAlert, packAlert], comment: "", error: nil, millis: 0),
                       ModuleReport(module: "Rule record", findings: [f], comment: "", error: nil, millis: 0)]
        #expect(runner.apply(reports, to: inc, now: Self.now).riskScore?.otherAlerts == 1)
        #expect(runner.apply(Array(reports.prefix(1)), to: inc, now: Self.now).riskScore?.otherAlerts == 2)
    }
}
