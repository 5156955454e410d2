import Foundation

/// `vigil scoring calibrate`: a monotone mapping from risk score to the probability that an incident
/// is a true positive, fitted on closed incidents' classifications by isotonic regression (pool
/// adjacent violators), with its Brier score and a reliability table. A higher score never maps to a
/// lower probability, and every step is backed by the incidents it pools.
public struct Calibration: Sendable, Codable, Equatable {
    /// Steps in increasing score: incidents scoring up to `maxScore` (and above the previous step) are
    /// true positives with `probability`; `count` incidents back it.
    public struct Step: Sendable, Codable, Equatable {
        public var maxScore: Int
        public var probability: Double
        public var count: Int
    }
    public struct Bin: Sendable, Codable, Equatable {
        public var label: String
        public var count: Int
        public var predicted: Double
        public var observed: Double
    }
    public var steps: [Step]
    public var samples: Int
    public var brier: Double
    /// The Brier score of always predicting the base rate: what the mapping must beat.
    public var baselineBrier: Double
    public var reliability: [Bin]

    public static func fit(_ samples: [(score: Int, truePositive: Bool)]) -> Calibration {
        let sorted = samples.sorted { $0.score < $1.score }
        // Blocks of equal scores, then pooled while a block's rate is below the previous one's.
        var blocks: [(maxScore: Int, sum: Double, count: Int)] = []
        for s in sorted {
            if let last = blocks.last, last.maxScore == s.score {
                blocks[blocks.count - 1].sum += s.truePositive ? 1 : 0
                blocks[blocks.count - 1].count += 1
            } else {
                blocks.append((s.score, s.truePositive ? 1 : 0, 1))
            }
            // Pooled also when equal: one step per distinct probability.
            while blocks.count > 1, blocks[blocks.count - 1].sum / Double(blocks[blocks.count - 1].count) <= blocks[blocks.count - 2].sum / Double(blocks[blocks.count - 2].count) {
                let b = blocks.removeLast()
                blocks[blocks.count - 1].sum += b.sum
                blocks[blocks.count - 1].count += b.count
                blocks[blocks.count - 1].maxScore = b.maxScore
            }
        }
        let steps = blocks.map { Step(maxScore: $0.maxScore, probability: ($0.sum / Double($0.count) * 1000).rounded() / 1000, count: $0.count) }
        var c = Calibration(steps: steps, samples: samples.count, brier: 0, baselineBrier: 0, reliability: [])
        guard !samples.isEmpty else { return c }
        let base = Double(samples.filter(\.truePositive).count) / Double(samples.count)
        c.brier = samples.reduce(0) { $0 + pow(c.probability($1.score) - ($1.truePositive ? 1 : 0), 2) } / Double(samples.count)
        c.baselineBrier = samples.reduce(0) { $0 + pow(base - ($1.truePositive ? 1 : 0), 2) } / Double(samples.count)
        for lo in stride(from: 0.0, to: 1.0, by: 0.2) {
            let inBin = samples.filter { let p = c.probability($0.score); return p >= lo && (p < lo + 0.2 || (lo >= 0.8 && p <= 1)) }
            guard !inBin.isEmpty else { continue }
            c.reliability.append(Bin(label: String(format: "%.1f-%.1f", lo, lo + 0.2), count: inBin.count,
                                     predicted: inBin.reduce(0) { $0 + c.probability($1.score) } / Double(inBin.count),
                                     observed: Double(inBin.filter(\.truePositive).count) / Double(inBin.count)))
        }
        return c
    }

    /// The probability for a score: the first step whose range holds it (beyond the last: the last).
    public func probability(_ score: Int) -> Double {
        steps.first { score <= $0.maxScore }?.probability ?? steps.last?.probability ?? 0
    }
}
