import KQL
import Testing
@testable import VigilStore

/// The decoded-column cache under the scan it exists for: the same month-wide query again, reading
/// more extents than the cache holds, in the same order each time.
@Suite struct ColumnCacheTests {
    static func column(_ n: Int) -> Column { Column(type: .long, data: .int64([Int64](repeating: 1, count: n)), nulls: nil) }

    /// Plain LRU hits nothing here (each column is evicted just before the next run needs it); the
    /// columns that fitted stay and only the rest are decoded again.
    @Test func aRepeatedScanLargerThanTheCacheKeepsWhatFitted() {
        let size = ColumnCache.estimate(Self.column(1_000))
        var cache = ColumnCache(budgetBytes: size * 10)
        var hits: [Int] = []
        for _ in 0..<3 {
            cache.beginScan()
            var h = 0
            for e in 0..<12 {
                if cache.get("E\(e)|EventID") != nil { h += 1 } else { cache.put("E\(e)|EventID", Self.column(1_000)) }
            }
            hits.append(h)
        }
        #expect(hits == [0, 10, 10])
        #expect(cache.bytes <= size * 10)
    }

    /// A new query's columns still replace what older queries left, least recently used first.
    @Test func aNewScanEvictsWhatEarlierScansUsedLeastRecently() {
        let size = ColumnCache.estimate(Self.column(1_000))
        var cache = ColumnCache(budgetBytes: size * 3)
        cache.beginScan()
        for k in ["a", "b", "c"] { cache.put(k, Self.column(1_000)) }
        cache.beginScan()
        _ = cache.get("a")
        cache.put("d", Self.column(1_000))
        #expect(cache.get("b") == nil)
        #expect(cache.get("a") != nil && cache.get("c") != nil && cache.get("d") != nil)
    }
}
