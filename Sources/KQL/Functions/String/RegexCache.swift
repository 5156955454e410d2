import Foundation
import Synchronization

/// A compiled regular expression in Kusto's dialect, run by Vigil's own linear-time engine
/// (`RegexMatcher`): a query's pattern cannot make a match take exponential time, whatever it is.
public final class KQLRegex: Sendable {
    let program: RegexProgram
    /// Named groups' numbers.
    public let groupNumbers: [String: Int]
    /// Capturing groups, not counting the whole match.
    public let groupCount: Int
    private let pool = Mutex<[RegexDFA]>([])

    init(_ pattern: String, flags: RegexParser.Flags = .init()) throws(RegexSyntaxError) {
        var parser = RegexParser(pattern, flags: flags)
        program = try RegexProgram(try parser.parse(), groups: parser.captureCount)
        groupNumbers = parser.names
        groupCount = parser.captureCount
    }

    public struct Match {
        public var range: Range<String.Index>
        /// Group 0 is the whole match; nil for a group that did not take part.
        public var groups: [Range<String.Index>?]
    }

    private func withMatcher<R>(_ body: (RegexDFA) -> R) -> R {
        let m = pool.withLock { $0.popLast() } ?? RegexDFA(RegexMatcher(program))
        defer { pool.withLock { if $0.count < 8 { $0.append(m) } } }
        return body(m)
    }

    /// Calls `body` with the text's UTF-8 bytes, making a bridged string native first.
    private static func bytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = s
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable(body)!
    }

    public func isMatch(_ s: String) -> Bool {
        Self.bytes(s) { t in isMatch(t) }
    }

    /// Most texts a query tests do not match: the required literal rejects many at memchr speed,
    /// the DFA the rest at a table load per byte; the VM runs only when the DFA's budget runs out.
    func isMatch(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        guard RegexMatcher.contains(program.required, caseless: program.requiredCaseless, in: t) else { return false }
        return withMatcher { m in
            if let answer = m.isMatch(t) { return answer }
            var out: [Int] = []
            return m.vm.search(t, from: 0, captures: false, out: &out)
        }
    }

    /// Byte offsets of every group of the first match (2 per group, -1 when a group did not take part).
    func firstMatchSlots(_ t: UnsafeBufferPointer<UInt8>, from: Int = 0) -> [Int]? {
        if from == 0 && !isMatch(t) { return nil }
        var out: [Int] = []
        let found = withMatcher { $0.vm.search(t, from: from, captures: true, out: &out) }
        return found ? out : nil
    }

    /// The successive matches, as Kusto iterates them: each search starts where the last match ended,
    /// and an empty match right where the previous one ended is skipped.
    func allMatchSlots(_ t: UnsafeBufferPointer<UInt8>) -> [[Int]] {
        var result: [[Int]] = []
        var from = 0
        var lastEnd = -1
        guard isMatch(t) else { return [] }
        withMatcher { d in
            let m = d.vm
            var out: [Int] = []
            while from <= t.count, m.search(t, from: from, captures: true, out: &out) {
                let (s, e) = (out[0], out[1])
                if s == e && s == lastEnd {
                    guard s < t.count else { break }
                    from = s + Self.scalarLength(t[s])
                    continue
                }
                result.append(out)
                lastEnd = e
                from = e > s ? e : (e < t.count ? e + Self.scalarLength(t[e]) : t.count + 1)
            }
        }
        return result
    }

    static func scalarLength(_ b: UInt8) -> Int { b < 0x80 ? 1 : (b < 0xE0 ? 2 : (b < 0xF0 ? 3 : 4)) }

    public func firstMatch(in s: String) -> Match? {
        Self.bytes(s) { t in firstMatchSlots(t).map { Self.match($0, s) } }
    }

    /// The text of group `g` (0: the whole match) of the first match, nil when there is no match or
    /// the group did not take part.
    public func group(_ g: Int, of s: String) -> Substring? {
        guard g >= 0, let m = firstMatch(in: s), g < m.groups.count, let r = m.groups[g] else { return nil }
        return s[r]
    }

    public func matches(in s: String) -> [Match] {
        Self.bytes(s) { t in allMatchSlots(t).map { Self.match($0, s) } }
    }

    private static func match(_ slots: [Int], _ s: String) -> Match {
        let u = s.utf8
        func index(_ off: Int) -> String.Index { u.index(u.startIndex, offsetBy: off) }
        var groups: [Range<String.Index>?] = []
        for g in 0..<(slots.count / 2) {
            let (a, b) = (slots[2 * g], slots[2 * g + 1])
            groups.append(a >= 0 && b >= a ? index(a)..<index(b) : nil)
        }
        return Match(range: groups[0]!, groups: groups)
    }

    /// Replaces every match with the rewrite pattern, where `\0`..`\9` are the match and its groups
    /// (a group that did not take part is empty) and any other escaped character is itself.
    public func replace(in s: String, with template: String) -> String {
        enum Piece { case text(String), group(Int) }
        var pieces: [Piece] = []
        var literal = ""
        var it = template.makeIterator()
        while let c = it.next() {
            if c == "\\", let d = it.next() {
                if let g = d.wholeNumberValue, d.isASCII {
                    if !literal.isEmpty { pieces.append(.text(literal)); literal = "" }
                    pieces.append(.group(g))
                } else {
                    literal.append(d)
                }
            } else {
                literal.append(c)
            }
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        return Self.bytes(s) { t in
            let all = allMatchSlots(t)
            if all.isEmpty { return s }
            var out: [UInt8] = []
            out.reserveCapacity(t.count)
            var last = 0
            for slots in all {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: t[last..<slots[0]]))
                for p in pieces {
                    switch p {
                    case .text(let x): out.append(contentsOf: x.utf8)
                    case .group(let g):
                        guard 2 * g + 1 < slots.count, slots[2 * g] >= 0 else { continue }
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: t[slots[2 * g]..<slots[2 * g + 1]]))
                    }
                }
                last = slots[1]
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: t[last..<t.count]))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Why `pattern` is not a regular expression Kusto accepts (with its position), or nil when it is:
    /// content converted from other dialects (Sigma's `re`) is checked with this when it loads.
    public static func problem(in pattern: String) -> String? {
        do { _ = try RegexCache.shared.regex(pattern); return nil } catch { return (error as? KQLError)?.message ?? "\(error)" }
    }

    /// `text` as a pattern that matches it literally.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            if "\\.+*?()|[]{}^$#&-~".unicodeScalars.contains(c) { out.append("\\") }
            out.unicodeScalars.append(c)
        }
        return out
    }
}

/// Patterns compile once per process; invalid patterns are a runtime error with code KQL4002 that
/// names what is wrong and where.
final class RegexCache: Sendable {
    static let shared = RegexCache()
    private let cache = Mutex<[String: KQLRegex]>([:])

    func regex(_ pattern: String, flags: String = "") throws -> KQLRegex {
        let key = flags + "\u{0}" + pattern
        if let r = cache.withLock({ $0[key] }) { return r }
        var f = RegexParser.Flags()
        f.caseless = flags.contains("i")
        f.multiLine = flags.contains("m")
        f.dotNewline = flags.contains("s")
        f.ungreedy = flags.contains("U")
        let r: KQLRegex
        do {
            r = try KQLRegex(pattern, flags: f)
        } catch {
            throw KQLError.runtime("invalid regular expression \"\(pattern)\": \(error.message) (at character \(error.position + 1))", code: "KQL4002")
        }
        cache.withLock { if $0.count > 1000 { $0.removeAll() }; $0[key] = r }
        return r
    }
}
