import Foundation
import KQL
import Testing
import Triage
import VigilCore

/// The evidence modules on crafted tables (each finds what it should and nothing else), the score's
/// breakdown, and re-running triage replacing what an earlier run wrote.
@Suite struct TriageModuleTests {
    static let now = DateTimeParser.parse("2024-06-30T00:00:00Z")!
    static let day: Int64 = 864_000_000_000

    static func incident(_ entities: [Entity], alerts: [String] = ["own-alert"]) -> Incident {
        var inc = Incident(id: "11111111-2222-4333-8444-555555555555", number: 9, title: "Threat intelligence IP address seen in IIS logs", severity: .medium, createdTime: now)
        inc.entities = entities
        inc.alerts = alerts.map { Incident.AlertRef(systemAlertID: $0, ruleID: "r", name: "x", severity: .medium, tactics: [], startTime: now, endTime: now, isAnomaly: false) }
        return inc
    }

    static func tables() -> InMemoryTables {
        var t = InMemoryTables(schemas: SchemaCatalog.builtIn)
        func table(_ name: String, _ rows: [[String: Value]]) {
            let schema = SchemaCatalog.builtIn[name]!
            t.add(name, Table.from(schema: schema, rows: rows.map { r in schema.columns.map { r[$0.name] ?? .null } }))
        }
        let ip = #"[{"$id":"2","Address":"185.220.101.45","Type":"ip"}]"#
        table("SecurityAlert", [
            ["TimeGenerated": .datetime(now - day), "AlertName": .string("Brute force followed by a successful logon"), "AlertSeverity": .string("High"),
             "Tactics": .string("CredentialAccess, InitialAccess"), "SystemAlertId": .string("other-alert"), "Entities": .string(ip)],
            ["TimeGenerated": .datetime(now - day), "AlertName": .string("the incident's own alert"), "AlertSeverity": .string("High"),
             "Tactics": .string("Impact"), "SystemAlertId": .string("own-alert"), "Entities": .string(ip)],
            ["TimeGenerated": .datetime(now - day), "AlertName": .string("unrelated"), "AlertSeverity": .string("High"),
             "SystemAlertId": .string("unrelated"), "Entities": .string(#"[{"Address":"10.0.0.9","Type":"ip"}]"#)],
            ["TimeGenerated": .datetime(now - 30 * day), "AlertName": .string("too old"), "AlertSeverity": .string("High"),
             "SystemAlertId": .string("old"), "Entities": .string(ip)],
        ])
        table("ThreatIntelligenceIndicator", [
            ["TimeGenerated": .datetime(now - 2 * day), "IndicatorId": .string("ind-1"), "NetworkIP": .string("185.220.101.45"), "Active": .bool(true),
             "ExpirationDateTime": .datetime(now + 30 * day), "ThreatType": .string("Botnet"), "ConfidenceScore": .real(80)],
            ["TimeGenerated": .datetime(now - 2 * day), "IndicatorId": .string("ind-2"), "NetworkIP": .string("185.220.101.45"), "Active": .bool(true),
             "ExpirationDateTime": .datetime(now - day), "ThreatType": .string("expired")],
            ["TimeGenerated": .datetime(now - 2 * day), "IndicatorId": .string("ind-3"), "NetworkIP": .string("203.0.113.5"), "Active": .bool(true),
             "ExpirationDateTime": .datetime(now + day), "ThreatType": .string("other address")],
        ])
        table("SigninLogs", (0..<25).map { i in
            ["TimeGenerated": .datetime(now - Int64(i) * 3_600_000_000_0), "UserPrincipalName": .string("eve@contoso.com"), "ResultType": .string("50126"),
             "Location": .string(i % 2 == 0 ? "US" : "RU"), "IPAddress": .string("45.1.1.\(i)")]
        } + [["TimeGenerated": .datetime(now - day), "UserPrincipalName": .string("ann@contoso.com"), "ResultType": .string("0"), "Location": .string("US")]])
        table("SecurityEvent", [
            ["TimeGenerated": .datetime(now - day), "Computer": .string("WS-7.corp.contoso.com"), "EventID": .long(1102), "Activity": .string("1102 - The audit log was cleared.")],
            ["TimeGenerated": .datetime(now - day), "Computer": .string("WS-7.corp.contoso.com"), "EventID": .long(4688), "CommandLine": .string("powershell -enc AAAA"), "Activity": .string("4688 - A new process has been created.")],
            ["TimeGenerated": .datetime(now - day), "Computer": .string("WS-8.corp.contoso.com"), "EventID": .long(4624)],
        ])
        return t
    }

    static func ctx(_ inc: Incident) -> TriageContext { TriageContext(incident: inc, provider: tables(), now: now) }

    @Test func relatedAlertsAreTheIncidentsAndOthersOnItsEntitiesInTheWindow() throws {
        let f = try RelatedAlertsModule().run(Self.ctx(Self.incident([Entity(type: .ip, properties: ["Address": "185.220.101.45"])])))
        #expect(f.map(\.summary).sorted() == ["Brute force followed by a successful logon at 2024-06-29T00:00:00Z",
                                                 "the incident's own alert at 2024-06-29T00:00:00Z (this incident)"])
        #expect(f.first { $0.level == "High" && $0.tactics == ["CredentialAccess", "InitialAccess"] } != nil)
        // An address many accounts use is not searched for.
        var shared = Self.ctx(Self.incident([Entity(type: .ip, properties: ["Address": "185.220.101.45"])]))
        shared.shared = ["185.220.101.45"]
        #expect(try RelatedAlertsModule().run(shared).map(\.summary) == ["the incident's own alert at 2024-06-29T00:00:00Z (this incident)"])
    }

    @Test func threatIntelMatchesOnlyActiveUnexpiredIndicatorsOfTheEntities() throws {
        let f = try ThreatIntelModule().run(Self.ctx(Self.incident([Entity(type: .ip, properties: ["Address": "185.220.101.45"])])))
        #expect(f.map { $0.evidence[0]["IndicatorId"] } == ["ind-1"])
        #expect(f[0].summary == "185.220.101.45 is a known Botnet indicator (confidence 80)")
    }

    @Test func signinRiskAndHostActivityLevels() throws {
        let users = try SigninRiskModule().run(Self.ctx(Self.incident([Entity(type: .account, properties: ["FullName": "eve@contoso.com"]),
                                                                      Entity(type: .account, properties: ["FullName": "ann@contoso.com"])])))
        #expect(users.map(\.level) == ["High"])  // 25 failures from 2 countries; ann has none
        let hosts = try HostActivityModule().run(Self.ctx(Self.incident([Entity(type: .host, properties: ["FullName": "WS-7.corp.contoso.com"]),
                                                                        Entity(type: .host, properties: ["FullName": "WS-8.corp.contoso.com"])])))
        #expect(hosts.count == 1 && hosts[0].level == "2")
    }

    /// A TI match on an IIS client address, the incident's own High alert and one other High alert:
    /// TI 10 + alerts 10 + 10 + 2 per distinct tactic (3) = 36.
    @Test func scoreBreakdownOfATIMatchOnIISLogs() {
        let inc = Self.incident([Entity(type: .ip, properties: ["Address": "185.220.101.45"])])
        let runner = TriageRunner()
        let reports = runner.reports(Self.ctx(inc))
        #expect(reports.map(\.module) == ["Entities", "Related alerts", "Threat intelligence", "Watchlists", "User and sign-in risk", "User history", "Logon history", "Host activity", "Host history", "Rule record", "Estate prevalence", "Anomalies"])
        #expect(reports.allSatisfy { $0.error == nil })
        let once = runner.apply(reports, to: inc, now: Self.now)
        #expect(once.riskScore?.total == 36)
        #expect(once.riskScore?.contributions.map(\.points) == [10, 10, 6, 10])
        #expect(once.labels.map(\.labelName) == ["Risk Score - 36"])
        // Again: the findings and label are replaced, not added.
        let twice = runner.apply(reports, to: once, now: Self.now + 1)
        #expect(twice.labels.map(\.labelName) == ["Risk Score - 36"])
        #expect(twice.comments.count == once.comments.count)
        // A negative multiplier lowers the score (a trusted source).
        var trusted = ScoringPolicy()
        trusted.multipliers["Threat intelligence"] = -1
        #expect(TriageRunner(scoring: trusted).apply(reports, to: inc, now: Self.now).riskScore?.total == 16)
    }

    @Test func aFailingModuleReportsItsErrorAndTheOthersComplete() {
        let runner = TriageRunner(modules: [KQLModule(name: "Broken query", query: "NoSuchTable_CL | count"),
                                            KQLModule(name: "Bad syntax", query: "SecurityAlert | where"),
                                            KQLModule(name: "Failed sign-ins of the users", query: "SigninLogs | where UserPrincipalName in (accounts) and ResultType != '0' | take 3")])
        let reports = runner.reports(Self.ctx(Self.incident([Entity(type: .account, properties: ["FullName": "eve@contoso.com"])])))
        #expect(reports[0].error == nil && reports[0].findings.isEmpty)  // a table this workspace lacks: nothing to say
        #expect(reports[1].error?.hasPrefix("KQL1") == true)
        #expect(reports[2].findings.count == 3)
        #expect(ScoringPolicy().score(reports, now: 0).total == 15)
    }

    @Test func entitiesAreDescribedInTheirNormalForms() throws {
        var tables = Self.tables()
        let schema = SchemaCatalog.builtIn["SigninLogs"]!
        tables.add("SigninLogs", Table.from(schema: schema, rows: [schema.columns.map { c -> Value in
            switch c.name {
            case "TimeGenerated": return .datetime(Self.now - Self.day)
            case "IPAddress": return .string("95.173.136.70")
            case "LocationDetails": return Value.parseJSON(#"{"city":"Moscow","countryOrRegion":"RU"}"#)
            default: return .null
            }
        }]))
        let inc = Self.incident([Entity(type: .account, properties: ["FullName": "CONTOSO\\svc_backup"]), Entity(type: .account, properties: ["FullName": "eve@contoso.com"]),
                                 Entity(type: .host, properties: ["FullName": "WS-7.corp.contoso.com"]),
                                 Entity(type: .ip, properties: ["Address": "95.173.136.70"]), Entity(type: .ip, properties: ["Address": "10.1.2.3"])])
        let f = try EntitiesModule().run(TriageContext(incident: inc, provider: tables, now: Self.now))
        #expect(f.map(\.summary) == ["account CONTOSO\\svc_backup: name svc_backup, domain CONTOSO", "account eve@contoso.com: name eve, UPN suffix contoso.com",
                                      "host WS-7.corp.contoso.com: short name WS-7, domain corp.contoso.com",
                                      "address 10.1.2.3: private", "address 95.173.136.70: public, last seen in Moscow, RU"])
        #expect(ScoringPolicy().score([ModuleReport(module: "Entities", findings: f, comment: "", error: nil, millis: 0)], now: 0).total == 0)
    }

    @Test func accountsAreResolvedBetweenTheirSIDAndTheirName() throws {
        var tables = Self.tables()
        let schema = SchemaCatalog.builtIn["SecurityEvent"]!
        tables.add("SecurityEvent", Table.from(schema: schema, rows: [schema.columns.map { c -> Value in
            switch c.name {
            case "TimeGenerated": return .datetime(Self.now - Self.day)
            case "EventID": return .long(4624)
            case "TargetUserSid": return .string("S-1-5-21-1004336348-1177238915-682003330-1105")
            case "TargetAccount": return .string("CONTOSO\\bob")
            default: return .null
            }
        }]))
        let bySid = try EntitiesModule().run(TriageContext(incident: Self.incident([Entity(type: .account, properties: ["Sid": "S-1-5-21-1004336348-1177238915-682003330-1105"])]),
                                                           provider: tables, now: Self.now))
        #expect(bySid.map(\.summary) == ["account CONTOSO\\bob: name bob, domain CONTOSO, SID S-1-5-21-1004336348-1177238915-682003330-1105"])
        let byName = try EntitiesModule().run(TriageContext(incident: Self.incident([Entity(type: .account, properties: ["FullName": "contoso\\BOB"])]),
                                                            provider: tables, now: Self.now))
        #expect(byName.first?.evidence.first?["Sid"] == "S-1-5-21-1004336348-1177238915-682003330-1105")
    }

    @Test func scoringFileOverridesWeights() throws {
        let p = try ScoringPolicy.parse("threatIntel: 25\nmultipliers: {Anomalies: 0.5}\n")
        #expect(p.threatIntel == 25 && p.multipliers["Anomalies"] == 0.5 && p.kqlRow == 5)
        #expect(throws: TriageError.self) { try ScoringPolicy.parse("colour: red\n") }
    }
}

/// Calibration: monotone, pooled where the data disagree with the order, and better than the base rate.
@Suite struct CalibrationTests {
    @Test func isotonicFitIsMonotoneAndBeatsTheBaseRate() {
        var samples: [(score: Int, truePositive: Bool)] = []
        for _ in 0..<20 { samples.append((5, false)) }
        samples.append((5, true))
        for _ in 0..<5 { samples.append((30, false)) }
        for _ in 0..<3 { samples.append((30, true)) }
        // Score 20 is a true positive more often (3 of 4) than score 30 (3 of 8): pooled into one step.
        for _ in 0..<3 { samples.append((20, true)) }
        samples.append((20, false))
        for _ in 0..<9 { samples.append((120, true)) }
        samples.append((120, false))
        let c = Calibration.fit(samples)
        #expect(c.steps.map(\.maxScore) == [5, 30, 120])
        #expect(c.steps.map(\.count) == [21, 12, 10])
        #expect(c.steps.map(\.probability) == [0.048, 0.5, 0.9])
        #expect(zip(c.steps, c.steps.dropFirst()).allSatisfy { $0.probability <= $1.probability })
        #expect(c.probability(0) == 0.048 && c.probability(25) == 0.5 && c.probability(500) == 0.9)
        #expect(c.brier < c.baselineBrier)
        #expect(c.reliability.reduce(0) { $0 + $1.count } == samples.count)
    }
}

/// The comments triage writes, as golden files (`UPDATE_GOLDENS=1 swift test --filter TriageGoldenTests`
/// rewrites them): what an analyst reads on the incident must not change by accident.
@Suite struct TriageGoldenTests {
    @Test func commentsOfATIMatchOnIISLogs() throws {
        let inc = TriageModuleTests.incident([Entity(type: .ip, properties: ["Address": "185.220.101.45"])])
        let runner = TriageRunner()
        let out = runner.apply(runner.reports(TriageContext(incident: inc, provider: TriageModuleTests.tables(), now: TriageModuleTests.now)), to: inc, now: TriageModuleTests.now)
        let text = out.comments.map { "<!-- \($0.author) -->\n\($0.message)\n" }.joined(separator: "\n")
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens/ti-iis-comments.md").path
        if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] != nil { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == golden)
    }

    @Test func theSameCommentsAsHTMLTables() throws {
        let inc = TriageModuleTests.incident([Entity(type: .ip, properties: ["Address": "185.220.101.45"])])
        let reports = TriageRunner().reports(TriageContext(incident: inc, provider: TriageModuleTests.tables(), now: TriageModuleTests.now))
        let text = reports.map(\.html).joined(separator: "\n") + "\n"
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens/ti-iis-comments.html").path
        if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] != nil { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        #expect(text == (try String(contentsOfFile: path, encoding: .utf8)))
        #expect(TriageRunner.htmlComment("X", [Finding(kind: .kqlRows, summary: "<script>", tactics: [], evidence: [])], nil).contains("&lt;script&gt;"))
    }
}
