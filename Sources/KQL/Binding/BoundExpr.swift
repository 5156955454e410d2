public import KQLSyntax

/// A typed scalar expression, resolved against one input schema and ready to run over a batch.
public indirect enum BoundExpr: Sendable {
    case column(Int, KQLType)
    case constant(Value, KQLType)
    case call(FunctionDef, [BoundExpr], KQLType, Span)
    case and(BoundExpr, BoundExpr)
    case or(BoundExpr, BoundExpr)
    /// `x in (set)` with a constant set, precomputed once.
    case inSet(BoundExpr, InSet, negated: Bool)

    public var type: KQLType {
        switch self {
        case .column(_, let t), .constant(_, let t), .call(_, _, let t, _): return t
        case .and, .or, .inSet: return .bool
        }
    }

    public var constantValue: Value? { if case .constant(let v, _) = self { return v }; return nil }

    /// Input columns the expression reads, and whether it holds a window function (which needs rows).
    func columnRefs() -> (columns: Set<Int>, window: Bool) {
        switch self {
        case .column(let i, _): return ([i], false)
        case .constant: return ([], false)
        case .call(let f, let args, _, _):
            var out = Set<Int>(), w = f.isWindow
            for a in args { let r = a.columnRefs(); out.formUnion(r.columns); w = w || r.window }
            return (out, w)
        case .and(let l, let r), .or(let l, let r):
            let a = l.columnRefs(), b = r.columnRefs()
            return (a.columns.union(b.columns), a.window || b.window)
        case .inSet(let e, _, _): return e.columnRefs()
        }
    }

    /// The same expression reading column `map[i]` where it read `i`.
    func remapColumns(_ map: [Int: Int]) -> BoundExpr {
        switch self {
        case .column(let i, let t): return .column(map[i] ?? i, t)
        case .constant: return self
        case .call(let f, let args, let t, let s): return .call(f, args.map { $0.remapColumns(map) }, t, s)
        case .and(let l, let r): return .and(l.remapColumns(map), r.remapColumns(map))
        case .or(let l, let r): return .or(l.remapColumns(map), r.remapColumns(map))
        case .inSet(let e, let set, let n): return .inSet(e.remapColumns(map), set, negated: n)
        }
    }

    /// `a or b or c ...` as a balanced tree: thousands of terms (search over wide unions) stay shallow.
    static func anyOf(_ terms: [BoundExpr]) -> BoundExpr {
        switch terms.count {
        case 0: return .constant(.bool(false), .bool)
        case 1: return terms[0]
        default:
            let mid = terms.count / 2
            return .or(anyOf(Array(terms[..<mid])), anyOf(Array(terms[mid...])))
        }
    }
}

/// A precomputed membership set for `in`, `!in`, `in~`, `!in~`.
public struct InSet: Sendable {
    public var strings: Set<String>
    public var longs: Set<Int64>
    public var doubles: Set<Double>
    public var values: Set<Value>
    public var caseInsensitive: Bool

    init(items: [Value], caseInsensitive: Bool) {
        self.caseInsensitive = caseInsensitive
        var s = Set<String>(), l = Set<Int64>(), d = Set<Double>(), v = Set<Value>()
        for x in items {
            switch x {
            case .string(let t): s.insert(caseInsensitive ? t.lowercased() : t)
            case .long(let n): l.insert(n); d.insert(Double(n))
            case .real(let r): d.insert(r); if r == r.rounded(), abs(r) < 9e18 { l.insert(Int64(r)) }
            case .null: break
            default: v.insert(x)
            }
            if case .string = x {} else { s.insert(caseInsensitive ? x.kqlString.lowercased() : x.kqlString) }
            v.insert(x)
        }
        strings = s; longs = l; doubles = d; self.values = v
    }

    func contains(_ x: Value) -> Bool {
        switch x {
        case .null: return false
        case .string(let t): return strings.contains(caseInsensitive ? t.lowercased() : t)
        case .long(let n): return longs.contains(n)
        case .real(let r): return doubles.contains(r)
        default: return values.contains(x) || strings.contains(caseInsensitive ? x.kqlString.lowercased() : x.kqlString)
        }
    }
}
