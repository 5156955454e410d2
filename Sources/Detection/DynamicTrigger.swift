import Foundation
public import VigilCore

/// The learned trigger of `triggerThreshold: dynamic`: a robust upper bound on the rule's result count
/// from its own earlier runs. Median and median absolute deviation, not mean and standard deviation,
/// so that the attack being detected (or an earlier one) does not inflate its own baseline.
public enum DynamicTrigger {
    public struct Threshold: Sendable, Equatable {
        public var value: Int
        public var median: Double
        public var spread: Double
        public var runs: Int
        /// The numbers behind `value`, for the alert and `vigil rules tune`.
        public var explanation: String
    }

    /// `counts`: the result counts of the rule's earlier runs within `history`, any order.
    public static func threshold(_ d: AnalyticsRule.DynamicThreshold, counts: [Int]) -> Threshold {
        guard counts.count >= d.minimumRuns else {
            return Threshold(value: d.minimum, median: 0, spread: 0, runs: counts.count,
                             explanation: "learning: \(counts.count) of \(d.minimumRuns) runs seen, minimum \(d.minimum) applies")
        }
        let sorted = counts.map(Double.init).sorted()
        let median = Self.median(sorted)
        let mad = Self.median(sorted.map { abs($0 - median) }.sorted())
        // 1.4826 * MAD estimates the standard deviation of normal data; counts of rare events are
        // Poisson-like (variance = mean), and a spread of at least 1 keeps an all-zero history from
        // firing on a single row.
        let spread = max(1.4826 * mad, median.squareRoot(), 1)
        let raw = median + d.sensitivity * spread
        let value = max(d.minimum, Int(raw.rounded(.up)))
        let f = { (x: Double) in String(format: "%.2f", x) }
        return Threshold(value: value, median: median, spread: spread, runs: counts.count,
                         explanation: "median \(f(median)) + \(f(d.sensitivity)) x spread \(f(spread)) over \(counts.count) runs, minimum \(d.minimum)")
    }

    static func median(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}
