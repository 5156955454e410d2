/// Parses Kusto's regular-expression syntax (the Rust `regex` crate's, as Kusto's reference
/// documents it) into a `RegexNode`. What the dialect lacks because it guarantees linear time
/// (backreferences, lookaround, atomic groups) is an error naming the construct, not a silent miss.
/// A `{` that does not start a counted repetition is a literal, as older RE2-era queries assume.
struct RegexParser {
    struct Flags {
        var caseless = false, multiLine = false, dotNewline = false, crlf = false, ungreedy = false
        var unicode = true, verbose = false
    }

    private let p: [UInt32]
    private var i = 0
    private(set) var captureCount = 0
    private(set) var names: [String: Int] = [:]
    static let maxRepeat = 1000

    init(_ pattern: String, flags: Flags = Flags()) {
        p = pattern.unicodeScalars.map(\.value)
        initialFlags = flags
    }
    private let initialFlags: Flags

    mutating func parse() throws(RegexSyntaxError) -> RegexNode {
        var flags = initialFlags
        let node = try alternation(&flags, depth: 0)
        if i < p.count { throw fail("unmatched ')'") }
        return node
    }

    private func fail(_ message: String, at pos: Int? = nil) -> RegexSyntaxError {
        RegexSyntaxError(message: message, position: pos ?? i)
    }
    private func peek(_ k: Int = 0) -> UInt32? { i + k < p.count ? p[i + k] : nil }
    private func at(_ s: String) -> Bool {
        for (k, u) in s.unicodeScalars.enumerated() where peek(k) != u.value { return false }
        return true
    }

    private mutating func skipVerbose(_ flags: Flags) {
        guard flags.verbose else { return }
        while let c = peek() {
            if c == 0x23 { while let d = peek(), d != 0x0A { i += 1 } }
            else if let s = Unicode.Scalar(c), s.properties.isWhitespace { i += 1 }
            else { return }
        }
    }

    private mutating func alternation(_ flags: inout Flags, depth: Int) throws(RegexSyntaxError) -> RegexNode {
        guard depth < 250 else { throw fail("the pattern nests groups more than 250 deep") }
        var branches = [try concatenation(&flags, depth: depth)]
        while peek() == 0x7C {
            i += 1
            branches.append(try concatenation(&flags, depth: depth))
        }
        return branches.count == 1 ? branches[0] : .alternate(branches)
    }

    private mutating func concatenation(_ flags: inout Flags, depth: Int) throws(RegexSyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while true {
            skipVerbose(flags)
            guard let c = peek(), c != 0x7C, c != 0x29 else { break }
            if c == 0x2A || c == 0x2B || c == 0x3F {
                guard !items.isEmpty else { throw fail("repetition operator '\(Character(Unicode.Scalar(c)!))' has nothing to repeat") }
                items.append(repetition(items.removeLast(), flags))
                continue
            }
            if c == 0x7B, let counted = try countedRepetition(flags) {
                guard !items.isEmpty else { throw fail("counted repetition has nothing to repeat") }
                let last = items.removeLast()
                items.append(.repetition(last, min: counted.min, max: counted.max, greedy: counted.greedy))
                continue
            }
            if at("\\Q") {
                // Quoted text: each scalar its own item, so a repetition after `\E` takes the last one.
                i += 2
                while i < p.count && !at("\\E") { items.append(literal(p[i], flags)); i += 1 }
                if at("\\E") { i += 2 }
                continue
            }
            if let atom = try atom(&flags, depth: depth) { items.append(atom) }
        }
        return items.isEmpty ? .empty : (items.count == 1 ? items[0] : .concat(items))
    }

    private mutating func greedy(_ flags: Flags) -> Bool {
        if peek() == 0x3F { i += 1; return flags.ungreedy }
        return !flags.ungreedy
    }

    private mutating func repetition(_ node: RegexNode, _ flags: Flags) -> RegexNode {
        let c = p[i]
        i += 1
        let g = greedy(flags)
        switch c {
        case 0x2A: return .repetition(node, min: 0, max: nil, greedy: g)
        case 0x2B: return .repetition(node, min: 1, max: nil, greedy: g)
        default: return .repetition(node, min: 0, max: 1, greedy: g)
        }
    }

    /// `{n}`, `{n,}`, `{n,m}` (spaces allowed around the numbers); nil when the text is not one.
    private mutating func countedRepetition(_ flags: Flags) throws(RegexSyntaxError) -> (min: Int, max: Int?, greedy: Bool)? {
        let start = i
        var k = i + 1
        func number() -> Int? {
            while k < p.count && p[k] == 0x20 { k += 1 }
            var v: Int?
            while k < p.count, p[k] >= 0x30, p[k] <= 0x39 {
                v = min((v ?? 0) * 10 + Int(p[k] - 0x30), 1_000_000)
                k += 1
            }
            while k < p.count && p[k] == 0x20 { k += 1 }
            return v
        }
        guard let lo = number() else { return nil }
        var hi: Int? = lo
        if k < p.count && p[k] == 0x2C {
            k += 1
            hi = number()
        }
        guard k < p.count && p[k] == 0x7D else { return nil }
        i = k + 1
        if lo > Self.maxRepeat || (hi ?? 0) > Self.maxRepeat { throw fail("a counted repetition may not exceed \(Self.maxRepeat)", at: start) }
        if let h = hi, h < lo { throw fail("a counted repetition's minimum is above its maximum", at: start) }
        return (lo, hi, greedy(flags))
    }

    private mutating func atom(_ flags: inout Flags, depth: Int) throws(RegexSyntaxError) -> RegexNode? {
        let c = p[i]
        switch c {
        case 0x28: return try group(&flags, depth: depth)
        case 0x5B:
            i += 1
            return .set(ScalarSet(try bracketClass(flags, depth: depth)))
        case 0x2E:
            i += 1
            if flags.dotNewline { return .any(newline: true) }
            if flags.crlf { return .set(ScalarSet(.negation(.ranges([0x0A...0x0A, 0x0D...0x0D])))) }
            return .any(newline: false)
        case 0x5E:
            i += 1
            return .assertion(flags.multiLine ? (flags.crlf ? .beginLineCRLF : .beginLine) : .beginText, unicode: flags.unicode)
        case 0x24:
            i += 1
            return .assertion(flags.multiLine ? (flags.crlf ? .endLineCRLF : .endLine) : .endText, unicode: flags.unicode)
        case 0x5C:
            i += 1
            return try escape(flags)
        default:
            i += 1
            return literal(c, flags)
        }
    }

    private func literal(_ c: UInt32, _ flags: Flags) -> RegexNode {
        flags.caseless && CaseFold.variants(of: c).count > 1 ? .caseless(c) : .literal(c)
    }

    private mutating func group(_ flags: inout Flags, depth: Int) throws(RegexSyntaxError) -> RegexNode? {
        let open = i
        i += 1
        guard peek() == 0x3F else {
            captureCount += 1
            let index = captureCount
            var inner = flags
            let body = try alternation(&inner, depth: depth + 1)
            try close(open)
            return .capture(body, index: index)
        }
        i += 1
        if at("P<") || (at("<") && peek(1) != 0x3D && peek(1) != 0x21) {
            i += at("P<") ? 2 : 1
            var name = ""
            while let c = peek(), c != 0x3E { name.unicodeScalars.append(Unicode.Scalar(c) ?? "?"); i += 1 }
            guard peek() == 0x3E else { throw fail("a group name is not closed by '>'", at: open) }
            i += 1
            guard Self.validName(name) else { throw fail("invalid group name '\(name)'", at: open) }
            guard names[name] == nil else { throw fail("duplicate group name '\(name)'", at: open) }
            captureCount += 1
            let index = captureCount
            names[name] = index
            var inner = flags
            let body = try alternation(&inner, depth: depth + 1)
            try close(open)
            return .capture(body, index: index)
        }
        for (text, what) in [("=", "lookahead"), ("!", "negative lookahead"), ("<=", "lookbehind"), ("<!", "negative lookbehind"),
                             (">", "atomic groups"), ("P=", "backreferences"), ("P>", "recursion"), ("#", "comment groups")] where at(text) {
            throw fail("\(what) ('(?\(text)') are not supported: Kusto's regular expressions run in linear time", at: open)
        }
        var set = true
        var updated = flags
        while let c = peek() {
            i += 1
            switch c {
            case 0x2D:
                guard set else { throw fail("a flag group negates twice", at: open) }
                set = false
            case 0x69: updated.caseless = set
            case 0x6D: updated.multiLine = set
            case 0x73: updated.dotNewline = set
            case 0x52: updated.crlf = set
            case 0x55: updated.ungreedy = set
            case 0x75: updated.unicode = set
            case 0x78: updated.verbose = set
            case 0x29:
                flags = updated
                return nil
            case 0x3A:
                var inner = updated
                let body = try alternation(&inner, depth: depth + 1)
                try close(open)
                return body
            default:
                throw fail("unknown flag '\(Character(Unicode.Scalar(c) ?? "?"))' (flags are i, m, s, R, U, u, x)", at: i - 1)
            }
        }
        throw fail("unclosed group", at: open)
    }

    private mutating func close(_ open: Int) throws(RegexSyntaxError) {
        guard peek() == 0x29 else { throw fail("unclosed group", at: open) }
        i += 1
    }

    static func validName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { s in
            s.properties.isAlphabetic || s == "_" || s == "." || s == "[" || s == "]"
                || [.decimalNumber, .letterNumber, .otherNumber].contains(s.properties.generalCategory)
        }
    }
}

extension RegexParser {
    /// An escape outside a class.
    fileprivate mutating func escape(_ flags: Flags) throws(RegexSyntaxError) -> RegexNode {
        guard let c = peek() else { throw fail("the pattern ends with a lone backslash") }
        let u = flags.unicode
        switch Unicode.Scalar(c).map(Character.init) {
        case "A": i += 1; return .assertion(.beginText, unicode: u)
        case "z": i += 1; return .assertion(.endText, unicode: u)
        case "<": i += 1; return .assertion(.wordStart, unicode: u)
        case ">": i += 1; return .assertion(.wordEnd, unicode: u)
        case "B": i += 1; return .assertion(.notWordBoundary, unicode: u)
        case "b":
            i += 1
            for (text, kind) in [("{start}", RegexAssertion.wordStart), ("{end}", .wordEnd), ("{start-half}", .wordStartHalf), ("{end-half}", .wordEndHalf)] where at(text) {
                i += text.unicodeScalars.count
                return .assertion(kind, unicode: u)
            }
            return .assertion(.wordBoundary, unicode: u)
        default:
            if let set = try classEscape(flags) {
                return .set(ScalarSet(set))
            }
            let scalar = try scalarEscape()
            return literal(scalar, flags)
        }
    }

    /// `\d \s \w \p{..}` and their negations, as a class; nil when the escape is not one.
    fileprivate mutating func classEscape(_ flags: Flags) throws(RegexSyntaxError) -> ClassExpr? {
        guard let c = peek() else { return nil }
        let u = flags.unicode
        let expr: ClassExpr
        switch Unicode.Scalar(c).map(Character.init) {
        case "d", "D": expr = u ? .property(.categories([.decimalNumber]), fold: false) : .ranges([0x30...0x39])
        case "s", "S": expr = u ? .property(.whiteSpace, fold: false) : .ranges([0x09...0x0D, 0x20...0x20])
        case "w", "W": expr = u ? .property(.word, fold: false) : .ranges(ScalarSet.asciiWord)
        case "p", "P":
            let start = i - 1
            i += 1
            var name = ""
            if peek() == 0x7B {
                i += 1
                while let d = peek(), d != 0x7D { name.unicodeScalars.append(Unicode.Scalar(d) ?? "?"); i += 1 }
                guard peek() == 0x7D else { throw fail("unclosed Unicode class name", at: start) }
                i += 1
            } else if let d = peek() {
                name = String(Character(Unicode.Scalar(d) ?? "?"))
                i += 1
            }
            let e: ClassExpr
            if let property = UnicodeProperty.named(name) { e = .property(property, fold: flags.caseless) }
            else if let script = UnicodeScripts.ranges(name) { e = .ranges(flags.caseless ? ClassExpr.caseFolded(script) : script) }
            else {
                throw fail("unknown Unicode class '\(name)' (general categories, scripts, and Alphabetic, White_Space, Uppercase, Lowercase are supported)", at: start)
            }
            return c == 0x50 ? .negation(e) : e
        default: return nil
        }
        i += 1
        let isUpper = c >= 0x41 && c <= 0x5A
        return isUpper ? .negation(expr) : expr
    }

    /// One scalar written as an escape: controls, hex and octal codes, escaped punctuation.
    fileprivate mutating func scalarEscape() throws(RegexSyntaxError) -> UInt32 {
        let start = i - 1
        let c = p[i]
        i += 1
        switch Unicode.Scalar(c).map(Character.init) {
        case "a": return 0x07
        case "f": return 0x0C
        case "t": return 0x09
        case "n": return 0x0A
        case "r": return 0x0D
        case "v": return 0x0B
        case "x": return try hex(digits: 2, start)
        case "u": return try hex(digits: 4, start)
        case "U": return try hex(digits: 8, start)
        default: break
        }
        if c >= 0x30 && c <= 0x37 {
            if c != 0x30, !(peek().map { $0 >= 0x30 && $0 <= 0x37 } ?? false) {
                throw fail("backreferences ('\\\(Character(Unicode.Scalar(c)!))') are not supported: Kusto's regular expressions run in linear time", at: start)
            }
            var v = c - 0x30
            var n = 1
            while n < 3, let d = peek(), d >= 0x30, d <= 0x37 { v = v * 8 + (d - 0x30); i += 1; n += 1 }
            return v
        }
        if c == 0x38 || c == 0x39 { throw fail("backreferences are not supported: Kusto's regular expressions run in linear time", at: start) }
        let isAlnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
        if c < 0x80 && !isAlnum { return c }
        if c >= 0x80 { return c }
        throw fail("unrecognized escape '\\\(Character(Unicode.Scalar(c)!))'", at: start)
    }

    private mutating func hex(digits: Int, _ start: Int) throws(RegexSyntaxError) -> UInt32 {
        var v: UInt32 = 0
        func digit(_ d: UInt32) -> UInt32? {
            switch d {
            case 0x30...0x39: return d - 0x30
            case 0x41...0x46: return d - 0x37
            case 0x61...0x66: return d - 0x57
            default: return nil
            }
        }
        if peek() == 0x7B {
            i += 1
            var n = 0
            while let d = peek(), let h = digit(d) { v = v &* 16 &+ h; i += 1; n += 1; if n > 8 { break } }
            guard n > 0, peek() == 0x7D else { throw fail("invalid hexadecimal escape", at: start) }
            i += 1
        } else {
            for _ in 0..<digits {
                guard let d = peek(), let h = digit(d) else { throw fail("a hexadecimal escape needs \(digits) digits", at: start) }
                v = v &* 16 &+ h
                i += 1
            }
        }
        guard v <= 0x10FFFF, !(0xD800...0xDFFF).contains(v) else { throw fail("escape is not a Unicode scalar value", at: start) }
        return v
    }

    /// A bracketed class, after its `[`: items, nested classes, and the `&&`, `--`, `~~` operators
    /// (left to right, below union), negation applying to the whole.
    fileprivate mutating func bracketClass(_ flags: Flags, depth: Int) throws(RegexSyntaxError) -> ClassExpr {
        let open = i - 1
        guard depth < 250 else { throw fail("the pattern nests classes more than 250 deep", at: open) }
        let negated = peek() == 0x5E
        if negated { i += 1 }
        var expr = try classUnion(flags, depth: depth, first: true, open: open)
        while true {
            let op: (ClassExpr, ClassExpr) -> ClassExpr
            if at("&&") { op = { .intersection($0, $1) } }
            else if at("--") { op = { .difference($0, $1) } }
            else if at("~~") { op = { .symmetricDifference($0, $1) } }
            else { break }
            i += 2
            let right = try classUnion(flags, depth: depth, first: false, open: open)
            expr = op(expr, right)
        }
        guard peek() == 0x5D else { throw fail("unclosed character class", at: open) }
        i += 1
        return negated ? .negation(expr) : expr
    }

    private mutating func classUnion(_ flags: Flags, depth: Int, first: Bool, open: Int) throws(RegexSyntaxError) -> ClassExpr {
        var ranges: [ClosedRange<UInt32>] = []
        var others: [ClassExpr] = []
        var isFirst = first
        while true {
            skipVerbose(flags)
            guard let c = peek() else { throw fail("unclosed character class", at: open) }
            if c == 0x5D && !isFirst { break }
            if at("&&") || at("--") || at("~~") { break }
            isFirst = false
            if c == 0x5B {
                if at("[:"), let posix = try posixClass() {
                    others.append(posix)
                    continue
                }
                i += 1
                others.append(try bracketClass(flags, depth: depth + 1))
                continue
            }
            if c == 0x5C {
                i += 1
                if let e = try classEscape(flags) { others.append(e); continue }
                guard peek() != nil else { throw fail("the pattern ends with a lone backslash") }
                if peek() == 0x62 { throw fail("'\\b' is not allowed in a character class") }
                let lo = try scalarEscape()
                ranges.append(try rangeEnd(lo, flags))
                continue
            }
            i += 1
            ranges.append(try rangeEnd(c, flags))
        }
        if flags.caseless { ranges = ClassExpr.caseFolded(ranges) }
        let base = ClassExpr.ranges(ClassExpr.normalized(ranges))
        return others.isEmpty ? base : .union([base] + others)
    }

    /// After a class item `lo`: `-hi` makes it a range, unless the `-` ends the class or starts `--`.
    private mutating func rangeEnd(_ lo: UInt32, _ flags: Flags) throws(RegexSyntaxError) -> ClosedRange<UInt32> {
        guard peek() == 0x2D, let next = peek(1), next != 0x5D, next != 0x2D else { return lo...lo }
        let start = i
        i += 1
        var hi: UInt32
        if next == 0x5C {
            i += 1
            hi = try scalarEscape()
        } else {
            hi = next
            i += 1
        }
        guard hi >= lo else { throw fail("a class range's end is before its start", at: start) }
        return lo...hi
    }

    /// `[:alpha:]` / `[:^alpha:]` inside a class; nil (nothing consumed) when the text is not one.
    private mutating func posixClass() throws(RegexSyntaxError) -> ClassExpr? {
        var k = i + 2
        let negated = k < p.count && p[k] == 0x5E
        if negated { k += 1 }
        var name = ""
        while k < p.count, p[k] != 0x3A, p[k] != 0x5D { name.unicodeScalars.append(Unicode.Scalar(p[k]) ?? "?"); k += 1 }
        guard k + 1 < p.count, p[k] == 0x3A, p[k + 1] == 0x5D else { return nil }
        guard let ranges = ScalarSet.posix(name) else { throw fail("unknown POSIX class '[:\(name):]'") }
        i = k + 2
        let e = ClassExpr.ranges(ranges)
        return negated ? .negation(e) : e
    }
}
