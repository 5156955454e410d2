import Detection
import Foundation
import KQL
import OrderedCollections
import Testing
import VigilCore

/// The scheduler's windows and back-fills, the alerts a run makes, and deterministic replays.
@Suite struct SchedulingAndAlertsTests {
    static let t0 = DateTimeParser.parse("2026-11-24T00:00:00Z")!

    static func rule(_ query: String, frequency: Int64 = Ticks.perHour, period: Int64 = Ticks.perHour) -> AnalyticsRule {
        var r = AnalyticsRule(id: "3617d76d-b15e-4c6f-985e-a1dac73c592d", name: "Failures", query: query)
        r.queryFrequency = frequency
        r.queryPeriod = period
        r.severity = .high
        r.tactics = [.credentialAccess]
        r.entityMappings = [.init(entityType: .account, fieldMappings: [.init(identifier: "FullName", columnName: "Account")])]
        return r
    }

    @Test func runsEveryFrequencyOverTheDelayedWindowAndBackfills() {
        let r = Self.rule("T", frequency: Ticks.perHour, period: 2 * Ticks.perHour)
        var s = RuleScheduler(rules: [r], start: Self.t0)
        let first = s.tick(now: Self.t0)
        #expect(first.count == 1)
        #expect(first[0].windowEnd == Self.t0 - 5 * Ticks.perMinute)
        #expect(first[0].windowStart == Self.t0 - 5 * Ticks.perMinute - 2 * Ticks.perHour)
        #expect(!first[0].isBackfill)
        #expect(s.tick(now: Self.t0 + 59 * Ticks.perMinute).isEmpty)
        // Down for three hours: the missed runs come back in order, marked as back-fills.
        let after = s.tick(now: Self.t0 + 4 * Ticks.perHour)
        #expect(after.map(\.runTime) == (1...4).map { Self.t0 + Int64($0) * Ticks.perHour })
        #expect(after.map(\.isBackfill) == [true, true, true, false])
        var disabled = Self.rule("T")
        disabled.enabled = false
        var s2 = RuleScheduler(rules: [disabled], start: Self.t0)
        #expect(s2.tick(now: Self.t0 + Ticks.perDay).isEmpty)
    }

    @Test func nearRealTimeRulesRunEveryMinuteOverNewlyIngestedRows() {
        var nrt = Self.rule("SecurityEvent | where EventID == 4625 | summarize Failures = count() by Account")
        nrt.kind = .nrt
        nrt.queryFrequency = 0
        nrt.queryPeriod = 0
        var s = RuleScheduler(rules: [nrt], start: Self.t0)
        // A live loop ticks every minute.
        let runs = (0...3).flatMap { s.tick(now: Self.t0 + Int64($0) * Ticks.perMinute) }
        #expect(runs.count == 4)
        #expect(runs.allSatisfy { $0.byIngestionTime && $0.windowEnd == $0.runTime && $0.windowEnd - $0.windowStart == Ticks.perMinute })
        // Rows ingested in the minute before a run are its input, whatever their event time.
        let schema = Schema([ColumnSchema("TimeGenerated", .datetime), ColumnSchema("EventID", .int), ColumnSchema("Account", .string),
                             ColumnSchema("_IngestionTime", .datetime)])
        let rows: [[Value]] = [
            [.datetime(Self.t0 - Ticks.perDay), .long(4625), .string("old event, ingested late"), .datetime(Self.t0 + 90 * Ticks.perSecond)],
            [.datetime(Self.t0), .long(4625), .string("ingested earlier"), .datetime(Self.t0 - 30 * Ticks.perSecond)],
        ]
        let runner = DetectionRunner(provider: InMemoryTables(tables: ["SecurityEvent": Table.from(schema: schema, rows: rows)]))
        let outcomes = runs.map { runner.execute(nrt, $0) }
        #expect(outcomes.map(\.alerts.count) == [1, 0, 1, 0])
        #expect(outcomes[2].alerts.first?.row["ProviderName"] == .string("ASI NRT Alerts"))
        #expect(outcomes[2].alerts.first?.row["CompromisedEntity"] == .string("old event, ingested late"))
    }

    /// A restart: scheduled rules make up their missed runs (at most maxBackfill), an NRT rule makes
    /// up its missed minutes with one run over everything ingested since its last window.
    @Test func aRestartBackfillsFromTheLastRecordedRuns() {
        var hourly = Self.rule("SecurityEvent | count")
        hourly.id = "hourly"
        var nrt = Self.rule("SecurityEvent | count")
        nrt.id = "nrt"
        nrt.kind = .nrt
        let last = Self.t0 - 10 * Ticks.perHour
        var s = RuleScheduler(rules: [hourly, nrt], start: Self.t0, lastRuns: ["hourly": last, "nrt": last], maxBackfill: 3)
        let runs = s.tick(now: Self.t0)
        let h = runs.filter { $0.ruleID == "hourly" }
        // Nine runs were missed; the last three are made up, then the current one.
        #expect(h.map(\.runTime) == [Self.t0 - 3 * Ticks.perHour, Self.t0 - 2 * Ticks.perHour, Self.t0 - Ticks.perHour, Self.t0])
        #expect(h.prefix(3).allSatisfy(\.isBackfill) && h.last?.isBackfill == false)
        let n = runs.filter { $0.ruleID == "nrt" }
        #expect(n.count == 1)
        #expect(n.first?.windowStart == last && n.first?.windowEnd == Self.t0 && n.first?.isBackfill == true)
        // Then back to one-minute windows.
        let next = s.tick(now: Self.t0 + Ticks.perMinute).filter { $0.ruleID == "nrt" }
        #expect(next.count == 1 && next.first?.windowStart == Self.t0 && next.first?.windowEnd == Self.t0 + Ticks.perMinute)
    }

    static let events: Table = {
        let schema = Schema([ColumnSchema("TimeGenerated", .datetime), ColumnSchema("EventID", .int), ColumnSchema("Account", .string)])
        var rows: [[Value]] = []
        for i in 0..<10 { rows.append([.datetime(t0 - 30 * Ticks.perMinute + Int64(i) * Ticks.perSecond), .long(4625), .string("CONTOSO\\alice")]) }
        for i in 0..<3 { rows.append([.datetime(t0 - 20 * Ticks.perMinute + Int64(i)), .long(4625), .string("CONTOSO\\bob")]) }
        // Outside the window (after its end): must not count.
        for i in 0..<10 { rows.append([.datetime(t0 - 2 * Ticks.perMinute + Int64(i)), .long(4625), .string("CONTOSO\\bob")]) }
        return Table.from(schema: schema, rows: rows)
    }()

    @Test func alertsFollowTriggerGroupingAndOverrides() throws {
        let q = "SecurityEvent | where EventID == 4625 | summarize Failures = count(), TimeGenerated = max(TimeGenerated) by Account | where Failures > 2"
        var r = Self.rule(q)
        let runner = DetectionRunner(provider: InMemoryTables(tables: ["SecurityEvent": Self.events]))
        let run = RuleRun(ruleID: r.id, runTime: Self.t0, windowStart: Self.t0 - 5 * Ticks.perMinute - Ticks.perHour,
                          windowEnd: Self.t0 - 5 * Ticks.perMinute, isBackfill: false)
        let single = runner.execute(r, run)
        #expect(single.error == nil)
        #expect(single.resultRows == 2)
        #expect(single.alerts.count == 1)
        let entities = Value.parseJSON(single.alerts[0].row["Entities"]?.asStringPublic ?? "")
        guard case .array(let list) = entities else { Issue.record("Entities is not a JSON array"); return }
        #expect(list.count == 2)
        #expect(single.alerts[0].row["AlertSeverity"] == .string("High"))
        #expect(single.alerts[0].row["Tactics"] == .string("CredentialAccess"))

        r.eventGrouping = .alertPerResult
        r.customDetails = [.init(key: "Failures", value: "Failures")]
        var o = AnalyticsRule.AlertDetailsOverride()
        o.displayNameFormat = "{{Failures}} failures for {{Account}}"
        r.alertDetailsOverride = o
        let per = runner.execute(r, run)
        #expect(per.alerts.map { $0.row["AlertName"] } == [.string("10 failures for CONTOSO\\alice"), .string("3 failures for CONTOSO\\bob")])
        #expect(per.alerts[0].row["ExtendedProperties"]?.asStringPublic?.contains("\"Custom Details\"") == true)
        // Each alert carries the rows that raised it.
        let ext = Value.parseJSON(per.alerts[1].row["ExtendedProperties"]?.asStringPublic ?? "")
        guard case .bag(let props) = ext, case .string(let resultsText)? = props["Query Results"],
              case .array(let results) = Value.parseJSON(resultsText) else { Issue.record("no Query Results"); return }
        #expect(results.count == 1)
        guard case .bag(let row) = results[0] else { Issue.record("a result row is not an object"); return }
        #expect(row["Account"] == .string("CONTOSO\\bob") && row["Failures"] == .long(3))
        // The same run gives the same alerts, ids included; another run gives other ids.
        #expect(runner.execute(r, run).alerts.map(\.systemAlertID) == per.alerts.map(\.systemAlertID))
        var later = run
        later.runTime += Ticks.perHour
        #expect(Set(runner.execute(r, later).alerts.map(\.systemAlertID)).isDisjoint(with: per.alerts.map(\.systemAlertID)))

        r.triggerOperator = .gt
        r.triggerThreshold = 5
        #expect(runner.execute(r, run).alerts.isEmpty)
        let bad = runner.execute(Self.rule("SecurityEvent | where NoSuch == 1"), run)
        #expect(bad.error?.hasPrefix("KQL2") == true)
    }

    @Test func suppressionSkipsRunsAfterAnAlert() {
        var r = Self.rule("T")
        r.suppressionEnabled = true
        r.suppressionDuration = 3 * Ticks.perHour
        var s = RuleScheduler(rules: [r], start: Self.t0)
        #expect(s.tick(now: Self.t0).count == 1)
        s.alerted(ruleID: r.id, at: Self.t0)
        // Runs at +1h and +2h are suppressed; the next is at +3h.
        #expect(s.nextDue == Self.t0 + 3 * Ticks.perHour)
        #expect(s.tick(now: Self.t0 + 2 * Ticks.perHour + 59 * Ticks.perMinute).isEmpty)
        #expect(s.tick(now: Self.t0 + 3 * Ticks.perHour).map(\.runTime) == [Self.t0 + 3 * Ticks.perHour])
        var plain = Self.rule("T")
        plain.suppressionEnabled = false
        var p = RuleScheduler(rules: [plain], start: Self.t0)
        _ = p.tick(now: Self.t0)
        p.alerted(ruleID: plain.id, at: Self.t0)
        #expect(p.nextDue == Self.t0 + Ticks.perHour)
    }

    @Test func alertPerResultIsCappedAt150() {
        let schema = Schema([ColumnSchema("Account", .string)])
        let t = Table.from(schema: schema, rows: (0..<400).map { [.string("u\($0)")] })
        var r = Self.rule("T")
        r.eventGrouping = .alertPerResult
        let run = RuleRun(ruleID: r.id, runTime: Self.t0, windowStart: 0, windowEnd: Self.t0, isBackfill: false)
        #expect(AlertBuilder.build(rule: r, run: run, result: t).count == 150)
    }
}
