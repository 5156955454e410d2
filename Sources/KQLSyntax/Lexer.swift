/// Turns query text into tokens. Never fails: bad characters become `.bad` tokens plus a diagnostic.
public struct Lexer {
    let b: [UInt8]
    var i = 0
    public private(set) var diagnostics: [Diagnostic] = []

    public init(_ source: SourceText) { b = source.bytes }

    static let typedLiteralNames: Set<String> = ["datetime", "date", "guid", "time", "timespan"]
    static let puncts3 = ["!~", "!=", "==", "=~", "<=", ">=", "<>", "=>", "..", "<|", "|>"]

    public static func tokenize(_ source: SourceText) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lx = Lexer(source)
        var out: [Token] = []
        while true {
            let t = lx.next()
            out.append(t)
            if t.kind == .end { break }
        }
        return (out, lx.diagnostics)
    }

    func peek(_ k: Int = 0) -> UInt8 { i + k < b.count ? b[i + k] : 0 }

    mutating func skipTrivia() -> Bool {
        let start = i
        while i < b.count {
            let c = b[i]
            if c == 32 || c == 9 || c == 10 || c == 13 || c == 0xC2 && peek(1) == 0xA0 {
                i += c == 0xC2 ? 2 : 1
            } else if c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/") {
                while i < b.count && b[i] != 10 { i += 1 }
            } else { break }
        }
        return i > start
    }

    static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 36 || c >= 0x80
    }
    static func isIdentChar(_ c: UInt8) -> Bool { isIdentStart(c) || (c >= 48 && c <= 57) }
    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    mutating func next() -> Token {
        let space = skipTrivia()
        let start = i
        func tok(_ k: Token.Kind, _ text: String) -> Token { Token(kind: k, text: text, span: Span(start, i), spaceBefore: space) }
        guard i < b.count else { return tok(.end, "") }
        let c = b[i]
        // Strings: '..' ".." @'..' h'..' H@".." and ```multi-line```.
        if c == UInt8(ascii: "`") && peek(1) == c && peek(2) == c {
            i += 3
            let s = i
            while i < b.count && !(b[i] == c && peek(1) == c && peek(2) == c) { i += 1 }
            let text = String(decoding: b[s..<Swift.min(i, b.count)], as: UTF8.self)
            if i >= b.count { diagnostics.append(Diagnostic(DiagnosticCode.unterminatedString, "unterminated multi-line string", at: Span(start, i))) } else { i += 3 }
            return tok(.string, text)
        }
        var j = i
        if b[j] == UInt8(ascii: "h") || b[j] == UInt8(ascii: "H") { j += 1 }
        var verbatim = false
        if j < b.count && b[j] == UInt8(ascii: "@") { verbatim = true; j += 1 }
        if j < b.count && (b[j] == 39 || b[j] == 34) && (j > i || c == 39 || c == 34) {
            i = j
            return lexString(start: start, verbatim: verbatim, space: space)
        }
        if c == UInt8(ascii: "[") && (peek(1) == 39 || peek(1) == 34 || peek(1) == UInt8(ascii: "@") && (peek(2) == 39 || peek(2) == 34)) {
            // ['quoted identifier'] or [@"..."]
            let save = i
            i += 1
            let verb = b[i] == UInt8(ascii: "@")
            if verb { i += 1 }
            let s = lexString(start: i, verbatim: verb, space: false)
            _ = skipTrivia()
            if s.kind == .string && i < b.count && b[i] == UInt8(ascii: "]") {
                i += 1
                return tok(.quotedIdentifier, s.text)
            }
            i = save + 1
            return tok(.punct, "[")
        }
        if Lexer.isDigit(c) || (c == UInt8(ascii: ".") && Lexer.isDigit(peek(1)) && !(start > 0 && b[start - 1] == UInt8(ascii: "."))) {
            return lexNumber(start: start, space: space)
        }
        if Lexer.isIdentStart(c) && (c < 0x80 || startsLetter(at: i)) {
            while i < b.count && Lexer.isIdentChar(b[i]) && (b[i] < 0x80 || startsLetter(at: i)) {
                i += 1
                while i < b.count && (b[i] & 0xC0) == 0x80 { i += 1 }
            }
            let name = String(decoding: b[start..<i], as: UTF8.self)
            if Lexer.typedLiteralNames.contains(name) {
                var k = i
                while k < b.count && (b[k] == 32 || b[k] == 9 || b[k] == 10 || b[k] == 13) { k += 1 }
                if k < b.count && b[k] == UInt8(ascii: "(") {
                    var depth = 0, m = k
                    while m < b.count {
                        if b[m] == UInt8(ascii: "(") { depth += 1 }
                        if b[m] == UInt8(ascii: ")") { depth -= 1; if depth == 0 { break } }
                        if b[m] == 10 || b[m] == UInt8(ascii: "|") { break }
                        m += 1
                    }
                    if m < b.count && b[m] == UInt8(ascii: ")") {
                        let raw = String(decoding: b[(k + 1)..<m], as: UTF8.self)
                        i = m + 1
                        return tok(.typedLiteral, name + ":" + raw.trimmingSpaces())
                    }
                }
            }
            return tok(.identifier, name)
        }
        for p in Lexer.puncts3 where matches(p) {
            i += p.utf8.count
            return tok(.punct, p)
        }
        if "|()[]{},;.=<>+-*/%:!~@?#".utf8.contains(c) {
            i += 1
            return tok(.punct, String(UnicodeScalar(c)))
        }
        // Skip one whole UTF-8 scalar so the error is reported once.
        i += 1
        while i < b.count && (b[i] & 0xC0) == 0x80 { i += 1 }
        diagnostics.append(Diagnostic(DiagnosticCode.unexpectedCharacter, "unexpected character '\(String(decoding: b[start..<i], as: UTF8.self))'", at: Span(start, i)))
        return tok(.bad, String(decoding: b[start..<i], as: UTF8.self))
    }

    /// Whether the UTF-8 scalar at `at` is a letter: non-ASCII letters may appear in names, symbols may not.
    func startsLetter(at k: Int) -> Bool {
        var end = k + 1
        while end < b.count && (b[end] & 0xC0) == 0x80 { end += 1 }
        guard let s = String(decoding: b[k..<end], as: UTF8.self).unicodeScalars.first else { return false }
        return s.properties.isAlphabetic
    }

    func matches(_ p: String) -> Bool {
        var k = 0
        for u in p.utf8 { if peek(k) != u { return false }; k += 1 }
        return true
    }

    mutating func lexString(start: Int, verbatim: Bool, space: Bool) -> Token {
        let q = b[i]
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < b.count, b[i] != 10 || verbatim else {
                diagnostics.append(Diagnostic(DiagnosticCode.unterminatedString, "unterminated string literal", at: Span(start, i)))
                return Token(kind: .string, text: String(decoding: out, as: UTF8.self), span: Span(start, i), spaceBefore: space)
            }
            let c = b[i]
            if c == q {
                if verbatim && peek(1) == q { out.append(q); i += 2; continue }
                i += 1
                break
            }
            if c == UInt8(ascii: "\\") && !verbatim && i + 1 < b.count {
                let e = b[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "0"): out.append(0)
                case UInt8(ascii: "u") where i + 4 <= b.count:
                    let hex = String(decoding: b[i..<(i + 4)], as: UTF8.self)
                    if let v = UInt32(hex, radix: 16), let sc = UnicodeScalar(v) { out.append(contentsOf: Array(String(Character(sc)).utf8)); i += 4 } else { out.append(e) }
                default: out.append(e)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        return Token(kind: .string, text: String(decoding: out, as: UTF8.self), span: Span(start, i), spaceBefore: space)
    }

    static let timespanUnits: Set<String> = [
        "d", "day", "days", "h", "hr", "hrs", "hour", "hours", "m", "min", "minute", "minutes",
        "s", "sec", "second", "seconds", "ms", "milli", "millis", "millisecond", "milliseconds",
        "microsecond", "microseconds", "nanosecond", "nanoseconds", "tick", "ticks",
    ]

    mutating func lexNumber(start: Int, space: Bool) -> Token {
        if b[i] == UInt8(ascii: "0") && (peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X")) {
            i += 2
            while i < b.count && (Lexer.isDigit(b[i]) || (b[i] | 0x20 >= 97 && b[i] | 0x20 <= 102)) { i += 1 }
            let v = Int64(String(decoding: b[(start + 2)..<i], as: UTF8.self), radix: 16) ?? 0
            return Token(kind: .int, text: String(v), span: Span(start, i), spaceBefore: space)
        }
        var isReal = false
        while i < b.count && Lexer.isDigit(b[i]) { i += 1 }
        if i < b.count && b[i] == UInt8(ascii: ".") && peek(1) != UInt8(ascii: ".") && (Lexer.isDigit(peek(1)) || !Lexer.isIdentStart(peek(1))) {
            isReal = true
            i += 1
            while i < b.count && Lexer.isDigit(b[i]) { i += 1 }
        }
        if i < b.count && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            var k = i + 1
            if k < b.count && (b[k] == UInt8(ascii: "+") || b[k] == UInt8(ascii: "-")) { k += 1 }
            if k < b.count && Lexer.isDigit(b[k]) {
                isReal = true
                i = k
                while i < b.count && Lexer.isDigit(b[i]) { i += 1 }
            }
        }
        let numEnd = i
        if i < b.count && Lexer.isIdentStart(b[i]) {
            var k = i
            while k < b.count && Lexer.isIdentChar(b[k]) { k += 1 }
            let unit = String(decoding: b[i..<k], as: UTF8.self).lowercased()
            if Lexer.timespanUnits.contains(unit) {
                i = k
                return Token(kind: .timespan, text: String(decoding: b[start..<i], as: UTF8.self), span: Span(start, i), spaceBefore: space)
            }
        }
        return Token(kind: isReal ? .real : .int, text: String(decoding: b[start..<numEnd], as: UTF8.self), span: Span(start, i), spaceBefore: space)
    }
}

extension String {
    /// Trims ASCII whitespace without Foundation, which the syntax module does not import.
    public func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
