/// A literal as written; the binder gives it a type.
public enum LiteralSyntax: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)          // unsuffixed integers are `long` in Kusto
    case real(Double)
    case string(String)
    case timespan(String)    // unparsed text such as `1.5h`, checked by the binder
    case typed(String, String) // (type name, raw text): `datetime(2020-01-01)`, `guid(...)`, `int(null)`
}

/// A scalar or tabular expression. Kusto's grammar mixes the two (`let x = T | where ...;`), so the
/// syntax does too and the binder decides which one a node is.
public indirect enum ExprSyntax: Sendable {
    case literal(LiteralSyntax, Span)
    case name(String, Span)
    case star(Span)
    /// `a.b` and `a["b"]`.
    case member(ExprSyntax, String, Span)
    /// `a[0]`, `a[-1]`, `a[x]`.
    case index(ExprSyntax, ExprSyntax, Span)
    case call(name: String, args: [ArgumentSyntax], Span)
    case unary(String, ExprSyntax, Span)
    case binary(String, ExprSyntax, ExprSyntax, Span)
    /// `x in (...)`, `x !in~ (...)`, `has_any`, `has_all`: the list may be a single tabular expression.
    case inList(String, ExprSyntax, [ExprSyntax], Span)
    case between(negated: Bool, ExprSyntax, ExprSyntax, ExprSyntax, Span)
    case dynamicLiteral(DynamicSyntax, Span)
    /// A tabular operator applied to the result of `source`.
    case pipe(ExprSyntax, OperatorSyntax, Span)
    /// A tabular source that is not a name: datatable, print, range, union...
    case source(SourceSyntax, Span)
    /// `(a: string, T: (*)) { body }` as a `let` value.
    case lambda(LambdaSyntax, Span)
    case missing(Span)

    public var span: Span {
        switch self {
        case .literal(_, let s), .name(_, let s), .star(let s), .member(_, _, let s), .index(_, _, let s),
             .call(_, _, let s), .unary(_, _, let s), .binary(_, _, _, let s), .inList(_, _, _, let s),
             .between(_, _, _, _, let s), .dynamicLiteral(_, let s), .pipe(_, _, let s), .source(_, let s),
             .lambda(_, let s), .missing(let s):
            return s
        }
    }
}

extension ExprSyntax {
    /// The expression with `replace` applied top-down: where it returns an expression, that stands
    /// for the node; elsewhere the node is kept and its operands rewritten (subqueries and lambdas are
    /// left alone).
    public func rewritten(_ replace: (ExprSyntax) -> ExprSyntax?) -> ExprSyntax {
        if let r = replace(self) { return r }
        switch self {
        case .member(let b, let m, let s): return .member(b.rewritten(replace), m, s)
        case .index(let b, let i, let s): return .index(b.rewritten(replace), i.rewritten(replace), s)
        case .call(let f, let args, let s): return .call(name: f, args: args.map { ArgumentSyntax(name: $0.name, value: $0.value.rewritten(replace)) }, s)
        case .unary(let op, let x, let s): return .unary(op, x.rewritten(replace), s)
        case .binary(let op, let l, let r, let s): return .binary(op, l.rewritten(replace), r.rewritten(replace), s)
        case .inList(let op, let x, let items, let s): return .inList(op, x.rewritten(replace), items.map { $0.rewritten(replace) }, s)
        case .between(let neg, let x, let lo, let hi, let s): return .between(negated: neg, x.rewritten(replace), lo.rewritten(replace), hi.rewritten(replace), s)
        default: return self
        }
    }
}

/// A call argument: positional, or `name = value` as in `bag_unpack(x, columnsConflict='...')`.
public struct ArgumentSyntax: Sendable {
    public var name: String?
    public var value: ExprSyntax
    public init(name: String? = nil, value: ExprSyntax) { self.name = name; self.value = value }
}

/// The JSON-like contents of `dynamic(...)`.
public indirect enum DynamicSyntax: Sendable {
    case scalar(LiteralSyntax)
    case array([DynamicSyntax])
    case object([(String, DynamicSyntax)])
}

public struct ParameterSyntax: Sendable {
    public var name: String
    /// A scalar type name, or nil with `tabularColumns` set for `T: (*)` / `T: (a: string)`.
    public var type: String?
    public var tabularColumns: [ColumnDeclSyntax]?
    public var defaultValue: ExprSyntax?
}

public struct LambdaSyntax: Sendable {
    public var parameters: [ParameterSyntax]
    public var body: [StatementSyntax]
    public var isView: Bool
}

public struct ColumnDeclSyntax: Sendable {
    public var name: String
    public var type: String
    public var span: Span
}

/// An `extend`/`summarize`/`project` item: `expr`, `Name = expr` or `(A, B) = expr`.
public struct NamedExprSyntax: Sendable {
    public var names: [String]
    public var expr: ExprSyntax
    public var span: Span
    public init(names: [String], expr: ExprSyntax, span: Span) { self.names = names; self.expr = expr; self.span = span }
}

public struct SortKeySyntax: Sendable {
    public var expr: ExprSyntax
    public var descending: Bool
    public var nullsFirst: Bool?
    public init(expr: ExprSyntax, descending: Bool, nullsFirst: Bool?) { self.expr = expr; self.descending = descending; self.nullsFirst = nullsFirst }
}

public struct StatementSyntax: Sendable {
    public enum Kind: Sendable {
        case letBinding(String, ExprSyntax)
        case set(String, ExprSyntax?)
        case declareParameters([ParameterSyntax])
        case query(ExprSyntax)
        case alias(String)
    }
    public var kind: Kind
    public var span: Span
}

/// A parsed query: statements plus every diagnostic found; parsing never fails outright.
public struct QuerySyntax: Sendable {
    public var statements: [StatementSyntax]
    public var diagnostics: [Diagnostic]
    public var source: SourceText
}
