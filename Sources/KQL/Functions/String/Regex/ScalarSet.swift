/// A character class of a regular expression. Kusto's dialect (the Rust `regex` crate's) nests
/// classes and combines them with `&&`, `--` and `~~`, and its `\w`, `\d`, `\s` are Unicode
/// properties, so a class is an expression over ranges and properties. ASCII membership is
/// precomputed into a 128-bit table: text that is mostly ASCII pays two shifts per scalar.
struct ScalarSet: Sendable {
    let expr: ClassExpr
    private let asciiLow: UInt64, asciiHigh: UInt64

    init(_ expr: ClassExpr) {
        self.expr = expr
        var lo: UInt64 = 0, hi: UInt64 = 0
        for c in UInt32(0)..<128 where expr.contains(c) {
            if c < 64 { lo |= 1 << UInt64(c) } else { hi |= 1 << UInt64(c - 64) }
        }
        asciiLow = lo; asciiHigh = hi
    }

    init(_ ranges: [ClosedRange<UInt32>]) { self.init(.ranges(ClassExpr.normalized(ranges))) }

    @inline(__always) func contains(_ c: UInt32) -> Bool {
        if c < 64 { return (asciiLow >> UInt64(c)) & 1 == 1 }
        if c < 128 { return (asciiHigh >> UInt64(c - 64)) & 1 == 1 }
        return expr.contains(c)
    }
}

indirect enum ClassExpr: Sendable {
    /// Sorted, disjoint, non-adjacent.
    case ranges([ClosedRange<UInt32>])
    case property(UnicodeProperty, fold: Bool)
    case union([ClassExpr])
    case intersection(ClassExpr, ClassExpr)
    case difference(ClassExpr, ClassExpr)
    case symmetricDifference(ClassExpr, ClassExpr)
    case negation(ClassExpr)

    func contains(_ c: UInt32) -> Bool {
        switch self {
        case .ranges(let r):
            var lo = 0, hi = r.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if r[mid].upperBound < c { lo = mid + 1 } else { hi = mid }
            }
            return lo < r.count && r[lo].contains(c)
        case .property(let p, let fold):
            if p.contains(c) { return true }
            return fold && CaseFold.variants(of: c).contains { $0 != c && p.contains($0) }
        case .union(let items): return items.contains { $0.contains(c) }
        case .intersection(let a, let b): return a.contains(c) && b.contains(c)
        case .difference(let a, let b): return a.contains(c) && !b.contains(c)
        case .symmetricDifference(let a, let b): return a.contains(c) != b.contains(c)
        case .negation(let a): return !a.contains(c)
        }
    }

    static func normalized(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var merged: [ClosedRange<UInt32>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, r.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        return merged
    }

    /// The ranges with every simple case variant of their scalars, as a class is folded under `(?i)`.
    /// Ranges wider than a few thousand scalars are taken to hold their own variants already.
    static func caseFolded(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out = ranges
        for r in ranges where r.count <= 4096 {
            for c in r { for v in CaseFold.variants(of: c) where v != c { out.append(v...v) } }
        }
        return normalized(out)
    }
}

/// The Unicode properties a class can name from the standard library's scalar properties (scripts,
/// which it does not carry, are ranges from `UnicodeScripts`).
enum UnicodeProperty: Sendable {
    case categories(Set<Unicode.GeneralCategory>)
    case alphabetic, whiteSpace, uppercase, lowercase, word, any, ascii

    func contains(_ c: UInt32) -> Bool {
        if case .any = self { return true }
        if case .ascii = self { return c < 128 }
        guard let s = Unicode.Scalar(c) else { return false }
        let p = s.properties
        switch self {
        case .categories(let set): return set.contains(p.generalCategory)
        case .alphabetic: return p.isAlphabetic
        case .whiteSpace: return p.isWhitespace
        case .uppercase: return p.isUppercase
        case .lowercase: return p.isLowercase
        case .word:
            // UTS#18's \w: Alphabetic, marks, decimal numbers, connector punctuation, Join_Control.
            if p.isAlphabetic || p.isJoinControl { return true }
            switch p.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
            default: return false
            }
        case .any, .ascii: return true
        }
    }

    private static let categoryNames: [(short: String, long: String, Unicode.GeneralCategory)] = [
        ("lu", "uppercaseletter", .uppercaseLetter), ("ll", "lowercaseletter", .lowercaseLetter),
        ("lt", "titlecaseletter", .titlecaseLetter), ("lm", "modifierletter", .modifierLetter), ("lo", "otherletter", .otherLetter),
        ("mn", "nonspacingmark", .nonspacingMark), ("mc", "spacingmark", .spacingMark), ("me", "enclosingmark", .enclosingMark),
        ("nd", "decimalnumber", .decimalNumber), ("nl", "letternumber", .letterNumber), ("no", "othernumber", .otherNumber),
        ("pc", "connectorpunctuation", .connectorPunctuation), ("pd", "dashpunctuation", .dashPunctuation),
        ("ps", "openpunctuation", .openPunctuation), ("pe", "closepunctuation", .closePunctuation),
        ("pi", "initialpunctuation", .initialPunctuation), ("pf", "finalpunctuation", .finalPunctuation),
        ("po", "otherpunctuation", .otherPunctuation),
        ("sm", "mathsymbol", .mathSymbol), ("sc", "currencysymbol", .currencySymbol),
        ("sk", "modifiersymbol", .modifierSymbol), ("so", "othersymbol", .otherSymbol),
        ("zs", "spaceseparator", .spaceSeparator), ("zl", "lineseparator", .lineSeparator), ("zp", "paragraphseparator", .paragraphSeparator),
        ("cc", "control", .control), ("cf", "format", .format), ("cs", "surrogate", .surrogate),
        ("co", "privateuse", .privateUse), ("cn", "unassigned", .unassigned),
    ]
    private static let groupNames: [String: String] = [
        "letter": "l", "mark": "m", "combiningmark": "m", "number": "n", "punctuation": "p", "symbol": "s",
        "separator": "z", "other": "c", "casedletter": "lc",
    ]

    /// A name as UTS#18 matches it loosely: case, spaces, `_` and `-` ignored, an `is` prefix and a
    /// `gc=` / `General_Category=` prefix allowed.
    static func named(_ raw: String) -> UnicodeProperty? {
        var n = loose(raw)
        for prefix in ["generalcategory=", "gc="] where n.hasPrefix(prefix) { n.removeFirst(prefix.count) }
        if let p = lookup(n) { return p }
        if n.hasPrefix("is") { return lookup(String(n.dropFirst(2))) }
        return nil
    }

    /// A property name as UTS#18's loose matching compares it: lowercased, without spaces, `_`, `-`.
    static func loose(_ raw: String) -> String { raw.lowercased().filter { $0 != " " && $0 != "_" && $0 != "-" } }

    private static func lookup(_ n: String) -> UnicodeProperty? {
        switch n {
        case "any": return .any
        case "ascii": return .ascii
        case "alphabetic", "alpha": return .alphabetic
        case "whitespace", "wspace", "space": return .whiteSpace
        case "uppercase", "upper": return .uppercase
        case "lowercase", "lower": return .lowercase
        default: break
        }
        let key = groupNames[n] ?? n
        if key == "lc" { return .categories([.uppercaseLetter, .lowercaseLetter, .titlecaseLetter]) }
        let members = categoryNames.filter { key.count == 1 ? $0.short.hasPrefix(key) : ($0.short == key || $0.long == key) }.map(\.2)
        return members.isEmpty ? nil : .categories(Set(members))
    }
}

extension ScalarSet {
    /// The POSIX classes (`[[:alpha:]]`), ASCII only.
    static func posix(_ name: String) -> [ClosedRange<UInt32>]? {
        switch name {
        case "alnum": return [0x30...0x39, 0x41...0x5A, 0x61...0x7A]
        case "alpha": return [0x41...0x5A, 0x61...0x7A]
        case "ascii": return [0...0x7F]
        case "blank": return [0x09...0x09, 0x20...0x20]
        case "cntrl": return [0...0x1F, 0x7F...0x7F]
        case "digit": return [0x30...0x39]
        case "graph": return [0x21...0x7E]
        case "lower": return [0x61...0x7A]
        case "print": return [0x20...0x7E]
        case "punct": return [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E]
        case "space": return [0x09...0x0D, 0x20...0x20]
        case "upper": return [0x41...0x5A]
        case "word": return [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
        case "xdigit": return [0x30...0x39, 0x41...0x46, 0x61...0x66]
        default: return nil
        }
    }

    static let asciiWord: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
    /// `\w` decides word boundaries too; one table for both.
    static let unicodeWord = ScalarSet(.property(.word, fold: false))

    @inline(__always) static func isWord(_ c: UInt32, unicode: Bool) -> Bool {
        if c < 128 { return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || (c >= 0x61 && c <= 0x7A) }
        return unicode && unicodeWord.contains(c)
    }
}

/// Simple (one scalar to one scalar) case variants, as case-insensitive matching pairs them.
enum CaseFold {
    static func variants(of c: UInt32) -> [UInt32] {
        if c < 128 {
            if c >= 0x41 && c <= 0x5A { return c == 0x4B ? [c, c + 32, 0x212A] : (c == 0x53 ? [c, c + 32, 0x17F] : [c, c + 32]) }
            if c >= 0x61 && c <= 0x7A { return c == 0x6B ? [c, c - 32, 0x212A] : (c == 0x73 ? [c, c - 32, 0x17F] : [c, c - 32]) }
            return [c]
        }
        guard let s = Unicode.Scalar(c) else { return [c] }
        var out = [c]
        func add(_ m: String) {
            let scalars = m.unicodeScalars
            if scalars.count == 1, let v = scalars.first?.value, !out.contains(v) { out.append(v) }
        }
        add(s.properties.lowercaseMapping)
        add(s.properties.uppercaseMapping)
        add(s.properties.titlecaseMapping)
        // The other members of an orbit (K, k, KELVIN SIGN) reach each other through the lowercase form.
        for v in out.dropFirst() where v < 128 { for w in variants(of: v) where !out.contains(w) { out.append(w) } }
        if let lower = out.dropFirst().first, let ls = Unicode.Scalar(lower) { add(ls.properties.uppercaseMapping) }
        return out
    }
}
