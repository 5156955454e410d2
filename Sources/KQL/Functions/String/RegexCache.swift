import Foundation
import Synchronization

/// A compiled regular expression (ICU syntax, close to the RE2 dialect Kusto documents).
public final class KQLRegex: @unchecked Sendable {
    let re: NSRegularExpression
    init(_ re: NSRegularExpression) { self.re = re }

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
        let r = KQLRegex(re)
        cache.withLock { if $0.count > 1000 { $0.removeAll() }; $0[key] = r }
        return r
    }
}
