import Foundation
import Testing
import KQL
import KQLSyntax
import VigilApp

/// Random mutations of valid queries through the parser and the binder: nothing may crash or hang.
/// `VIGIL_FUZZ_ITERATIONS` raises the count for a longer opt-in run.
@Suite struct FuzzTests {
    static let seeds: [String] = {
        var out = ConformanceTests.cases.map(\.query)
        let dir = SentinelRuleTests.fixtures.appendingPathComponent("sentinel-rules")
        for f in SentinelRuleTests.rules {
            if let t = try? String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8), let r = t.range(of: "query: |") {
                out.append(String(t[r.upperBound...].prefix(3000)))
            }
        }
        return out.filter { !$0.isEmpty }
    }()

    static let fragments = ["|", "(", ")", "[", "]", "{", "}", ",", ";", "\"", "'", "@", "`", "..", "==", "!", "~", "=", "*", "$left.",
                            " where ", " summarize ", " by ", " join ", " on ", " let ", " datetime(", " dynamic(", " mv-expand ",
                            "1d", "-9223372036854775808", "1e308", "0x", "h'", "```", "\\", "\u{0}", "é", "🙂", " project-away ",
                            " extend ", " parse ", " with ", "(*)", "toscalar(", "range x from 1 to ", " step 0"]

    typealias RNG = SplitMix

    static func mutate(_ s: String, _ rng: inout RNG) -> String {
        var c = Array(s.unicodeScalars)
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let i = c.isEmpty ? 0 : Int.random(in: 0..<c.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !c.isEmpty: c.remove(at: i)
            case 1: c.insert(contentsOf: fragments.randomElement(using: &rng)!.unicodeScalars, at: i)
            case 2 where c.count > 2:
                let j = Int.random(in: 0..<c.count, using: &rng)
                c.swapAt(i, j)
            case 3 where !c.isEmpty:
                let len = min(c.count - i, Int.random(in: 1...20, using: &rng))
                c.insert(contentsOf: c[i..<(i + len)], at: i)
            default:
                if !c.isEmpty { c.removeSubrange(i..<min(c.count, i + Int.random(in: 1...30, using: &rng))) }
            }
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: c)
        return out
    }

    @Test func mutatedQueriesNeverCrash() {
        let iterations = ProcessInfo.processInfo.environment["VIGIL_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 100_000
        var rng = RNG(seed: 42)
        let runner = QueryRunner(provider: SentinelRuleTests.catalog(), now: 0)
        var parsed = 0, bound = 0
        for k in 0..<iterations {
            let q = Self.mutate(Self.seeds[k % Self.seeds.count], &rng)
            // VIGIL_FUZZ_TRACE=path writes each input before running it, to find a crasher.
            if let trace = ProcessInfo.processInfo.environment["VIGIL_FUZZ_TRACE"] { try? q.write(toFile: trace, atomically: false, encoding: .utf8) }
            let syntax = Parser.parse(q)
            parsed += 1
            // Bind (run over empty tables) every mutation that still parses, and a sample of the rest.
            if syntax.diagnostics.isEmpty || k % 10 == 0 {
                _ = runner.run(q, parseOnly: true)
                bound += 1
            }
        }
        #expect(parsed == iterations)
        #expect(bound > 0)
    }
}
