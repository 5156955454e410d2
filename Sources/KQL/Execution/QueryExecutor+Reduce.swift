import KQLSyntax

/// `reduce by Expr [with threshold=T, characters=C]`: groups similar strings under a pattern, after
/// Vaarandi's SLCT ("A Data Clustering Algorithm for Mining Patterns From Event Logs"), which the
/// reference names as its basis. A value is a list of terms between separators (by default every
/// character that is not an ASCII letter or digit; with `characters`, those characters). A term is
/// frequent at its position when more than T of the rows have it there; a value's candidate is its
/// frequent terms in place and `*` for the others. A candidate with a frequent term that more than T
/// of the rows share is a group (its first value is the representative); every other row counts
/// under `others`. `kind=source` keeps the rows and adds each one's `Pattern`.
extension QueryExecutor {
    func reduce(_ input: Table, by: ExprSyntax, kind: String?, options: [String: ExprSyntax], _ scope: Scope, _ span: Span) throws -> Table {
        let threshold = try options["threshold"].map { try constant($0, scope).asDouble ?? -1 } ?? 0.1
        guard threshold >= 0 && threshold <= 1 else {
            throw KQLError.bind(DiagnosticCode.badArgument, "reduce: threshold is a real between 0 and 1", options["threshold"]?.span ?? span)
        }
        if let k = kind, k.lowercased() != "source" { throw KQLError.bind(DiagnosticCode.badArgument, "reduce: the only kind is 'source'", span) }
        let custom = try options["characters"].map { Set(try constant($0, scope).kqlString) }
        let isSeparator: (Character) -> Bool = custom.map { set in { set.contains($0) } } ?? { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        let b = try compile(by, input, scope)
        let col = try b.evaluate(input, ctx).materialize(type: b.type, count: input.count)
        let values = (0..<input.count).map { col.value(at: $0).kqlString }
        let pieces = values.map { ReducePattern.split($0, isSeparator) }
        let support = threshold * Double(values.count)
        var termCounts: [ReducePattern.PositionedTerm: Int] = [:]
        for p in pieces { for t in p.positionedTerms { termCounts[t, default: 0] += 1 } }
        let frequent = { (t: ReducePattern.PositionedTerm) in Double(termCounts[t] ?? 0) > support }
        // Each row's candidate: its terms' frequency in place (nil where a wildcard stands).
        var groups: [[String?]: (count: Int, first: Int)] = [:]
        var candidateOf: [[String?]?] = []
        for (r, p) in pieces.enumerated() {
            let candidate = p.positionedTerms.map { frequent($0) ? $0.term : nil }
            guard candidate.contains(where: { $0 != nil }) else { candidateOf.append(nil); continue }
            candidateOf.append(candidate)
            groups[candidate, default: (0, r)].count += 1
        }
        var patternOf: [[String?]: String] = [:]
        for (c, g) in groups where Double(g.count) > support {
            patternOf[c] = pieces[g.first].pattern(keeping: c, absorbSeparators: custom != nil)
        }
        if kind != nil {
            let patterns = candidateOf.map { c in c.flatMap { patternOf[$0] } ?? "others" }
            var out = input
            out.schema.columns.append(ColumnSchema("Pattern", .string))
            out.columns.append(Column.from(values: patterns.map { .string($0) }, type: .string))
            return out
        }
        var rows: [[Value]] = patternOf.map { c, pattern in [.string(pattern), .long(Int64(groups[c]!.count)), .string(values[groups[c]!.first])] }
        rows.sort { a, b in a[1].asInt64! != b[1].asInt64! ? a[1].asInt64! > b[1].asInt64! : a[0].kqlString < b[0].kqlString }
        let grouped = patternOf.keys.reduce(0) { $0 + groups[$1]!.count }
        if grouped < values.count { rows.append([.string("others"), .long(Int64(values.count - grouped)), .string("")]) }
        return Table.from(schema: Schema([ColumnSchema("Pattern", .string), ColumnSchema("Count", .long), ColumnSchema("Representative", .string)]), rows: rows)
    }
}

/// A value cut into terms and the separators between them.
struct ReducePattern {
    struct PositionedTerm: Hashable { var position: Int; var term: String }
    /// Alternating pieces; `isTerm` tells which.
    var pieces: [(text: String, isTerm: Bool)]

    var positionedTerms: [PositionedTerm] {
        pieces.filter(\.isTerm).enumerated().map { PositionedTerm(position: $0.offset, term: $0.element.text) }
    }

    static func split(_ s: String, _ isSeparator: (Character) -> Bool) -> ReducePattern {
        var pieces: [(String, Bool)] = []
        for ch in s {
            let term = !isSeparator(ch)
            if let last = pieces.last, last.1 == term { pieces[pieces.count - 1].0.append(ch) } else { pieces.append((String(ch), term)) }
        }
        return ReducePattern(pieces: pieces.map { (text: $0.0, isTerm: $0.1) })
    }

    /// The terms of `candidate` in place, `*` for the others; wildcards with only separators between
    /// them are one. Separators the query named are part of an adjacent wildcard ("fooZ1" by "Z" is
    /// `foo*`); the default ones stay ("San Bernard" is `San *`).
    func pattern(keeping candidate: [String?], absorbSeparators: Bool) -> String {
        var out: [(text: String, wild: Bool, sep: Bool)] = []
        var k = 0
        for p in pieces {
            if p.isTerm {
                let keep = k < candidate.count && candidate[k] != nil
                k += 1
                if keep { out.append((p.text, false, false)); continue }
                // Merge with a wildcard before it, across separators only.
                if let w = out.lastIndex(where: { !$0.sep }), out[w].wild {
                    out.removeSubrange((w + 1)...)
                    continue
                }
                if absorbSeparators { while let last = out.last, last.sep { out.removeLast() } }
                out.append(("*", true, false))
            } else if absorbSeparators, out.last?.wild == true {
                continue
            } else {
                out.append((p.text, false, true))
            }
        }
        return out.map(\.text).joined()
    }
}
