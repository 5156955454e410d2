import Detection
import Agents
import Foundation
import KQL
import Testing
import VigilApp
import VigilStore
import VigilCore
import Logging
import Triage

/// `vigil detect` over real sample data: the same data and rules give byte-identical alerts.
@Suite struct DetectReplayTests {
    static let rule = """
    id: 1b7ffd7c-0c1f-4c3e-9d0a-6d4f2b1c9e01
    name: Many WAF requests from one source
    description: One source IP sent many requests to the WAF within the hour.
    severity: Medium
    queryFrequency: 1h
    queryPeriod: 1h
    triggerOperator: gt
    triggerThreshold: 0
    tactics: [Reconnaissance]
    query: |
      CommonSecurityLog
      | summarize Requests = count() by SourceIP
      | where Requests > 10
    entityMappings:
      - entityType: IP
        fieldMappings:
          - identifier: Address
            columnName: SourceIP
    alertDetailsOverride:
      alertDisplayNameFormat: "{{Requests}} WAF requests from {{SourceIP}}"
    eventGroupingSettings:
      aggregationKind: AlertPerResult
    kind: Scheduled
    """

    @Test func replayIsDeterministicAndStoresSecurityAlerts() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        _ = try store.ingestFile(TestWorkspace.samples.appendingPathComponent("barracudaWAFCEF.txt").path)
        try Self.rule.write(toFile: ws.path + "/rules/waf.yaml", atomically: true, encoding: .utf8)
        var skipped: [RuleDiagnostic] = []
        let rules = try DetectReplay.loadRules(ws.path + "/rules", validator: RuleValidator(catalog: store, now: TestWorkspace.now)) { skipped.append($0) }
        #expect(skipped.isEmpty && rules.count == 1)
        let replay = DetectReplay(store: store, rules: rules, delay: 5 * Ticks.perMinute)
        let from = DateTimeParser.parse("2022-08-03T10:00:00Z")!, to = DateTimeParser.parse("2022-08-03T21:00:00Z")!
        let a = replay.run(from: from, to: to), b = replay.run(from: from, to: to)
        #expect(a.outcomes.count == 12)
        #expect(a.outcomes.allSatisfy { $0.error == nil })
        #expect(a.alerts.count == 3)
        #expect(DetectReplay.ndjson(a.alerts) == DetectReplay.ndjson(b.alerts))
        try replay.storeAlerts(a.alerts)
        guard case .success(let r, _) = QueryRunner(provider: store, now: to).run("SecurityAlert | summarize n = count(), ips = make_set(CompromisedEntity)") else {
            Issue.record("query failed"); return
        }
        #expect(r[0].table.row(0)[0] == .long(3))
        // Rule health: every run recorded.
        try replay.recordRuns(a.outcomes)
        let health = try RuleRunLog(db: store.stateBackend).health()
        #expect(health.count == 1)
        #expect(health.first?.runs == 12 && health.first?.alerts == 3 && health.first?.failures == 0)
        #expect(health.first?.lastRun == DateTimeParser.parse("2022-08-03T21:00:00Z"))
        // ... and queryable as Sentinel's SentinelHealth table.
        guard case .success(let h, _) = QueryRunner(provider: store, now: to).run("""
            SentinelHealth | where SentinelResourceType == "Analytics Rule"
            | summarize runs = count(), alerts = sum(tolong(ExtendedProperties.AlertsGeneratedAmount)), failed = countif(Status != "Success") by SentinelResourceName
            """) else { Issue.record("health query failed"); return }
        #expect(h[0].table.count == 1)
        #expect(h[0].table.row(0) == [.string("Many WAF requests from one source"), .long(12), .long(3), .long(0)])
    }

    /// An anomaly rule learns each source's hourly baseline and writes `Anomalies` rows that carry
    /// the observed value, the expectation and the model's parameters.
    @Test func anomalyRulesWriteTheAnomaliesTable() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        // Two weeks of two requests an hour from 10.0.0.1, then sixty in one hour.
        var lines: [String] = []
        let start = DateTimeParser.parse("2024-06-07T00:00:00Z")!
        for h in 0..<(14 * 24) {
            for k in 0..<2 { lines.append(#"{"TimeGenerated":"\#(DateTimeMath.format(start + Int64(h) * Ticks.perHour + Int64(k) * 10 * Ticks.perMinute))","SourceIP":"10.0.0.1","DeviceVendor":"F5"}"#) }
        }
        let spike = start + 14 * 24 * Ticks.perHour
        for m in 0..<60 { lines.append(#"{"TimeGenerated":"\#(DateTimeMath.format(spike + Int64(m) * Ticks.perMinute))","SourceIP":"10.0.0.1","DeviceVendor":"F5"}"#) }
        try lines.joined(separator: "\n").write(toFile: ws.path + "/cef.json", atomically: true, encoding: .utf8)
        _ = try store.ingestFile(ws.path + "/cef.json", table: "CommonSecurityLog")
        try """
        id: 1b7ffd7c-0c1f-4c3e-9d0a-6d4f2b1c9e02
        name: Request volume anomaly
        description: A source sent far more requests than its baseline.
        severity: Low
        kind: Anomaly
        queryFrequency: 1h
        queryPeriod: 14d
        parameters: {sensitivity: 3.0, lookback: 14d}
        query: |
          let current = bin(now(), 1h) - 1h;
          CommonSecurityLog
          | make-series Observed = count() default = 0 on TimeGenerated from bin(ago(lookback), 1h) to bin(now(), 1h) step 1h by SourceIP
          | extend (Flag, AdScore, Baseline) = series_decompose_anomalies(Observed, sensitivity, -1, 'avg', 1)
          | mv-expand TimeGenerated to typeof(datetime), Observed to typeof(long), Flag to typeof(int), AdScore to typeof(real), Baseline to typeof(real)
          | where TimeGenerated == current and Flag == 1
          | project TimeGenerated, SourceIP, Observed, Expected = round(Baseline, 2), Score = round(AdScore / (AdScore + sensitivity), 3)
        entityMappings:
          - entityType: IP
            fieldMappings: [{identifier: Address, columnName: SourceIP}]
        """.write(toFile: ws.path + "/rules/anomaly.yaml", atomically: true, encoding: .utf8)
        var skipped: [RuleDiagnostic] = []
        let rules = try DetectReplay.loadRules(ws.path + "/rules", validator: RuleValidator(catalog: store, now: spike)) { skipped.append($0) }
        #expect(skipped.isEmpty && rules.count == 1)
        let replay = DetectReplay(store: store, rules: rules, delay: 5 * Ticks.perMinute)
        // Runs at 23:00 (quiet hour) through 02:00 of the next day: only the 01:00 run sees the spike hour.
        let result = replay.run(from: spike - Ticks.perHour, to: spike + 2 * Ticks.perHour)
        #expect(result.outcomes.count == 4 && result.alerts.isEmpty)
        #expect(result.anomalies.count == 1)
        try replay.storeAnomalies(result.anomalies)
        guard case .success(let r, _) = QueryRunner(provider: store, now: spike).run("""
            Anomalies | project SourceIpAddress, Score, Observed = tolong(ExtendedProperties.Observed), Expected = todouble(ExtendedProperties.Expected),
                                Sensitivity = tostring(AnomalyDetails.Parameters.sensitivity), RuleStatus, StartTime
            """) else { Issue.record("query failed"); return }
        #expect(r[0].table.count == 1)
        let row = r[0].table.row(0)
        #expect(row[0] == .string("10.0.0.1"))
        #expect((row[1].asDouble ?? 0) > 0.9)
        // 55 of the 60: the run at 01:00 reads up to 00:55 (the ingestion delay).
        #expect(row[2] == .long(55))
        #expect(row[3] == .real(2))
        #expect(row[4] == .string("3.0") && row[5] == .string("Production"))
        #expect(row[6] == .datetime(spike))
    }
}

/// The live loop keeps its schedule in the rule-run log: a restart makes up the runs missed while
/// Vigil was down, flagged as back-fills, and a rule edited on disk is reloaded without a restart.
@Suite struct DetectionLoopTests {
    final class Clock: @unchecked Sendable {
        var now: Int64
        init(_ t: Int64) { now = t }
    }

    @Test func aRestartBackfillsMissedRunsFromTheRunLog() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        _ = try store.ingestFile(TestWorkspace.samples.appendingPathComponent("barracudaWAFCEF.txt").path)
        try DetectReplayTests.rule.write(toFile: ws.path + "/rules/waf.yaml", atomically: true, encoding: .utf8)
        let clock = Clock(DateTimeParser.parse("2022-08-03T10:00:00Z")!)
        let logger = Logger(label: "test")
        let first = DetectionLoop(store: store, logger: logger, clock: { clock.now }, nodeID: "node-a")
        let initial = first.cycle()
        #expect(initial.count == 1)
        #expect(first.cycle().isEmpty)  // nothing due until 11:00
        #expect(first.nextDue == DateTimeParser.parse("2022-08-03T11:00:00Z"))
        // Down from 10:00 to 13:30: the 11:00, 12:00 and 13:00 runs are made up.
        clock.now = DateTimeParser.parse("2022-08-03T13:30:00Z")!
        let second = DetectionLoop(store: store, logger: logger, clock: { clock.now }, nodeID: "node-a")
        let made = second.cycle()
        #expect(made.map(\.run.runTime) == ["11", "12", "13"].map { DateTimeParser.parse("2022-08-03T\($0):00:00Z")! })
        #expect(made.allSatisfy { $0.run.isBackfill })
        let health = try RuleRunLog(db: store.stateBackend).health()
        #expect(health.first?.backfills == 3 && health.first?.runs == 4)
        // The alerts of the made-up runs are stored like any others.
        guard case .success(let r, _) = QueryRunner(provider: store, now: clock.now).run("SecurityAlert | count") else { Issue.record("query"); return }
        #expect(r[0].table.row(0)[0] == .long(Int64((initial + made).flatMap(\.alerts).count)))
        // Editing the rule (here: disabling it) takes effect at the next cycle.
        try DetectReplayTests.rule.replacingOccurrences(of: "kind: Scheduled", with: "kind: Scheduled\nenabled: false")
            .write(toFile: ws.path + "/rules/waf.yaml", atomically: true, encoding: .utf8)
        clock.now = DateTimeParser.parse("2022-08-03T15:00:00Z")!
        #expect(second.cycle().isEmpty)
        #expect(second.nextDue == nil)
    }
}

/// Alerts to stored incidents: `SecurityIncident` gets a row per change, so Sentinel's "current state"
/// query works; the audit trail says who did what and why; running again adds nothing.
@Suite struct IncidentPipelineTests {
    @Test func incidentsAreStoredAuditedAndQueryableAsSecurityIncident() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        let t0 = DateTimeParser.parse("2024-06-24T01:00:00Z")!
        func alert(_ id: String, _ rule: String, _ minutes: Int64, _ entities: [Entity], _ severity: Severity, _ tactics: [MitreTactic]) -> AlertRecord {
            let t = t0 + minutes * Ticks.perMinute
            return AlertRecord(systemAlertID: id, ruleID: rule, name: "alert \(rule)", severity: severity, tactics: tactics, startTime: t, endTime: t, time: t, entities: entities)
        }
        let ip = Entity(type: .ip, properties: ["Address": "45.137.22.11"]), user = Entity(type: .account, properties: ["FullName": "user01607@contoso.com"])
        let alerts = [alert("spray", "PasswordSpray", 0, [ip], .medium, [.credentialAccess]),
                      alert("success", "SuccessAfterFailures", 64, [user, ip], .high, [.initialAccess]),
                      alert("other", "PasswordSpray", 30, [Entity(type: .ip, properties: ["Address": "203.0.113.9"])], .medium, [.credentialAccess])]
        let pipeline = IncidentPipeline(store: store, rules: [])
        let now = t0 + 2 * Ticks.perHour
        let first = try pipeline.process(alerts, now: now)
        #expect(first.created.count == 2)
        let again = try pipeline.process(alerts, now: now + Ticks.perHour)
        #expect(again.incidents.isEmpty)
        let incidents = IncidentStore(store: store)
        let stored = try incidents.all()
        #expect(stored.map(\.number) == [1, 2])
        #expect(stored[0].title == "Multi-stage incident involving Initial access & Credential access involving one user")
        #expect(stored[0].alerts.map(\.systemAlertID) == ["spray", "success"])
        let audit = try incidents.audit(incidentID: stored[0].id)
        #expect(audit.map(\.actor) == ["producer-agent", "triage", "reviewer-agent"] && audit[0].action == "created")
        #expect(audit[0].detail.contains("shares IP 45.137.22.11 with incident 1 within 24h"))
        // Then the reviewer agent's verdict under the default policy: two rules agree, flagged for tier 2.
        // Triage found nothing in this workspace (no other tables): a score of 0, as a label.
        #expect(audit[1].detail.hasPrefix("Risk Score - 0"))
        #expect(audit[2].action == "flag")
        #expect(audit[2].detail.hasPrefix("policy v6 (") && audit[2].detail.contains("rule 'Several rules or models agree': flag"))
        #expect(stored[0].owner.assignedTo == "tier2" && stored[0].labels.map(\.labelName) == ["Risk Score - 0", "Review: needs manual review"])
        #expect(stored[1].status == .active && stored[1].review?.outcome == .approve)
        guard case .success(let r, _) = QueryRunner(provider: store, now: now).run("""
            SecurityIncident | summarize arg_max(TimeGenerated, *) by IncidentNumber
            | project IncidentNumber, Title, Severity, Status, Alerts = array_length(AlertIds), Tactics = tostring(AdditionalData.tactics) | order by IncidentNumber asc
            """) else { Issue.record("query failed"); return }
        let t = r[0].table
        #expect(t.count == 2)
        #expect(t.row(0) == [.long(1), .string(stored[0].title), .string("High"), .string("New"), .long(2), .string(#"["InitialAccess","CredentialAccess"]"#)])
    }
}

/// Watchlists in the store (`_GetWatchlist`) and their weight in the risk score: a VIP user with
/// related alerts scores high; a trusted address range lowers the score.
@Suite struct WatchlistTriageTests {
    @Test func vipWithRelatedAlertsScoresHighAndATrustedRangeLowersTheScore() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        let now = DateTimeParser.parse("2024-06-30T00:00:00Z")!
        let lists = Watchlists(store: store)
        #expect(try lists.upload(alias: "vip", csv: Data("UPN,Title\nceo@contoso.com,CEO\ncfo@contoso.com,CFO\n".utf8), searchKey: "UPN", now: now - 10) == 2)
        #expect(try lists.upload(alias: "trusted-ips", csv: Data("Range,Site\n198.51.100.0/24,Office\n".utf8), searchKey: "Range", now: now - 10) == 1)
        // Re-uploading replaces: cfo is gone.
        #expect(try lists.upload(alias: "vip", csv: Data("UPN,Title\nceo@contoso.com,CEO\n".utf8), searchKey: "UPN", now: now - 5) == 1)
        guard case .success(let r, _) = QueryRunner(provider: store, now: now).run("_GetWatchlist('vip') | project SearchKey, Title") else { Issue.record("query"); return }
        #expect(r[0].table.count == 1 && r[0].table.row(0) == [.string("ceo@contoso.com"), .string("CEO")])
        #expect(try lists.list(now: now).map(\.alias) == ["trusted-ips", "vip"])
        // Ten High alerts on the CEO in the last days.
        let alerts: [[Value]] = (0..<10).map { i in
            [.datetime(now - Int64(i + 1) * Ticks.perHour), .string("Suspicious sign-in \(i)"), .string("High"), .string("InitialAccess, CredentialAccess"),
             .string("alert-\(i)"), .string(#"[{"$id":"2","FullName":"ceo@contoso.com","Type":"account"}]"#)]
        }
        let schema = Schema(["TimeGenerated", "AlertName", "AlertSeverity", "Tactics", "SystemAlertId", "Entities"].map { ColumnSchema($0, $0 == "TimeGenerated" ? .datetime : .string) })
        try store.writeExtent(table: "SecurityAlert", batch: Table.from(schema: schema, rows: alerts), addedColumns: [])
        var inc = Incident(id: "6b3f0000-0000-4000-8000-000000000001", number: 1, title: "x", severity: .high, createdTime: now)
        inc.entities = [Entity(type: .account, properties: ["FullName": "ceo@contoso.com"]), Entity(type: .ip, properties: ["Address": "198.51.100.7"])]
        var scoring = ScoringPolicy()
        scoring.multipliers["Watchlist trusted-ips"] = -1
        let runner = TriageRunner(scoring: scoring)
        let reports = runner.reports(TriageContext(incident: inc, provider: store, now: now))
        let scored = runner.apply(reports, to: inc, now: now)
        let wl = reports.first { $0.module == "Watchlists" }?.findings.map(\.summary)
        #expect(wl == ["198.51.100.7 is in 198.51.100.0/24 on watchlist trusted-ips", "ceo@contoso.com is on watchlist vip"])
        // 10 High alerts (100) + 2 tactics (4) + VIP (10) - trusted range (10) = 104.
        #expect(scored.riskScore?.total == 104)
        #expect(scored.labels.map(\.labelName) == ["Risk Score - 104"])
    }
}
