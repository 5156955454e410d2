import KQLSyntax
import OrderedCollections

/// `find`, `partition` and `top-hitters`.
extension QueryExecutor {
    /// `find`: the rows of every table (or those named) where the predicate holds; a table the
    /// predicate cannot bind against (it lacks a column) is skipped, as Kusto does. The output is the
    /// source table (`source_`), then the projected columns, or by default (`project-smart`) the
    /// columns the predicate reads and a `pack_` bag of the row's other non-empty columns.
    func find(_ f: FindSyntax, _ scope: Scope, _ span: Span) throws -> Table {
        let all = provider.tableNames()
        let names = f.tables.isEmpty ? all : all.filter { n in f.tables.contains { Wildcard.matches(n, $0) } }
        let sourceName = f.withSource ?? "source_"
        let predicateColumns = ColumnUsage.refs([f.predicate]) ?? []
        var parts: [(String, Table)] = []
        var bound = 0
        for n in names {
            guard let t = try? table(named: n, scope, span) else { continue }
            guard let kept = try? filter(t, f.predicate, scope) else { continue }
            bound += 1
            if kept.count > 0 || f.tables.contains(n) { parts.append((n, kept)) }
        }
        if bound == 0 && !names.isEmpty {
            throw KQLError.bind(DiagnosticCode.unknownColumn, "find: the predicate binds against none of the \(names.count) tables searched", f.predicate.span)
        }
        var schema: [ColumnSchema] = [ColumnSchema(sourceName, .string)]
        if let cols = f.project {
            for c in cols {
                let type = KQLType(name: c.type) ?? parts.lazy.compactMap { $0.1.schema.columns.first { $0.name == c.name }?.type }.first ?? .string
                schema.append(ColumnSchema(c.name, type))
            }
        } else {
            for c in predicateColumns.sorted() {
                if let t = parts.lazy.compactMap({ $0.1.schema.columns.first { $0.name == c }?.type }).first { schema.append(ColumnSchema(c, t)) }
            }
        }
        let packed = f.project == nil || f.packAll
        if packed { schema.append(ColumnSchema("pack_", .dynamic)) }
        let explicit = Set(schema.map(\.name))
        var rows: [[Value]] = []
        for (n, t) in parts {
            for r in 0..<t.count {
                var row: [Value] = [.string(n)]
                for c in schema.dropFirst() where c.name != "pack_" {
                    row.append(t.column(named: c.name).map { $0.value(at: r).converted(to: c.type) } ?? .null)
                }
                if packed {
                    var bag = OrderedDictionary<String, Value>()
                    for (i, c) in t.schema.columns.enumerated() where !explicit.contains(c.name) {
                        let v = t.columns[i].value(at: r)
                        if !v.isNull && v != .string("") { bag[c.name] = v }
                    }
                    row.append(.bag(bag))
                }
                rows.append(row)
            }
            try checkBudget(rows.count, "find", span)
        }
        return Table.from(schema: Schema(schema), rows: rows)
    }

    /// `partition by C (subquery)`: the subquery runs on each value's rows; results are unioned.
    func partition(_ input: Table, _ p: PartitionSyntax, _ scope: Scope, _ span: Span) throws -> Table {
        guard let col = input.column(named: p.column) else {
            throw KQLError.bind(DiagnosticCode.unknownColumn, "partition: no column '\(p.column)'" + NameSuggestion.didYouMean(p.column, among: input.schema.names), span)
        }
        func run(_ rows: Table) throws -> Table { try subPipeline(p.subquery, over: rows, scope) }
        let g = Grouping.group([col], count: input.count)
        if input.count == 0 { return try run(input) }
        var members = [[Int]](repeating: [], count: g.count)
        for (i, k) in g.groups.enumerated() { members[Int(k)].append(i) }
        let parts = try members.map { try run(input.gather($0)) }
        return try union(UnionSyntax(kind: nil, withSource: nil, isFuzzy: false, tables: []), first: nil, scope, span, preloaded: parts)
    }

    /// `top-hitters N of E [by S]`: the N values of E with the most rows (or the largest sum of S),
    /// counted exactly (Kusto's are approximate).
    func topHitters(_ input: Table, _ count: ExprSyntax, _ of: NamedExprSyntax, _ by: ExprSyntax?, _ scope: Scope, _ span: Span) throws -> Table {
        let n = max(0, try constant(count, scope).int ?? 10)
        let key = of.names.first ?? Naming.derived(of.expr) ?? "Column1"
        let aggName = by.map { "approximate_sum_" + (Naming.derived($0) ?? "Column1") } ?? "approximate_count_" + key
        let agg: ExprSyntax = by.map { .call(name: "sum", args: [ArgumentSyntax(value: $0)], span) } ?? .call(name: "count", args: [], span)
        let summed = try summarize(input, [NamedExprSyntax(names: [aggName], expr: agg, span: span)],
                                   [NamedExprSyntax(names: [key], expr: of.expr, span: of.span)], scope, span)
        return try sortTable(summed, [SortKeySyntax(expr: .name(aggName, span), descending: true, nullsFirst: nil)], scope, limit: n)
    }
}
