import Testing
@testable import KQL

/// The vectorized comparisons (one loop per operator) against the row-at-a-time definition: every
/// operator, column against column, column against scalar and scalar against column (the operator
/// flipped), nulls on either side, and doubles with NaN and infinities.
@Suite struct ComparisonKernelTests {
    static let ops: [Comparison.Op] = [.eq, .ne, .lt, .le, .gt, .ge]

    static func expected<T: Comparable>(_ x: [T], _ y: [T], _ op: Comparison.Op) -> [Bool] {
        zip(x, y).map { Comparison.test($0, $1, op) }
    }

    static func bools(_ v: Vec) -> (values: [Bool], nulls: [Bool]?) {
        guard case .column(let c) = v, case .bool(let b) = c.data else { return ([], nil) }
        return (b, c.nulls)
    }

    @Test func integersEveryOperatorAndShape() {
        var rng = SplitMix(seed: 5)
        let n = 1_000
        let x = (0..<n).map { _ in Int64.random(in: -5...5, using: &rng) }
        let y = (0..<n).map { _ in Int64.random(in: -5...5, using: &rng) }
        let xn = (0..<n).map { _ in Int.random(in: 0..<9, using: &rng) == 0 }
        for op in Self.ops {
            let cc = Self.bools(Comparison.kernel(.col(x, xn), .col(y, nil), n, op))
            #expect(cc.values == Self.expected(x, y, op), "\(op)")
            #expect(cc.nulls == xn)
            let s: Int64 = 2
            let cs = Self.bools(Comparison.kernel(.col(x, nil), .scalar(s), n, op))
            #expect(cs.values == Self.expected(x, [Int64](repeating: s, count: n), op), "\(op) col-scalar")
            let sc = Self.bools(Comparison.kernel(.scalar(s), .col(y, xn), n, op))
            #expect(sc.values == Self.expected([Int64](repeating: s, count: n), y, op), "\(op) scalar-col")
            #expect(sc.nulls == xn)
            let null = Self.bools(Comparison.kernel(.col(x, nil), .scalar(nil), n, op))
            #expect(null.nulls == [Bool](repeating: true, count: n))
        }
    }

    @Test func doublesWithNaNAndInfinities() {
        let special: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1.5, -1.5]
        let x = special.flatMap { a in special.map { _ in a } }
        let y = special.flatMap { _ in special }
        for op in Self.ops {
            let cc = Self.bools(Comparison.kernelF(.col(x, nil), .col(y, nil), x.count, op))
            #expect(cc.values == Self.expected(x, y, op), "\(op)")
            for s in special {
                let sc = Self.bools(Comparison.kernelF(.scalar(s), .col(y, nil), y.count, op))
                #expect(sc.values == Self.expected([Double](repeating: s, count: y.count), y, op), "\(op) \(s)")
            }
        }
    }
}
