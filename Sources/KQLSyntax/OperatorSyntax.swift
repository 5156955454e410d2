/// Sources that start a pipeline without naming a table.
public enum SourceSyntax: Sendable {
    case datatable([ColumnDeclSyntax], [ExprSyntax])
    case print([NamedExprSyntax])
    case range(String, ExprSyntax, ExprSyntax, ExprSyntax)
    case union(UnionSyntax)
    case search(SearchSyntax)
    case externaldata([ColumnDeclSyntax], [ExprSyntax])
    case find(FindSyntax)
    case evaluate(String, [ArgumentSyntax])
}

/// `find [withsource=C] [in (T, ...)] where P [project-smart | project a, b:type, pack_all()]`.
public struct FindSyntax: Sendable {
    public var withSource: String?
    /// Table names or patterns; empty means every table.
    public var tables: [String]
    public var predicate: ExprSyntax
    /// Nil for `project-smart` (the default).
    public var project: [ColumnDeclSyntax]?
    public var packAll: Bool
    public init(withSource: String?, tables: [String], predicate: ExprSyntax, project: [ColumnDeclSyntax]?, packAll: Bool) {
        self.withSource = withSource; self.tables = tables; self.predicate = predicate; self.project = project; self.packAll = packAll
    }
}

/// `partition [hint...] by Column (subquery)`: the subquery runs on each partition's rows.
public struct PartitionSyntax: Sendable {
    public var column: String
    public var subquery: ExprSyntax
    public var hints: [String: String]
    public init(column: String, subquery: ExprSyntax, hints: [String: String]) { self.column = column; self.subquery = subquery; self.hints = hints }
}

/// One step of `scan`: `step s1 [output=all|last|none]: condition [=> Col = expr, ...];`.
public struct ScanStepSyntax: Sendable {
    public var name: String
    public var output: String
    public var condition: ExprSyntax
    public var assignments: [(String, ExprSyntax)]
    public init(name: String, output: String, condition: ExprSyntax, assignments: [(String, ExprSyntax)]) {
        self.name = name; self.output = output; self.condition = condition; self.assignments = assignments
    }
}

public struct ScanSyntax: Sendable {
    public var matchId: String?
    public var declared: [(ColumnDeclSyntax, ExprSyntax?)]
    public var steps: [ScanStepSyntax]
    public init(matchId: String?, declared: [(ColumnDeclSyntax, ExprSyntax?)], steps: [ScanStepSyntax]) {
        self.matchId = matchId; self.declared = declared; self.steps = steps
    }
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
    case partition(PartitionSyntax)
    case scan(ScanSyntax)
    /// `top-hitters N of Expr [by SumExpr]`.
    case topHitters(count: ExprSyntax, of: NamedExprSyntax, by: ExprSyntax?)
}
