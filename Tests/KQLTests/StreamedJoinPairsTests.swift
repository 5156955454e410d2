import Testing
@testable import KQL

/// A streamed join's pairs of one part, split across cores above 200,000 rows: the same pairs, in
/// row order, as one pass over the part.
@Suite struct StreamedJoinPairsTests {
    @Test func pairsSplitAcrossCoresKeepRowOrder() {
        var rng = SplitMix(seed: 11)
        for n in [0, 1, 7, 199_999, 200_000, 300_001] {
            let lrow = (0..<n).map { _ in Int.random(in: -3..<50, using: &rng) }
            let pass = (0..<n).map { _ in Bool.random(using: &rng) }
            for mask in [nil, pass] {
                var li: [Int] = [], ri: [Int] = []
                for i in 0..<n where lrow[i] >= 0 && mask?[i] ?? true { li.append(lrow[i]); ri.append(i) }
                let got = QueryExecutor.pairs(lrow, mask)
                #expect(got.li == li && got.ri == ri, "n=\(n) mask=\(mask != nil)")
                // The same rows probed through dictionary codes: code c joins left row rowOf[c].
                let rowOf = (0..<60).map { c in c < 53 ? c - 3 : -1 }
                let codes = lrow.map { l in UInt32(l + 3) }
                let coded = QueryExecutor.pairs(.coded(codes, rowOf), mask)
                #expect(coded.li == li && coded.ri == ri, "coded n=\(n) mask=\(mask != nil)")
            }
        }
    }
}
