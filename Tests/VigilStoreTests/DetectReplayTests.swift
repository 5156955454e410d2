import Detection
import Foundation
import KQL
import Testing
import VigilApp
import VigilStore

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
        let health = try RuleRunLog(db: store.db).health()
        #expect(health.count == 1)
        #expect(health.first?.runs == 12 && health.first?.alerts == 3 && health.first?.failures == 0)
        #expect(health.first?.lastRun == DateTimeParser.parse("2022-08-03T21:00:00Z"))
    }
}
