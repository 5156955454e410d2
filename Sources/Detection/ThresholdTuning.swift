public import VigilCore

/// `vigil rules tune`: from the result counts a rule's runs had over history, the thresholds one could
/// set and the alert volume each would have produced, so that a threshold is chosen from data rather
/// than guessed. Suppression is not simulated (it only lowers the volume).
public enum ThresholdTuning {
    public struct Proposal: Sendable, Equatable {
        /// What the threshold is: "current", "p90", "dynamic"...
        public var label: String
        /// The fixed threshold (`gt`); nil for the learned one.
        public var threshold: Int?
        public var firingRuns: Int
        public var alerts: Int
    }

    /// `counts` in run order (the dynamic trigger learns from the runs before each one).
    public static func proposals(rule: AnalyticsRule, counts: [Int], history: [Int] = []) -> [Proposal] {
        guard !counts.isEmpty else { return [] }
        func alerts(_ c: Int) -> Int { rule.eventGrouping == .singleAlert ? 1 : min(c, AlertBuilder.maxAlertsPerRun) }
        func fixed(_ label: String, _ t: Int) -> Proposal {
            let firing = counts.filter { rule.triggerOperator.fires(count: $0, threshold: t) && $0 > 0 }
            return Proposal(label: label, threshold: t, firingRuns: firing.count, alerts: firing.reduce(0) { $0 + alerts($1) })
        }
        var out = [fixed("current", rule.triggerThreshold)]
        if rule.triggerOperator == .gt {
            let sorted = counts.sorted()
            var seen: Set<Int> = [rule.triggerThreshold]
            for (label, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p99.9", 0.999), ("max", 1.0)] {
                let t = sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded(.up)))]
                if seen.insert(t).inserted { out.append(fixed(label, t)) }
            }
            let d = rule.dynamicThreshold ?? AnalyticsRule.DynamicThreshold()
            var past = history, firing = 0, total = 0
            for c in counts {
                let t = DynamicTrigger.threshold(d, counts: Array(past.suffix(Self.runs(in: d.history, every: rule.queryFrequency))))
                if c > t.value && c > 0 { firing += 1; total += alerts(c) }
                past.append(c)
            }
            out.append(Proposal(label: "dynamic (sensitivity \(d.sensitivity), history \(RuleDuration.format(d.history)))", threshold: nil, firingRuns: firing, alerts: total))
        }
        return out
    }

    static func runs(in history: Int64, every frequency: Int64) -> Int {
        frequency > 0 ? Int(max(1, history / frequency)) : Int.max
    }
}
