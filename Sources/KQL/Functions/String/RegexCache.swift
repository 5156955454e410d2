import Foundation
import Synchronization

/// A compiled regular expression (ICU syntax, close to the RE2 dialect Kusto documents).
public final class KQLRegex: @unchecked Sendable {
    let re: NSRegularExpression
    /// Named groups' numbers: NSRegularExpression matches by name but does not list the names.
    public let groupNumbers: [String: Int]
    init(_ re: NSRegularExpression, pattern: String) { self.re = re; self.groupNumbers = Self.namedGroups(pattern) }

    /// Scans a pattern for its capturing groups in order, skipping escapes and character classes.
    static func namedGroups(_ pattern: String) -> [String: Int] {
        var out: [String: Int] = [:]
        let c = Array(pattern)
        var i = 0, n = 0, inClass = false
        while i < c.count {
            switch c[i] {
            case "\\": i += 1
            case "[" where !inClass: inClass = true
            case "]" where inClass: inClass = false
            case "(" where !inClass:
                if i + 1 < c.count && c[i + 1] == "?" {
                    var j = i + 2
                    if j < c.count && c[j] == "P" { j += 1 }
                    if j < c.count && (c[j] == "<" || c[j] == "'"), j + 1 < c.count, c[j + 1] != "=", c[j + 1] != "!" {
                        let close: Character = c[j] == "<" ? ">" : "'"
                        var k = j + 1
                        while k < c.count && c[k] != close { k += 1 }
                        n += 1
                        out[String(c[(j + 1)..<min(k, c.count)])] = n
                    }
                } else {
                    n += 1
                }
            default: break
            }
            i += 1
        }
        return out
    }

    public struct Match {
        public var range: Range<String.Index>
        public var groups: [Range<String.Index>?]
    }

    public func firstMatch(in s: String) -> Match? {
        let ns = NSRange(s.startIndex..<s.endIndex, in: s)
        guard let m = re.firstMatch(in: s, options: [], range: ns) else { return nil }
        return convert(m, s)
    }

    public func matches(in s: String) -> [Match] {
        let ns = NSRange(s.startIndex..<s.endIndex, in: s)
        return re.matches(in: s, options: [], range: ns).compactMap { convert($0, s) }
    }

    public var groupCount: Int { re.numberOfCaptureGroups }

    func convert(_ m: NSTextCheckingResult, _ s: String) -> Match? {
        guard let r = Range(m.range, in: s) else { return nil }
        var groups: [Range<String.Index>?] = []
        for g in 0..<m.numberOfRanges { groups.append(Range(m.range(at: g), in: s)) }
        return Match(range: r, groups: groups)
    }

    public func replace(in s: String, with template: String) -> String {
        // Kusto writes group references as \1; ICU wants $1.
        var t = ""
        var it = template.makeIterator()
        while let c = it.next() {
            if c == "\\" , let n = it.next() { if n.isNumber { t += "$\(n)" } else { t.append(n) } }
            else if c == "$" { t += "\\$" } else { t.append(c) }
        }
        return re.stringByReplacingMatches(in: s, options: [], range: NSRange(s.startIndex..<s.endIndex, in: s), withTemplate: t)
    }
}

/// Patterns compile once per process; invalid patterns are a runtime error with code KQL4002.
final class RegexCache: Sendable {
    static let shared = RegexCache()
    private let cache = Mutex<[String: KQLRegex]>([:])

    func regex(_ pattern: String, flags: String = "") throws -> KQLRegex {
        let key = flags + "\u{0}" + pattern
        if let r = cache.withLock({ $0[key] }) { return r }
        var opts: NSRegularExpression.Options = []
        if flags.contains("i") { opts.insert(.caseInsensitive) }
        if flags.contains("m") { opts.insert(.anchorsMatchLines) }
        if flags.contains("s") { opts.insert(.dotMatchesLineSeparators) }
        // RE2's (?P<name>...) is ICU's (?<name>...).
        let p = pattern.isEmpty ? "(?:)" : pattern.replacingOccurrences(of: "(?P<", with: "(?<")
        guard let re = try? NSRegularExpression(pattern: p, options: opts) else {
            throw KQLError.runtime("invalid regular expression: \(pattern)", code: "KQL4002")
        }
        let r = KQLRegex(re, pattern: p)
        cache.withLock { if $0.count > 1000 { $0.removeAll() }; $0[key] = r }
        return r
    }
}
