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
    /// A scheduled run that starts this late was missed (Vigil was down or busy) and is a back-fill.
    public static let lateAfter: Int64 = 600_000_000
    /// How often NRT rules run (Sentinel: every minute; shorter in tests and latency benchmarks).
    public let nrtEvery: Int64
    public private(set) var nextRun: [String: Int64] = [:]
    var rules: [String: AnalyticsRule] = [:]
    /// Where each NRT rule's next window starts (the end of its previous one).
    var nrtFrom: [String: Int64] = [:]

    /// `start` is when the schedule begins: each rule's first run is at `start`, or, for a rule in
    /// `lastRuns` (a restart), one period after its last run, so the runs missed while Vigil was down
    /// are made up as back-fills, at most `maxBackfill` of them per rule. An NRT rule makes up for a
    /// downtime with one run over everything ingested since its last window.
    public init(rules: [AnalyticsRule], start: Int64, delay: Int64 = 5 * 600_000_000, nrtEvery: Int64 = nrtInterval,
                lastRuns: [String: Int64] = [:], maxBackfill: Int = .max) {
        self.delay = delay
        self.nrtEvery = nrtEvery
        for r in rules where r.enabled && (r.kind == .nrt || r.queryFrequency > 0) {
            self.rules[r.id] = r
            guard let last = lastRuns[r.id] else { nextRun[r.id] = start; continue }
            if r.kind == .nrt {
                nrtFrom[r.id] = last
                nextRun[r.id] = last + nrtEvery
                continue
            }
            var next = last + r.queryFrequency
            if maxBackfill < .max, start - next > Int64(maxBackfill) * r.queryFrequency {
                next += ((start - next) / r.queryFrequency - Int64(maxBackfill)) * r.queryFrequency
            }
            nextRun[r.id] = next
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
        let step = r.kind == .nrt ? nrtEvery : r.queryFrequency
        while t < until { t += step }
        nextRun[ruleID] = t
    }

    public mutating func tick(now: Int64) -> [RuleRun] {
        var out: [RuleRun] = []
        for id in rules.keys.sorted() {
            let r = rules[id]!
            while let t = nextRun[id], t <= now {
                if r.kind == .nrt {
                    // Missed NRT runs collapse into one run over the whole gap (rows by ingestion time).
                    let late = now - t >= nrtEvery
                    let end = late ? now : t
                    let from = nrtFrom[id] ?? (end - nrtEvery)
                    out.append(RuleRun(ruleID: id, runTime: end, windowStart: from, windowEnd: end, isBackfill: late, byIngestionTime: true))
                    nrtFrom[id] = end
                    nextRun[id] = end + nrtEvery
                    continue
                }
                out.append(RuleRun(ruleID: id, runTime: t, windowStart: t - delay - r.queryPeriod, windowEnd: t - delay,
                                   isBackfill: now - t >= min(r.queryFrequency, Self.lateAfter)))
                nextRun[id] = t + r.queryFrequency
            }
        }
        return out.sorted { ($0.runTime, $0.ruleID) < ($1.runTime, $1.ruleID) }
    }
}
