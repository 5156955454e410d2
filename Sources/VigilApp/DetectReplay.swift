public import Detection
public import Foundation
public import KQL
import OrderedCollections
public import VigilCore
public import VigilStore

/// `vigil detect`: replays the schedule of a rule set over a time span of the workspace's data, the
/// way the rules would have run live, and returns (and optionally stores) their alerts.
public struct DetectReplay {
    public var store: LogStore
    public var rules: [AnalyticsRule]
    public var delay: Int64
    /// Near-real-time rules select rows by `TimeGenerated` instead of `_IngestionTime`, as if each row
    /// had been ingested when it was generated: for history that was loaded in bulk afterwards.
    public var nrtByTimeGenerated = false

    public init(store: LogStore, rules: [AnalyticsRule], delay: Int64) { self.store = store; self.rules = rules; self.delay = delay }

    /// Loads and validates every rule file under `directory`; invalid rules are reported and skipped.
    public static func loadRules(_ directory: String, validator: RuleValidator, report: (RuleDiagnostic) -> Void) throws -> [AnalyticsRule] {
        var out: [AnalyticsRule] = []
        for path in ruleFiles(in: directory) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let (parsed, diags) = RuleParser.parse(text, file: path)
            diags.forEach(report)
            for p in parsed {
                let problems = validator.validate(p).filter { $0.severity == .error }
                problems.forEach(report)
                if problems.isEmpty { out.append(p.rule) }
            }
        }
        return out
    }

    /// Rule files under a directory (recursively: .yaml, .yml, .json), sorted; rule test fixtures
    /// (`*.test.yaml`) are not rules.
    public static func ruleFiles(in directory: String) -> [String] {
        let e = FileManager.default.enumerator(atPath: directory)
        var files: [String] = []
        while let f = e?.nextObject() as? String {
            if f.hasSuffix(".test.yaml") || f.hasSuffix(".test.yml") { continue }
            if ["yaml", "yml", "json"].contains((f as NSString).pathExtension.lowercased().trimmingCharacters(in: .whitespaces)) {
                files.append((directory as NSString).appendingPathComponent(f))
            }
        }
        return files.sorted()
    }

    public struct Result {
        public var outcomes: [DetectionRunner.Outcome]
        public var alerts: [AlertBuilder.Alert] { outcomes.flatMap(\.alerts) }
        public var anomalies: [AnomalyBuilder.Anomaly] { outcomes.flatMap(\.anomalies) }
    }

    /// Every run whose time falls in `(from, to]`, in time order.
    public func run(from: Int64, to: Int64) -> Result {
        var scheduler = RuleScheduler(rules: rules, start: from, delay: delay)
        let byID = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0) })
        let runner = DetectionRunner(provider: store)
        var outcomes: [DetectionRunner.Outcome] = []
        var history = RunHistory()
        for r in rules where r.dynamicThreshold != nil { runner.learn(r, before: from, delay: delay, into: &history) }
        // Tick at each due time, so that suppression after an alert takes effect for the next runs.
        while let due = scheduler.nextDue, due <= to {
            for var run in scheduler.tick(now: due) {
                if nrtByTimeGenerated { run.byIngestionTime = false }
                let started = DispatchTime.now().uptimeNanoseconds
                let rule = byID[run.ruleID]!
                let counts = rule.dynamicThreshold.map { history.counts(run.ruleID, before: run.runTime, within: $0.history) } ?? []
                var o = runner.execute(rule, run, history: counts)
                if o.error == nil { history.record(ruleID: run.ruleID, runTime: run.runTime, count: o.resultRows) }
                o.durationMillis = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
                if !o.alerts.isEmpty { scheduler.alerted(ruleID: run.ruleID, at: run.runTime) }
                outcomes.append(o)
            }
        }
        return Result(outcomes: outcomes)
    }

    /// Records the runs in the workspace's rule-run log (rule health).
    public func recordRuns(_ outcomes: [DetectionRunner.Outcome]) throws {
        let names = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0.name) })
        try RuleRunLog(db: store.stateBackend).record(outcomes.map { o in
            RuleRunLog.Entry(ruleID: o.run.ruleID, ruleName: names[o.run.ruleID] ?? "", runTime: o.run.runTime, windowStart: o.run.windowStart,
                             windowEnd: o.run.windowEnd, resultRows: o.resultRows, alerts: o.alerts.count + o.anomalies.count, durationMillis: o.durationMillis,
                             error: o.error, backfill: o.run.isBackfill)
        })
        try Self.write(RuleHealthRecord.rows(outcomes, rules: Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0) })), to: "SentinelHealth", store: store)
    }

    /// The alerts as `SecurityAlert` rows in the workspace.
    /// Alerts already stored (same `SystemAlertId`, which is derived from the rule and the run) are
    /// skipped: a window run again after a node died between storing its alerts and recording its
    /// run adds no second copy.
    public func storeAlerts(_ alerts: [AlertBuilder.Alert]) throws {
        guard !alerts.isEmpty else { return }
        let stored = try storedAlertIDs(alerts)
        try Self.write(alerts.filter { !stored.contains($0.systemAlertID) }.map(\.row), to: "SecurityAlert", store: store)
    }

    func storedAlertIDs(_ alerts: [AlertBuilder.Alert]) throws -> Set<String> {
        let times = alerts.compactMap { a -> Int64? in if case .datetime(let t)? = a.row["TimeGenerated"] { return t }; return nil }
        guard let lo = times.min(), let hi = times.max() else { return [] }
        let ids = alerts.map { "'" + $0.systemAlertID.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
        let kql = "SecurityAlert | where TimeGenerated between (datetime(\(DateTimeMath.format(lo))) .. datetime(\(DateTimeMath.format(hi)))) "
            + "| where SystemAlertId in (\(ids.joined(separator: ", "))) | distinct SystemAlertId"
        switch QueryRunner(provider: store, now: hi).run(kql) {
        case .success(let r, _):
            guard let t = r.first?.table, let c = t.column(named: "SystemAlertId") else { return [] }
            return Set((0..<t.count).map { c.value(at: $0).kqlString })
        case .failure(_, let message):
            throw StoreError.invalid("cannot read the stored alerts: \(message)")
        }
    }

    /// The anomalies as `Anomalies` rows in the workspace.
    public func storeAnomalies(_ anomalies: [AnomalyBuilder.Anomaly]) throws {
        try Self.write(anomalies.map(\.row), to: "Anomalies", store: store)
    }

    /// Rows of a built-in table, as one extent, with the columns any row sets in the schema's order.
    static func write(_ rows: [OrderedDictionary<String, Value>], to table: String, store: LogStore) throws {
        guard !rows.isEmpty, let schema = SchemaCatalog.builtIn[table] else { return }
        let cols = schema.columns.filter { c in rows.contains { $0[c.name] != nil } }
        let t = Table.from(schema: Schema(cols), rows: rows.map { r in cols.map { r[$0.name] ?? .null } })
        try store.writeExtent(table: table, batch: t, addedColumns: [])
    }

    /// One JSON object per alert, keys in Sentinel's column order: the same inputs give the same bytes.
    public static func ndjson(_ alerts: [AlertBuilder.Alert]) -> String {
        alerts.map { Value.bag($0.row).jsonText + "\n" }.joined()
    }

    public static func ndjson(_ anomalies: [AnomalyBuilder.Anomaly]) -> String {
        anomalies.map { Value.bag($0.row).jsonText + "\n" }.joined()
    }
}
