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

/// `make-graph Source --> Target [with Nodes on Id, ...] [with_node_id=Name]`.
public struct MakeGraphSyntax: Sendable {
    public var source: String
    public var target: String
    public var nodes: [(ExprSyntax, String)]
    public var nodeIdName: String?
    public init(source: String, target: String, nodes: [(ExprSyntax, String)], nodeIdName: String?) {
        self.source = source; self.target = target; self.nodes = nodes; self.nodeIdName = nodeIdName
    }
}

/// A graph pattern element: `(n)` or an edge `-[e*1..3]->` between two nodes.
public struct GraphPatternEdge: Sendable {
    public enum Direction: Sendable { case forward, backward, any }
    public var name: String?
    public var direction: Direction
    public var minHops: Int
    public var maxHops: Int
    public var variable: Bool
    public init(name: String?, direction: Direction, minHops: Int, maxHops: Int, variable: Bool) {
        self.name = name; self.direction = direction; self.minHops = minHops; self.maxHops = maxHops; self.variable = variable
    }
}

/// One path of a pattern: nodes[0] edges[0] nodes[1] ...
public struct GraphPath: Sendable {
    public var nodes: [String?]
    public var edges: [GraphPatternEdge]
    public init(nodes: [String?], edges: [GraphPatternEdge]) { self.nodes = nodes; self.edges = edges }
}

/// `graph-match` and `graph-shortest-paths`: pattern paths, a constraint and the projection.
public struct GraphMatchSyntax: Sendable {
    public var shortest: Bool
    public var options: [String: String]
    public var paths: [GraphPath]
    public var predicate: ExprSyntax?
    public var project: [NamedExprSyntax]
    public init(shortest: Bool, options: [String: String], paths: [GraphPath], predicate: ExprSyntax?, project: [NamedExprSyntax]) {
        self.shortest = shortest; self.options = options; self.paths = paths; self.predicate = predicate; self.project = project
    }
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
    /// `kind=nonempty`: an empty input still gives one series of defaults.
    public var nonEmpty = false
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
    /// `project-by-names "A", dynamic([...]), "C*", column_names_of(T)`: names computed from constants.
    case projectByNames([ExprSyntax])
    /// `reduce [kind=source] by Expr [with threshold=T, characters=C]`.
    case reduce(by: ExprSyntax, kind: String?, options: [String: ExprSyntax])
    case projectRename([(String, String)])
    /// Each pattern with its order (`asc`, `desc`, `granny-asc`, `granny-desc`), nil for input order.
    case projectReorder([(ExprSyntax, String?)])
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
    /// `facet by A, B [with (pipe)]`: a result per column (values and counts), the `with` pipe's first.
    case facet([String], with: ExprSyntax?)
    /// `fork [name=](pipe) [name=](pipe) ...`: each pipe over the input, a result table each (named
    /// by `name=` or the pipe's `as`).
    case fork([(name: String?, pipe: ExprSyntax)])
    case partition(PartitionSyntax)
    case scan(ScanSyntax)
    case makeGraph(MakeGraphSyntax)
    case graphMatch(GraphMatchSyntax)
    /// `graph-to-table nodes|edges [with_node_id=…] [with_source_id=…] [with_target_id=…]`.
    case graphToTable(String, [String: String])
    /// `graph-mark-components [kind=weak|strong] [with_component_id=…]`.
    case graphMarkComponents([String: String])
    /// `top-hitters N of Expr [by SumExpr]`.
    case topHitters(count: ExprSyntax, of: NamedExprSyntax, by: ExprSyntax?)
}
