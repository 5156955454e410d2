import KQLSyntax

/// A simple-mode `parse` pattern of string captures and literal texts, matched without a regular
/// expression. Kusto defines simple mode as the regex `^(.*?)lit1(.*?)lit2...(.*)` (lazy captures,
/// the last column greedy, `.` not crossing a line terminator). With only literals between lazy
/// captures, the regex's first match is the first occurrence of each literal in turn (a later
/// occurrence of one literal can only leave less room for the next), so one left-to-right scan finds
/// it; the regex engine instead backtracks through every split when a line does not match, which a
/// pattern of many wildcards over long text turns into minutes. Typed captures need the regex.
struct LiteralParsePattern: Sendable {
    /// Captures (column index, or nil for `*`) before a literal, or before the end when `literal` is nil.
    struct Step: Sendable {
        var captures: [Int?]
        var literal: [UInt8]?
    }
    let leading: [UInt8]
    let steps: [Step]
    /// How many columns the pattern captures.
    let columns: Int

    /// The pattern when it is only string captures, wildcards and texts; nil otherwise.
    init?(_ parts: [ParsePart]) {
        var leading: [UInt8] = [], steps: [Step] = [], run: [Int?] = [], columns = 0
        var started = false
        for part in parts {
            switch part {
            case .text(let s):
                // An empty text makes the capture before it lazy (it matches nothing): the regex's case.
                guard !s.isEmpty else { return nil }
                if !started { leading += Array(s.utf8); continue }
                if run.isEmpty, let last = steps.last, last.literal != nil {
                    steps[steps.count - 1].literal! += Array(s.utf8)
                } else {
                    steps.append(Step(captures: run, literal: Array(s.utf8)))
                    run = []
                }
            case .wildcard:
                started = true
                run.append(nil)
            case .column(_, let type):
                guard type == nil || KQLType(name: type!) == .string else { return nil }
                started = true
                run.append(columns)
                columns += 1
            }
        }
        if !run.isEmpty { steps.append(Step(captures: run, literal: nil)) }
        self.leading = leading
        self.steps = steps
        self.columns = columns
    }

    /// Each column's text (byte ranges of `s`), or nil when the line does not match.
    func match(_ s: [UInt8]) -> [Range<Int>]? {
        var out = [Range<Int>](repeating: 0..<0, count: columns)
        guard s.count >= leading.count, s[0..<leading.count].elementsEqual(leading) else { return nil }
        var pos = leading.count
        for step in steps {
            let captures = step.captures
            if let literal = step.literal {
                guard let at = Self.find(literal, in: s, from: pos), !Self.hasLineTerminator(s, pos..<at) else { return nil }
                // Lazy captures before the literal: the last one takes the span, the others nothing.
                if let last = captures.last, let c = last { out[c] = pos..<at }
                pos = at + literal.count
            } else {
                // At the end: the first column is greedy to the end of the line, the rest empty.
                let end = Self.lineEnd(s, from: pos)
                if let c = captures.compactMap({ $0 }).first { out[c] = pos..<end }
                pos = end
            }
        }
        return out
    }

    static func find(_ needle: [UInt8], in s: [UInt8], from: Int) -> Int? {
        needle.withUnsafeBufferPointer { n in s.withUnsafeBufferPointer { ByteSearch.firstIndex(of: n, in: $0, from: from) } }
    }

    /// Where `.` stops: ICU's line terminators (LF, VT, FF, CR, NEL, LS, PS).
    static func terminatorLength(_ s: [UInt8], _ i: Int) -> Int {
        let c = s[i]
        if c >= 0x0A && c <= 0x0D { return 1 }
        if c == 0xC2, i + 1 < s.count, s[i + 1] == 0x85 { return 2 }
        if c == 0xE2, i + 2 < s.count, s[i + 1] == 0x80, s[i + 2] == 0xA8 || s[i + 2] == 0xA9 { return 3 }
        return 0
    }

    static func hasLineTerminator(_ s: [UInt8], _ r: Range<Int>) -> Bool {
        r.contains { terminatorLength(s, $0) > 0 }
    }

    static func lineEnd(_ s: [UInt8], from: Int) -> Int {
        var i = from
        while i < s.count, terminatorLength(s, i) == 0 { i += 1 }
        return i
    }
}
