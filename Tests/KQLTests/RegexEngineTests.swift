import Foundation
import Testing
@testable import KQL

/// Vigil's own regular-expression engine (`KQLRegex`): Kusto's dialect, linear time.
@Suite struct RegexEngineTests {
    /// The first match and its groups as texts ("-" for a group that did not take part), or nil.
    static func groups(_ pattern: String, _ text: String, flags: String = "") throws -> [String]? {
        let re = try RegexCache.shared.regex(pattern, flags: flags)
        guard let m = re.firstMatch(in: text) else { return nil }
        return m.groups.map { $0.map { String(text[$0]) } ?? "-" }
    }

    @Test(arguments: [
        // pattern, text, expected groups of the first match (nil: no match)
        ("a+", "baaab", ["aaa"]),
        ("a+?", "baaab", ["a"]),
        ("(a|ab)(c|bcd)(d*)", "abcd", ["abcd", "a", "bcd", ""]),
        ("(?i)HeLLo", "say hello", ["hello"]),
        ("(?i)[a-c]+", "xxABCabcD", ["ABCabc"]),
        ("(?i)[^a]", "Aab", ["b"]),
        ("(?i)k", "\u{212A}", ["\u{212A}"]),
        ("x*", "aaa", [""]),
        ("^abc$", "abc", ["abc"]),
        ("^abc$", "abc\n", nil),
        ("(?m)^b$", "a\nb\nc", ["b"]),
        ("(?s)a.b", "a\nb", ["a\nb"]),
        ("a.b", "a\nb", nil),
        ("\\bfoo\\b", "a foo.", ["foo"]),
        ("\\bfoo\\b", "afoo", nil),
        ("\\Bo", "foo", ["o"]),
        ("\\<\\w+\\>", "  word!", ["word"]),
        ("\\b{start}b", "ab b", ["b"]),
        ("\\d+", "x\u{0663}\u{0664}1", ["\u{0663}\u{0664}1"]),
        ("(?-u:\\d)+", "\u{0663}42", ["42"]),
        ("\\w+", "héllo wörld", ["héllo"]),
        ("\\s+", "a\u{00A0}\tb", ["\u{00A0}\t"]),
        ("\\p{Lu}+", "abcDEFg", ["DEF"]),
        ("\\p{Letter}+", "12ab3", ["ab"]),
        ("\\pN", "ab7", ["7"]),
        ("\\P{L}+", "ab12cd", ["12"]),
        ("[[:digit:]x]+", "ab1x2c", ["1x2"]),
        ("[[:^alpha:]]+", "ab12cd", ["12"]),
        ("[a-y&&xyz]+", "axyzb", ["xy"]),
        ("[0-9--4]+", "123456", ["123"]),
        ("[a-g~~b-h]+", "cahb", ["ah"]),
        ("[x[^xyz]]+", "yxab", ["xab"]),
        ("[\\[\\]]+", "a[]b", ["[]"]),
        ("[]a]+", "b]a]", ["]a]"]),
        ("[a-]+", "x-a-", ["-a-"]),
        ("(?P<year>\\d{4})-(?<month>\\d{2})", "on 2024-05-01", ["2024-05", "2024", "05"]),
        ("a{2,3}", "aaaa", ["aaa"]),
        ("a{2,3}?", "aaaa", ["aa"]),
        ("a{2}", "a aa", ["aa"]),
        ("a{,2}", "a{,2}", ["a{,2}"]),
        ("x{", "x{", ["x{"]),
        ("(?U)a+", "aaa", ["a"]),
        ("(?U)a+?", "aaa", ["aaa"]),
        ("(?i)a(?-i)b", "AbAB", ["Ab"]),
        ("(?i:a)b", "AB Ab", ["Ab"]),
        ("(?x) a b  # comment\n c", "abc", ["abc"]),
        ("\\x41\\x{42}\\u0043\\u{44}\\U00000045\\101", "ABCDEA", ["ABCDEA"]),
        ("\\Q.*\\E+", "a.**", [".**"]),
        ("(a)|(b)", "b", ["b", "-", "b"]),
        ("(a*)+", "b", ["", ""]),
        ("(a|b)*?c", "abc", ["abc", "b"]),
        ("\\$\\.\\*\\-", "$.*-", ["$.*-"]),
        ("é+", "ééé", ["ééé"]),
        ("(?R)(?m)^b$", "a\r\nb\r\n", ["b"]),
        ("\\Aab", "ab", ["ab"]),
        ("ab\\z", "ab", ["ab"]),
    ] as [(String, String, [String]?)])
    func matchesAsKustoDocuments(_ pattern: String, _ text: String, _ expected: [String]?) throws {
        #expect(try Self.groups(pattern, text) == expected, "\(pattern) over \(text.debugDescription)")
    }

    @Test(arguments: [
        ("(?=a)", "lookahead"), ("(?!a)", "negative lookahead"), ("(?<=a)b", "lookbehind"), ("(?<!a)b", "negative lookbehind"),
        ("(a)\\1", "backreferences"), ("(?>a)", "atomic"), ("(a", "unclosed group"), ("a)", "unmatched ')'"),
        ("[a", "unclosed character class"), ("*a", "nothing to repeat"), ("a{1001}", "may not exceed 1000"),
        ("a{3,2}", "minimum is above its maximum"), ("\\p{Nope}", "unknown Unicode class"), ("(?y)", "unknown flag"),
        ("(?P<1x>a)", "invalid group name"), ("\\e", "unrecognized escape"), ("(?P<a>x)(?P<a>y)", "duplicate group name"),
        ("[z-a]", "end is before its start"), ("a\\", "lone backslash"), ("((a{1000}){1000}){1000}", "too large"),
    ])
    func unsupportedOrInvalidPatternsAreErrorsThatSayWhy(_ pattern: String, _ reason: String) {
        do {
            _ = try RegexCache.shared.regex(pattern)
            Issue.record("\(pattern) compiled")
        } catch let e as KQLError {
            #expect(e.code == "KQL4002")
            #expect(e.message.contains(reason), "\(e.message)")
            #expect(e.message.contains("at character"))
        } catch {
            Issue.record("\(error)")
        }
    }

    /// Patterns a backtracking engine takes exponential time on: each is answered in one pass.
    @Test(arguments: [
        ("(x+x+)+y", String(repeating: "x", count: 20_000), false),
        ("(a*)*b", String(repeating: "a", count: 20_000), false),
        ("(a|aa)*c", String(repeating: "a", count: 20_000) + "c", true),
        ("^(\\w+\\s?)*$", String(repeating: "word ", count: 4_000) + "!", false),
        ("(.*a){12}", String(repeating: "a", count: 5_000), true),
    ])
    func pathologicalPatternsRunInLinearTime(_ pattern: String, _ text: String, _ expected: Bool) throws {
        #expect(try RegexCache.shared.regex(pattern).isMatch(text) == expected)
        #expect((try RegexCache.shared.regex(pattern).firstMatch(in: text) != nil) == expected)
    }

    @Test func iterationSkipsAnEmptyMatchWhereTheLastMatchEnded() throws {
        let re = try RegexCache.shared.regex("b*")
        #expect(re.replace(in: "abc", with: "-") == "-a-c-")
        #expect(re.matches(in: "abc").count == 3)
        #expect(try RegexCache.shared.regex("(\\w)(\\d)?").replace(in: "a1 b", with: "<\\2\\1\\0>") == "<1aa1> <bb>")
        #expect(try RegexCache.shared.regex("é").replace(in: "aéb", with: "\\\\e") == "a\\eb")
    }

    /// Random patterns over {a, b} against NSRegularExpression (a backtracking, leftmost-first engine):
    /// on this subset both dialects agree, so every match and group must be the same.
    @Test func randomPatternsMatchAsABacktrackingEngineDoes() throws {
        var rng = SplitMix(seed: 7)
        var compared = 0
        for _ in 0..<3_000 {
            let pattern = Self.randomPattern(&rng, depth: 3)
            let text = String((0..<Int(rng.next() % 9)).map { _ in rng.next() % 2 == 0 ? Character("a") : Character("b") })
            guard let ns = try? NSRegularExpression(pattern: pattern) else { continue }
            let ours = try RegexCache.shared.regex(pattern)
            let range = NSRange(text.startIndex..<text.endIndex, in: text)
            let theirs = ns.firstMatch(in: text, range: range).map { m in
                (0..<m.numberOfRanges).map { g in Range(m.range(at: g), in: text).map { String(text[$0]) } ?? "-" }
            }
            let mine = ours.firstMatch(in: text).map { m in m.groups.map { $0.map { String(text[$0]) } ?? "-" } }
            // A repeated group that can match empty ends its loop differently in a backtracking engine
            // (an empty iteration goes on after the loop; in the VM it dies), as in RE2 and Rust's regex.
            if Self.repeatsSomethingEmpty(pattern) { #expect((mine == nil) == (theirs == nil), "\(pattern) over \(text)"); continue }
            #expect(mine == theirs, "\(pattern) over \(text)")
            compared += 1
        }
        #expect(compared > 1_000)
    }

    /// The lazy DFA (what `matches regex` runs) against the VM, with assertions, line modes and
    /// non-ASCII text; and a pattern with more states than the DFA's budget, finished on the VM.
    @Test func theLazyDFAAgreesWithTheVM() throws {
        var rng = SplitMix(seed: 11)
        let alphabet: [Character] = ["a", "b", "é", " ", "\n", "\r"]
        var matches = 0
        for k in 0..<4_000 {
            var pattern = Self.randomPattern(&rng, depth: 3)
            pattern = pattern.replacingOccurrences(of: "b", with: k % 3 == 0 ? "\\w" : "[bé]")
            if k % 4 == 1 { pattern = "(?m)" + pattern + "$" }
            if k % 5 == 2 { pattern = "(?R)(?m)^" + pattern }
            let text = String((0..<Int(rng.next() % 12)).map { _ in alphabet[Int(rng.next() % 6)] })
            let re = try RegexCache.shared.regex(pattern)
            let vm = RegexMatcher(re.program)
            var out: [Int] = []
            let expected = Array(text.utf8).withUnsafeBufferPointer { vm.search($0, from: 0, captures: false, out: &out) }
            #expect(re.isMatch(text) == expected, "\(pattern) over \(text.debugDescription)")
            if expected { matches += 1 }
        }
        #expect(matches > 500)
        let wide = try RegexCache.shared.regex("(a|b)*a(a|b){14}c")
        for n in [10, 200, 3_000] {
            let text = String((0..<n).map { _ in rng.next() % 2 == 0 ? Character("a") : Character("b") })
            #expect(!wide.isMatch(text))
            #expect(wide.isMatch(text + "a" + String(repeating: "b", count: 14) + "c"))
        }
    }

    static func repeatsSomethingEmpty(_ pattern: String) -> Bool {
        var parser = RegexParser(pattern)
        guard let node = try? parser.parse() else { return true }
        func visit(_ n: RegexNode) -> Bool {
            switch n {
            case .repetition(let inner, _, _, _): return RegexProgram.canBeEmpty(inner) || visit(inner)
            case .capture(let inner, _): return visit(inner)
            case .concat(let items), .alternate(let items): return items.contains(where: visit)
            default: return false
            }
        }
        return visit(node)
    }

    static func randomPattern(_ rng: inout SplitMix, depth: Int) -> String {
        let r = rng.next() % (depth > 0 ? 9 : 4)
        switch r {
        case 0: return "a"
        case 1: return "b"
        case 2: return "[ab]"
        case 3: return "."
        case 4: return randomPattern(&rng, depth: depth - 1) + randomPattern(&rng, depth: depth - 1)
        case 5: return "(" + randomPattern(&rng, depth: depth - 1) + "|" + randomPattern(&rng, depth: depth - 1) + ")"
        case 6: return "(" + randomPattern(&rng, depth: depth - 1) + ")" + ["*", "+", "?", "*?", "+?", "{1,2}"][Int(rng.next() % 6)]
        case 7: return "(?:" + randomPattern(&rng, depth: depth - 1) + ")"
        default: return ["^", "$", "\\b"][Int(rng.next() % 3)] + randomPattern(&rng, depth: depth - 1)
        }
    }
}
