/// A regular expression compiled for the Pike VM (`RegexMatcher`): flat instruction arrays, each
/// instruction an opcode and two operands, so a step reads three arrays and no enum payloads.
struct RegexProgram: Sendable {
    enum Op: UInt8, Sendable {
        /// a: the scalar.
        case char
        /// a: the index into `sets`.
        case set
        case any, anyButNewline
        /// Try a first, then b.
        case split
        case jump
        /// a: the slot.
        case save
        /// a: the RegexAssertion, b: 1 when word characters are Unicode's.
        case assert
        case match
    }

    var ops: [Op] = []
    var a: [Int32] = []
    var b: [Int32] = []
    var sets: [ScalarSet] = []
    /// Two per group, group 0 being the whole match.
    var slotCount = 2
    /// The pattern starts with `\A` (or `^` without `m`) on every path: a search tries position 0 only.
    var anchoredStart = false
    /// Bytes every match starts with (case-sensitive), to skip to candidates.
    var prefix: [UInt8] = []
    /// Bytes every match contains, lowercase when `requiredCaseless`: a text without them cannot match.
    var required: [UInt8] = []
    var requiredCaseless = false

    static let maxInstructions = 250_000

    init(_ node: RegexNode, groups: Int) throws(RegexSyntaxError) {
        slotCount = 2 * (groups + 1)
        emit(.save, 0)
        try compile(node)
        emit(.save, 1)
        emit(.match)
        anchoredStart = Self.startsAnchored(node)
        prefix = Self.utf8(Self.prefixScalars(node).scalars)
        let best = Self.requiredRun(node)
        let bestBytes = Self.utf8(best.scalars)
        if bestBytes.count > prefix.count || best.caseless {
            required = bestBytes.map { best.caseless && $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            requiredCaseless = best.caseless
        } else {
            required = prefix
        }
    }

    var count: Int { ops.count }

    static func utf8(_ scalars: [UInt32]) -> [UInt8] {
        Array(String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init))).utf8)
    }

    @discardableResult
    private mutating func emit(_ op: Op, _ x: Int32 = 0, _ y: Int32 = 0) -> Int {
        ops.append(op); a.append(x); b.append(y)
        return ops.count - 1
    }

    private mutating func compile(_ node: RegexNode) throws(RegexSyntaxError) {
        guard ops.count < Self.maxInstructions else {
            throw RegexSyntaxError(message: "the regular expression is too large (counted repetitions expand to more than \(Self.maxInstructions) steps)", position: 0)
        }
        switch node {
        case .empty: break
        case .literal(let c): emit(.char, Int32(bitPattern: c))
        case .caseless(let c):
            sets.append(ScalarSet(CaseFold.variants(of: c).map { $0...$0 }))
            emit(.set, Int32(sets.count - 1))
        case .set(let s):
            sets.append(s)
            emit(.set, Int32(sets.count - 1))
        case .any(let newline): emit(newline ? .any : .anyButNewline)
        case .assertion(let kind, let unicode): emit(.assert, kind.rawValue, unicode ? 1 : 0)
        case .capture(let inner, let index):
            emit(.save, Int32(2 * index))
            try compile(inner)
            emit(.save, Int32(2 * index + 1))
        case .concat(let items): for item in items { try compile(item) }
        case .alternate(let branches):
            // split L1, next; L1: branch; jump end; next: split L2, ... ; last branch
            var jumps: [Int] = []
            for (k, branch) in branches.enumerated() {
                if k < branches.count - 1 {
                    let split = emit(.split)
                    a[split] = Int32(ops.count)
                    try compile(branch)
                    jumps.append(emit(.jump))
                    b[split] = Int32(ops.count)
                } else {
                    try compile(branch)
                }
            }
            for j in jumps { a[j] = Int32(ops.count) }
        case .repetition(let inner, let lo, let hi, let greedy):
            if hi == nil && lo > 0 && !Self.canBeEmpty(inner) {
                // x{n,}: n-1 copies, then a last copy that loops back on itself.
                for _ in 0..<(lo - 1) { try compile(inner) }
                let start = ops.count
                try compile(inner)
                let s = emit(.split)
                setSplit(s, body: Int32(start), exit: Int32(ops.count), greedy: greedy)
                return
            }
            for _ in 0..<lo { try compile(inner) }
            if let hi {
                // (x(x(x)?)?)? for the optional copies: each split may skip all that follow.
                var splits: [Int] = []
                for _ in lo..<hi {
                    splits.append(emit(.split))
                    try compile(inner)
                }
                let end = Int32(ops.count)
                for s in splits { setSplit(s, body: Int32(s + 1), exit: end, greedy: greedy) }
            } else {
                let s = emit(.split)
                try compile(inner)
                emit(.jump, Int32(s))
                setSplit(s, body: Int32(s + 1), exit: Int32(ops.count), greedy: greedy)
            }
        }
    }

    private mutating func setSplit(_ s: Int, body: Int32, exit: Int32, greedy: Bool) {
        a[s] = greedy ? body : exit
        b[s] = greedy ? exit : body
    }

    static func canBeEmpty(_ node: RegexNode) -> Bool {
        switch node {
        case .empty, .assertion: return true
        case .literal, .caseless, .set, .any: return false
        case .capture(let inner, _): return canBeEmpty(inner)
        case .concat(let items): return items.allSatisfy(canBeEmpty)
        case .alternate(let branches): return branches.contains(where: canBeEmpty)
        case .repetition(let inner, let lo, _, _): return lo == 0 || canBeEmpty(inner)
        }
    }

    static func startsAnchored(_ node: RegexNode) -> Bool {
        switch node {
        case .assertion(.beginText, _): return true
        case .capture(let inner, _): return startsAnchored(inner)
        case .concat(let items): return items.first.map(startsAnchored) ?? false
        case .alternate(let branches): return branches.allSatisfy(startsAnchored)
        default: return false
        }
    }
}

extension RegexProgram {
    /// The literal scalars every match begins with; `exact` when the node is that literal and nothing more.
    static func prefixScalars(_ node: RegexNode) -> (scalars: [UInt32], exact: Bool) {
        switch node {
        case .empty: return ([], true)
        case .literal(let c): return ([c], true)
        case .capture(let inner, _): return prefixScalars(inner)
        case .concat(let items):
            var out: [UInt32] = []
            for item in items {
                let (s, exact) = prefixScalars(item)
                out += s
                if !exact { return (out, false) }
            }
            return (out, true)
        case .repetition(let inner, let lo, let hi, _) where lo >= 1:
            let (s, exact) = prefixScalars(inner)
            return (s, exact && lo == 1 && hi == 1)
        default: return ([], false)
        }
    }

    /// The longest run of literal scalars every match contains. A caseless run is compared ASCII
    /// case-insensitively, so it ends at a caseless scalar outside ASCII.
    static func requiredRun(_ node: RegexNode) -> (scalars: [UInt32], caseless: Bool) {
        var best: (scalars: [UInt32], caseless: Bool) = ([], false)
        var run: [UInt32] = [], runCaseless = false
        func flush() {
            if run.count > best.scalars.count { best = (run, runCaseless) }
            run = []; runCaseless = false
        }
        func visit(_ n: RegexNode) {
            switch n {
            case .empty, .assertion: break
            case .literal(let c): run.append(c)
            // k and s fold to KELVIN SIGN and LONG S outside ASCII, which an ASCII comparison would miss.
            case .caseless(let c) where c < 128 && !"kKsS".unicodeScalars.contains(where: { $0.value == c }):
                run.append(c)
                runCaseless = true
            case .capture(let inner, _): visit(inner)
            case .concat(let items): for item in items { visit(item) }
            case .repetition(let inner, let lo, let hi, _) where lo == 1 && hi == 1: visit(inner)
            case .repetition(let inner, let lo, _, _) where lo >= 1:
                visit(inner)
                flush()
            default: flush()
            }
        }
        visit(node)
        flush()
        return best
    }
}
