public import VigilCore

/// One execution of a scheduled rule: the query runs at `runTime` (its `now()`) over rows with
/// `windowStart <= TimeGenerated < windowEnd`.
public struct RuleRun: Sendable, Equatable {
    public var ruleID: String
    public var runTime: Int64
    public var windowStart: Int64
    public var windowEnd: Int64
    /// A run the scheduler missed (downtime) and makes up for now.
    public var isBackfill: Bool
    /// Near-real-time runs select rows by `_IngestionTime`, not `TimeGenerated`.
    public var byIngestionTime: Bool

    public init(ruleID: String, runTime: Int64, windowStart: Int64, windowEnd: Int64, isBackfill: Bool, byIngestionTime: Bool = false) {
        self.ruleID = ruleID; self.runTime = runTime; self.windowStart = windowStart; self.windowEnd = windowEnd
        self.isBackfill = isBackfill; self.byIngestionTime = byIngestionTime
    }
}

/// Sentinel's scheduling as a pure state machine: each enabled scheduled rule runs every
/// `queryFrequency` over `[run - delay - queryPeriod, run - delay)`; each near-real-time rule runs every
/// minute over the rows ingested since its previous run (`[run - 1m, run)` by `_IngestionTime`, no
/// delay). `tick(now:)` returns the runs due up to `now`, oldest first, including the ones missed
/// while Vigil was down (recorded as back-fills). There is no cap on the number of NRT rules.
public struct RuleScheduler: Sendable {
    public let delay: Int64
    public static let nrtInterval: Int64 = 600_000_000
    public private(set) var nextRun: [String: Int64] = [:]
    var rules: [String: AnalyticsRule] = [:]

    /// `start` is when the schedule begins: each rule's first run is at `start`.
    public init(rules: [AnalyticsRule], start: Int64, delay: Int64 = 5 * 600_000_000) {
        self.delay = delay
        for r in rules where r.enabled && (r.kind == .nrt || r.queryFrequency > 0) {
            self.rules[r.id] = r
            nextRun[r.id] = start
        }
    }

    /// When the next run of any rule is due.
    public var nextDue: Int64? { nextRun.values.min() }

    /// Suppression: after a rule with `suppressionEnabled` raised alerts in the run at `runTime`, it
    /// does not run again for `suppressionDuration` (the runs in between are skipped, not back-filled).
    public mutating func alerted(ruleID: String, at runTime: Int64) {
        guard let r = rules[ruleID], r.suppressionEnabled, r.suppressionDuration > 0, let next = nextRun[ruleID] else { return }
        let until = runTime + r.suppressionDuration
        var t = next
        let step = r.kind == .nrt ? Self.nrtInterval : r.queryFrequency
        while t < until { t += step }
        nextRun[ruleID] = t
    }

    public mutating func tick(now: Int64) -> [RuleRun] {
        var out: [RuleRun] = []
        for id in rules.keys.sorted() {
            let r = rules[id]!
            while let t = nextRun[id], t <= now {
                if r.kind == .nrt {
                    out.append(RuleRun(ruleID: id, runTime: t, windowStart: t - Self.nrtInterval, windowEnd: t,
                                       isBackfill: now - t >= Self.nrtInterval, byIngestionTime: true))
                    nextRun[id] = t + Self.nrtInterval
                    continue
                }
                out.append(RuleRun(ruleID: id, runTime: t, windowStart: t - delay - r.queryPeriod, windowEnd: t - delay,
                                   isBackfill: now - t >= r.queryFrequency))
                nextRun[id] = t + r.queryFrequency
            }
        }
        return out.sorted { ($0.runTime, $0.ruleID) < ($1.runTime, $1.ruleID) }
    }
}
