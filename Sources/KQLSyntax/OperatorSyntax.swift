/// Sources that start a pipeline without naming a table.
public enum SourceSyntax: Sendable {
    case datatable([ColumnDeclSyntax], [ExprSyntax])
    case print([NamedExprSyntax])
    case range(String, ExprSyntax, ExprSyntax, ExprSyntax)
    case union(UnionSyntax)
    case search(SearchSyntax)
    case externaldata([ColumnDeclSyntax], [ExprSyntax])
    case find(ExprSyntax)
    case evaluate(String, [ArgumentSyntax])
}

public struct UnionSyntax: Sendable {
    public var kind: String?          // inner | outer
    public var withSource: String?
    public var isFuzzy: Bool
    public var tables: [ExprSyntax]   // names (maybe with `*`) or parenthesized queries
    public init(kind: String?, withSource: String?, isFuzzy: Bool, tables: [ExprSyntax]) {
        self.kind = kind; self.withSource = withSource; self.isFuzzy = isFuzzy; self.tables = tables
    }
}

public struct SearchSyntax: Sendable {
    public var tables: [String]       // empty = all tables
    public var predicate: ExprSyntax
}

public struct JoinSyntax: Sendable {
    public var kind: String           // innerunique by default
    public var right: ExprSyntax
    /// Pairs of (left, right) column expressions; a bare name `a` is `$left.a == $right.a`.
    public var on: [(ExprSyntax, ExprSyntax)]
    /// Extra `where`-like conditions in `on` (Kusto allows only equalities; kept for errors).
    public var hints: [String: String]
    public init(kind: String, right: ExprSyntax, on: [(ExprSyntax, ExprSyntax)], hints: [String: String]) {
        self.kind = kind; self.right = right; self.on = on; self.hints = hints
    }
}

public struct ParseSyntax: Sendable {
    public enum Kind: String, Sendable { case simple, regex, relaxed }
    public var kind: Kind
    public var flags: String?
    public var source: ExprSyntax
    /// Alternating string literals and `Column[:type]` captures; `*` as `name == "*"`.
    public var pattern: [ParsePart]
    public var isWhere: Bool
}

public enum ParsePart: Sendable {
    case text(String)
    case column(String, String?)
    case wildcard
}

public struct MvExpandSyntax: Sendable {
    public var bagExpansion: String?
    public var withItemIndex: String?
    public var items: [(NamedExprSyntax, String?)]  // (expr, `to typeof(t)`)
    public var limit: ExprSyntax?
    public init(bagExpansion: String?, withItemIndex: String?, items: [(NamedExprSyntax, String?)], limit: ExprSyntax?) {
        self.bagExpansion = bagExpansion; self.withItemIndex = withItemIndex; self.items = items; self.limit = limit
    }
}

public struct MakeSeriesSyntax: Sendable {
    public var aggregates: [(NamedExprSyntax, ExprSyntax?)] // (agg, default)
    public var on: ExprSyntax
    public var from: ExprSyntax?
    public var to: ExprSyntax?
    public var inRange: (ExprSyntax, ExprSyntax, ExprSyntax)?
    public var step: ExprSyntax
    public var by: [NamedExprSyntax]
}

public struct TopNestedLevel: Sendable {
    public var count: ExprSyntax?
    public var of: NamedExprSyntax
    public var withOthers: ExprSyntax?
    public var by: NamedExprSyntax
    public var descending: Bool
}

/// One tabular operator after a `|`.
public indirect enum OperatorSyntax: Sendable {
    case whereOp(ExprSyntax)
    case project([NamedExprSyntax])
    case projectAway([ExprSyntax])
    case projectKeep([ExprSyntax])
    case projectRename([(String, String)])
    case projectReorder([SortKeySyntax])
    case extend([NamedExprSyntax])
    case summarize(aggregates: [NamedExprSyntax], by: [NamedExprSyntax], hints: [String: String])
    case top(count: ExprSyntax, by: [SortKeySyntax])
    case topNested([TopNestedLevel])
    case take(ExprSyntax)
    case sort([SortKeySyntax])
    case distinct([NamedExprSyntax])
    case count
    case join(JoinSyntax)
    case lookup(kind: String, right: ExprSyntax, on: [(ExprSyntax, ExprSyntax)])
    case union(UnionSyntax)
    case mvExpand(MvExpandSyntax)
    case mvApply(items: [(NamedExprSyntax, String?)], itemIndex: String?, limit: ExprSyntax?, subquery: ExprSyntax)
    case parse(ParseSyntax)
    case parseKV(source: ExprSyntax, columns: [ColumnDeclSyntax], with: [String: ExprSyntax])
    case makeSeries(MakeSeriesSyntax)
    case serialize([NamedExprSyntax])
    case asOp(String)
    case invoke(ExprSyntax)
    case getschema
    case sample(ExprSyntax)
    case sampleDistinct(ExprSyntax, ExprSyntax)
    case search(SearchSyntax)
    case evaluate(String, [ArgumentSyntax])
    case render(String, [String: String])
    case consume
    case facet([String])
}
