import Testing
@testable import KQL
import KQLSyntax

/// The SIMD scanner against a plain reference implementation, on random text with matches placed
/// across 16-byte chunk edges, mixed case, and term boundaries.
@Suite struct StringMatchTests {
    static func reference(_ hay: String, _ needle: String, _ mode: StringMatch.Mode, _ cs: Bool) -> Bool {
        let h = Array((cs ? hay : hay.lowercased()).utf8), n = Array((cs ? needle : needle.lowercased()).utf8)
        if n.isEmpty { return true }
        guard h.count >= n.count else { return false }
        func term(_ c: UInt8) -> Bool { StringMatch.isTermByte(c) }
        for i in 0...(h.count - n.count) where Array(h[i..<(i + n.count)]) == n {
            let before = !term(n[0]) || i == 0 || !term(h[i - 1])
            let after = !term(n[n.count - 1]) || i + n.count == h.count || !term(h[i + n.count])
            switch mode {
            case .contains: return true
            case .has: if before && after { return true }
            case .hasPrefix: if before { return true }
            case .hasSuffix: if after { return true }
            default: return true
            }
        }
        return false
    }

    @Test func simdScanAgreesWithReference() {
        var rng = SplitMix(seed: 7)
        let alphabet = Array("abcAB -_.:\\/xyz0123".unicodeScalars)
        let needles = ["ab", "AB", "-enc", "bitsadmin", "a", "x y", "b.c", "zz9"]
        var checked = 0
        for _ in 0..<4000 {
            var hay = ""
            for _ in 0..<Int.random(in: 0..<70, using: &rng) { hay.unicodeScalars.append(alphabet.randomElement(using: &rng)!) }
            let needle = needles.randomElement(using: &rng)!
            if Bool.random(using: &rng) {
                let at = min(hay.count, Int.random(in: 0..<40, using: &rng))
                hay.insert(contentsOf: Bool.random(using: &rng) ? needle.uppercased() : needle, at: hay.index(hay.startIndex, offsetBy: at))
            }
            for mode in [StringMatch.Mode.contains, .has, .hasPrefix, .hasSuffix] {
                for cs in [false, true] {
                    let got = StringMatch.Needle(needle, mode: mode, caseSensitive: cs).matches(hay)
                    #expect(got == Self.reference(hay, needle, mode, cs), "\(mode) cs=\(cs) '\(needle)' in '\(hay)'")
                    checked += 1
                }
            }
        }
        #expect(checked == 32000)
    }
}

/// A query's scopes (and the tables its `let`s materialised) go with its executor: a long-running
/// server or a rule replay runs thousands of queries in one process.
@Suite struct ExecutorLifetimeTests {
    @Test func scopesAreFreedWithTheExecutor() throws {
        weak var scope: Scope?
        do {
            let ex = QueryExecutor(provider: InMemoryTables(schemas: [:]), context: EvalContext(now: 0))
            let q = Parser.parse("let t = range x from 1 to 1000 step 1; let f = (n: long) { t | where x < n }; f(10) | count")
            let r = try ex.run(q)
            #expect(r.first?.table.count == 1)
            scope = ex.rootScope
            #expect(scope != nil)
        }
        #expect(scope == nil)
    }
}

/// A few rows gathered from a column with a large dictionary (a rule's one-minute window of a month's
/// extent): string functions and sorts look at those rows' strings, not at every dictionary entry.
@Suite struct SmallGatherOverLargeDictionaryTests {
    static let big = Column.dictionaryEncoded((0..<1000).map { "value-\($0)" })

    @Test func perStringVisitsOnlyTheRowsStrings() {
        let few = Self.big.gather([7, 993, 7])
        var calls = 0
        let out = few.perString { s -> Int in calls += 1; return s.count }
        #expect(out == [7, 9, 7])
        #expect(calls == 3)
        #expect(few.perStringParallel { $0.hasSuffix("3") } == [false, true, false])
    }

    @Test func sortingAFewRowsOfABigDictionaryOrdersByTheirStrings() throws {
        let t = Table(schema: Schema([ColumnSchema("s", .string)]), columns: [Self.big.gather([500, 20, 999])], count: 3)
        let r = try QueryExecutor(provider: InMemoryTables(tables: ["T": t]), context: EvalContext(now: 0)).run(Parser.parse("T | sort by s asc"))
        #expect(r.first?.table.column(named: "s")?.strings == ["value-20", "value-500", "value-999"])
    }
}
