public import VigilCore

/// The result counts of earlier runs per rule, which dynamic triggers learn from. Filled as runs
/// happen, from the rule-run log when Vigil starts, or by `DetectionRunner.learn` for a replay that
/// starts with no history.
public struct RunHistory: Sendable {
    var runs: [String: [(time: Int64, count: Int)]] = [:]
    public init() {}

    public mutating func record(ruleID: String, runTime: Int64, count: Int) {
        runs[ruleID, default: []].append((runTime, count))
    }

    public func hasHistory(_ ruleID: String) -> Bool { !(runs[ruleID]?.isEmpty ?? true) }

    /// Counts of the runs in `[before - within, before)`.
    public func counts(_ ruleID: String, before: Int64, within: Int64) -> [Int] {
        (runs[ruleID] ?? []).filter { $0.time < before && $0.time >= before - within }.map(\.count)
    }

    /// Drops runs older than `horizon` (a live process keeps only what the triggers can use).
    public mutating func prune(olderThan horizon: Int64) {
        for k in runs.keys { runs[k]?.removeAll { $0.time < horizon } }
    }
}

extension DetectionRunner {
    /// Replays a dynamic rule's schedule over the `history` before `start` and records only the result
    /// counts: the baseline a replay or a first start needs before its first real run.
    public func learn(_ rule: AnalyticsRule, before start: Int64, delay: Int64, into history: inout RunHistory) {
        guard let d = rule.dynamicThreshold, rule.queryFrequency > 0 else { return }
        var t = start - rule.queryFrequency * ((d.history + rule.queryFrequency - 1) / rule.queryFrequency)
        while t < start {
            let run = RuleRun(ruleID: rule.id, runTime: t, windowStart: t - delay - rule.queryPeriod, windowEnd: t - delay, isBackfill: true)
            let o = execute(rule, run)
            if o.error == nil { history.record(ruleID: rule.id, runTime: t, count: o.resultRows) }
            t += rule.queryFrequency
        }
    }
}
