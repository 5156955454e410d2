import Foundation
import Testing
@testable import KQL
import KQLSyntax

/// Simple-mode `parse` without a regular expression must find what the regex Kusto documents finds
/// (`^(.*?)lit(.*?)...(.*)`, `.` stopping at line terminators), on random patterns and lines built
/// from a small alphabet so that literals recur, lines break and texts run out.
@Suite struct LiteralParsePatternTests {
    static let alphabet = ["a", "b", "=", " ", "\n", "é", "\r", "\u{2028}", "ab", "x"]

    /// The regex of the pattern, as `parse` builds it in simple mode.
    static func regex(_ parts: [ParsePart]) -> String {
        var out = "^"
        for (i, part) in parts.enumerated() {
            switch part {
            case .text(let s): out += NSRegularExpression.escapedPattern(for: s)
            case .wildcard: out += "(?:.*?)"
            case .column:
                let isLast = !parts[(i + 1)...].contains { if case .text = $0 { return true }; return false }
                out += isLast ? "(.*)" : "(.*?)"
            }
        }
        return out
    }

    static func byRegex(_ parts: [ParsePart], _ line: String) throws -> [String]? {
        let re = try NSRegularExpression(pattern: regex(parts))
        let ns = line as NSString
        guard let m = re.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)) else { return nil }
        return (1..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
    }

    @Test func findsWhatTheRegexFinds() throws {
        var rng = SplitMix(seed: 7)
        var matched = 0, compared = 0
        for _ in 0..<4_000 {
            var parts: [ParsePart] = []
            var columns = 0
            for k in 0..<Int.random(in: 1...6, using: &rng) {
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: parts.append(.text((0..<Int.random(in: 1...2, using: &rng)).map { _ in Self.alphabetPick(&rng) }.joined()))
                case 1: parts.append(.wildcard)
                default: parts.append(.column("c\(k)", nil)); columns += 1
                }
            }
            guard let pattern = LiteralParsePattern(parts) else { Issue.record("no pattern for \(parts)"); continue }
            #expect(pattern.columns == columns)
            for _ in 0..<5 {
                let line = (0..<Int.random(in: 0...12, using: &rng)).map { _ in Self.alphabetPick(&rng) }.joined()
                let bytes = Array(line.utf8)
                let mine = pattern.match(bytes).map { $0.map { String(decoding: bytes[$0], as: UTF8.self) } }
                let theirs = try Self.byRegex(parts, line)
                #expect(mine == theirs, "pattern \(parts) on \(line.debugDescription)")
                compared += 1
                if theirs != nil { matched += 1 }
            }
        }
        // Both outcomes are exercised.
        #expect(matched > compared / 10 && matched < compared * 9 / 10, "\(matched) of \(compared) matched")
    }

    static func alphabetPick(_ rng: inout SplitMix) -> String { alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }

    /// Typed captures and empty texts keep the regex.
    @Test func typedCapturesAndEmptyTextsAreLeftToTheRegex() {
        #expect(LiteralParsePattern([.text("id="), .column("n", "long")]) == nil)
        #expect(LiteralParsePattern([.column("a", nil), .text("")]) == nil)
        #expect(LiteralParsePattern([.wildcard, .text("user="), .column("u", "string"), .text(" "), .wildcard])?.columns == 1)
    }
}

