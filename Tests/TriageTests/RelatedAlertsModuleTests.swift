import Foundation
import KQL
import Testing
import Triage
import VigilCore

/// Related alerts: another rule's alert over exactly the events of one of the incident's alerts (a
/// Sigma rule and the pack's rule on the same 4720 event) is the same observation read twice, and
/// does not corroborate; another rule's alert at another time on the same host does.
@Suite struct RelatedAlertsModuleTests {
    static let now = DateTimeParser.parse("2024-06-30T00:00:00Z")!
    static let t = now - 36_000_000_000

    static func tables() -> InMemoryTables {
        var tables = InMemoryTables(schemas: SchemaCatalog.builtIn)
        let schema = SchemaCatalog.builtIn["SecurityAlert"]!
        func alert(_ id: String, _ rule: String, _ start: Int64, _ end: Int64) -> [Value] {
            let r: [String: Value] = ["TimeGenerated": .datetime(end + 600_000_000), "SystemAlertId": .string(id), "AlertName": .string(rule),
                                      "AlertSeverity": .string("High"), "StartTime": .datetime(start), "EndTime": .datetime(end),
                                      "Entities": .string(#"[{"Type":"host","FullName":"SRV-0201.corp.contoso.com"},{"Type":"account","FullName":"\\WS-00365$"}]"#),
                                      "ExtendedProperties": .string(#"{"Analytic Rule Ids":"[\"\#(rule)\"]"}"#)]
            return schema.columns.map { r[$0.name] ?? .null }
        }
        tables.add("SecurityAlert", Table.from(schema: schema, rows: [
            alert("own", "created-account", t, t),
            alert("twin", "hidden-local-user", t, t),
            alert("earlier", "userinit", t - 72_000_000_000, t - 72_000_000_000),
        ]))
        return tables
    }

    @Test func theSameEventsSeenByAnotherRuleDoNotCorroborate() throws {
        var inc = Incident(id: "i", number: 1, title: "created account", severity: .low, createdTime: Self.now)
        inc.alerts = [Incident.AlertRef(systemAlertID: "own", ruleID: "created-account", name: "created", severity: .low, tactics: [], startTime: Self.t, endTime: Self.t, isAnomaly: false)]
        inc.entities = [Entity(type: .host, properties: ["FullName": "SRV-0201.corp.contoso.com"])]
        inc.firstActivityTime = Self.t
        inc.lastActivityTime = Self.t
        let f = try RelatedAlertsModule().run(TriageContext(incident: inc, provider: Self.tables(), now: Self.now))
        #expect(f.map(\.summary) == ["userinit at 2024-06-29T21:01:00Z", "created-account at 2024-06-29T23:01:00Z (this incident)",
                                     "hidden-local-user at 2024-06-29T23:01:00Z (the same events as this incident's alert)"])
        #expect(f[2].evidence.first?["sameEvents"] == "true" && f[0].evidence.first?["sameEvents"] == nil)
        let scored = TriageRunner(modules: []).apply([ModuleReport(module: "Related alerts", findings: f, comment: "", error: nil, millis: 0)], to: inc, now: Self.now)
        #expect(scored.riskScore?.otherAlerts == 1)
    }
    /// A domain controller that the alerts of five accounts name: another account's alert there is
    /// someone else's activity; the incident's own account there, or any account on a quiet host, is not.
    @Test func anotherAccountOnABusyServerDoesNotCorroborate() throws {
        var tables = InMemoryTables(schemas: SchemaCatalog.builtIn)
        let schema = SchemaCatalog.builtIn["SecurityAlert"]!
        func alert(_ id: String, _ rule: String, _ hours: Int64, host: String, account: String) -> [Value] {
            let at = Self.t + hours * 36_000_000_000
            let r: [String: Value] = ["TimeGenerated": .datetime(at), "SystemAlertId": .string(id), "AlertName": .string(id), "AlertSeverity": .string("Low"),
                                      "StartTime": .datetime(at), "EndTime": .datetime(at),
                                      "Entities": .string(#"[{"Type":"host","FullName":"\#(host)"},{"Type":"account","FullName":"CONTOSO\\\#(account)"}]"#),
                                      "ExtendedProperties": .string(#"{"Analytic Rule Ids":"[\"\#(rule)\"]"}"#)]
            return schema.columns.map { r[$0.name] ?? .null }
        }
        tables.add("SecurityAlert", Table.from(schema: schema, rows: [
            alert("own", "userinit", 0, host: "DC04.corp.contoso.com", account: "alice"),
            alert("own2", "userinit", 0, host: "WS-7.corp.contoso.com", account: "carol"),
            alert("bob-on-dc", "created", -2, host: "DC04.corp.contoso.com", account: "bob"),
            alert("dave-on-dc", "created", -3, host: "DC04.corp.contoso.com", account: "dave"),
            alert("erin-on-dc", "created", -4, host: "DC04.corp.contoso.com", account: "erin"),
            alert("alice-on-dc", "created", -5, host: "DC04.corp.contoso.com", account: "alice"),
            alert("frank-on-ws", "created", -6, host: "WS-7.corp.contoso.com", account: "frank"),
        ]))
        var inc = Incident(id: "i", number: 1, title: "userinit", severity: .high, createdTime: Self.now)
        inc.alerts = ["own", "own2"].map { Incident.AlertRef(systemAlertID: $0, ruleID: "userinit", name: "userinit", severity: .high, tactics: [], startTime: Self.t, endTime: Self.t, isAnomaly: false) }
        inc.entities = [Entity(type: .host, properties: ["FullName": "DC04.corp.contoso.com"]), Entity(type: .account, properties: ["FullName": "CONTOSO\\alice"]),
                        Entity(type: .host, properties: ["FullName": "WS-7.corp.contoso.com"]), Entity(type: .account, properties: ["FullName": "CONTOSO\\carol"])]
        inc.firstActivityTime = Self.t
        inc.lastActivityTime = Self.t
        let f = try RelatedAlertsModule().run(TriageContext(incident: inc, provider: tables, now: Self.now))
        let busy = f.filter { $0.evidence.first?["busyHostOnly"] == "true" }.compactMap { $0.evidence.first?["SystemAlertId"] }
        #expect(busy.sorted() == ["bob-on-dc", "dave-on-dc", "erin-on-dc"])
        #expect(f.contains { $0.summary == "bob-on-dc at 2024-06-29T21:00:00Z (another account on dc04.corp.contoso.com, which alerts of 4 accounts name)" })
        let scored = TriageRunner(modules: []).apply([ModuleReport(module: "Related alerts", findings: f, comment: "", error: nil, millis: 0)], to: inc, now: Self.now)
        #expect(scored.riskScore?.otherAlerts == 2)
    }
}

/// A routine community rule's incident names many accounts: another alert about an account whose
/// launches in it are common across the estate is that account's own story, not corroboration; one
/// about the account with an uncommon launch still corroborates.
@Suite struct RoutineAccountsCorroborationTests {
    static let now = DateTimeParser.parse("2024-06-30T00:00:00Z")!

    static func finding(_ kind: Finding.Kind, _ summary: String, _ level: String, _ evidence: [String: String]) -> Finding {
        Finding(kind: kind, summary: summary, level: level, evidence: [evidence])
    }

    static func scored(ruleIsRoutine: Bool, otherAbout accounts: [String]) -> Incident.RiskScore? {
        var inc = Incident(id: "i", number: 1, title: "userinit", severity: .high, createdTime: now)
        inc.alerts = [Incident.AlertRef(systemAlertID: "own", ruleID: "userinit", name: "userinit", severity: .high, tactics: [], startTime: now - 1, endTime: now - 1, isAnomaly: false)]
        inc.entities = [Entity(type: .account, properties: ["FullName": "CONTOSO\\alice"]), Entity(type: .account, properties: ["FullName": "CONTOSO\\carol"])]
        inc.firstActivityTime = now - 1
        inc.lastActivityTime = now - 1
        let findings = [
            finding(.context, "userinit: 24 alerts a day", ruleIsRoutine ? "routine" : "rare", ["fact": "rule record", "sigma": "true"]),
            finding(.context, "userinit.exe → chrome.exe: 300 launches on 200 hosts", "common", ["fact": "activity prevalence", "accounts": "contoso\\alice"]),
            finding(.context, "userinit.exe → bitsadmin.exe: 1 launch on 1 host", "uncommon", ["fact": "activity prevalence", "accounts": "contoso\\carol"]),
        ] + accounts.enumerated().map { i, a in
            finding(.relatedAlert, "created account at 2024-06-29T12:00:00Z", "Low",
                    ["SystemAlertId": "other\(i)", "RuleId": "created", "TimeGenerated": "2024-06-29T12:00:00Z", "Accounts": a])
        }
        let report = ModuleReport(module: "m", findings: findings, comment: "", error: nil, millis: 0)
        return TriageRunner(modules: []).apply([report], to: inc, now: now).riskScore
    }

    @Test func anAlertAboutAnAccountWithOnlyCommonLaunchesDoesNotCorroborate() {
        let s = Self.scored(ruleIsRoutine: true, otherAbout: ["alice"])
        #expect(s?.otherAlerts == 0 && s?.routineAccountAlerts == 1)
    }

    @Test func anAlertAboutTheAccountWithAnUncommonLaunchCorroborates() {
        let s = Self.scored(ruleIsRoutine: true, otherAbout: ["carol", "alice,carol"])
        #expect(s?.otherAlerts == 2 && s?.routineAccountAlerts == nil)
    }

    @Test func anyAlertCorroboratesARuleThatIsNotRoutine() {
        let s = Self.scored(ruleIsRoutine: false, otherAbout: ["alice"])
        #expect(s?.otherAlerts == 1)
    }
}
