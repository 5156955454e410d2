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

    public init(ruleID: String, runTime: Int64, windowStart: Int64, windowEnd: Int64, isBackfill: Bool) {
        self.ruleID = ruleID; self.runTime = runTime; self.windowStart = windowStart; self.windowEnd = windowEnd; self.isBackfill = isBackfill
    }
}

/// Sentinel's scheduling as a pure state machine: each enabled scheduled rule runs every
/// `queryFrequency` over `[run - delay - queryPeriod, run - delay)`; `tick(now:)` returns the runs due
/// up to `now`, oldest first, including the ones missed while Vigil was down (recorded as back-fills).
public struct RuleScheduler: Sendable {
    public let delay: Int64
    public private(set) var nextRun: [String: Int64] = [:]
    var rules: [String: AnalyticsRule] = [:]

    /// `start` is when the schedule begins: each rule's first run is at `start`.
    public init(rules: [AnalyticsRule], start: Int64, delay: Int64 = 5 * 600_000_000) {
        self.delay = delay
        for r in rules where r.enabled && r.kind == .scheduled && r.queryFrequency > 0 {
            self.rules[r.id] = r
            nextRun[r.id] = start
        }
    }

    public mutating func tick(now: Int64) -> [RuleRun] {
        var out: [RuleRun] = []
        for id in rules.keys.sorted() {
            let r = rules[id]!
            while let t = nextRun[id], t <= now {
                out.append(RuleRun(ruleID: id, runTime: t, windowStart: t - delay - r.queryPeriod, windowEnd: t - delay,
                                   isBackfill: now - t >= r.queryFrequency))
                nextRun[id] = t + r.queryFrequency
            }
        }
        return out.sorted { ($0.runTime, $0.ruleID) < ($1.runTime, $1.ruleID) }
    }
}
