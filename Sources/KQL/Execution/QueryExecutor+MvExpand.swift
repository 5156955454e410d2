import KQLSyntax
import OrderedCollections

extension QueryExecutor {
    func mvExpand(_ input: Table, _ m: MvExpandSyntax, _ scope: Scope, _ span: Span) throws -> Table {
        let limit = try m.limit.map { try constant($0, scope).int ?? Int.max } ?? Int.max
        var t = input
        var arrays: [(String, [Value], KQLType?)] = []
        for (item, to) in m.items {
            let b = try compile(item.expr, t, scope)
            let v = try b.evaluate(t, ctx)
            let name = item.names.first ?? Naming.derived(item.expr) ?? "Column\(arrays.count + 1)"
            arrays.append((name, (0..<t.count).map { v.value(at: $0) }, to.flatMap { KQLType(name: $0) }))
        }
        let asBags = m.bagExpansion == "array"
        var rowIdx: [Int] = []
        var outVals = arrays.map { _ in [Value]() }
        var itemIndex: [Value] = []
        for r in 0..<t.count {
            let parts = arrays.map { a -> [Value] in
                switch a.1[r] {
                case .array(let x): return x
                case .bag(let b): return b.map { asBags ? .array([.string($0.key), $0.value]) : .bag([$0.key: $0.value]) }
                // a null expands to one null row; an empty array or bag to none (the reference page)
                case .null: return [.null]
                default: return [a.1[r]]
                }
            }
            let n = min(limit, parts.map(\.count).max() ?? 0)
            if n == 0 {
                // Empty arrays drop the row (Kusto keeps it only with kind=...; not supported).
                continue
            }
            try checkBudget(rowIdx.count + n, "mv-expand", span)
            for k in 0..<n {
                rowIdx.append(r)
                itemIndex.append(.long(Int64(k)))
                for (j, p) in parts.enumerated() { outVals[j].append(k < p.count ? p[k] : .null) }
            }
        }
        t = t.gather(rowIdx)
        for (j, a) in arrays.enumerated() {
            let type = a.2 ?? .dynamic
            let col = Column.from(values: outVals[j], type: type)
            if let i = t.schema.index(of: a.0) { t.schema.columns[i] = ColumnSchema(a.0, type); t.columns[i] = col }
            else { t.schema.columns.append(ColumnSchema(a.0, type)); t.columns.append(col) }
        }
        if let idx = m.withItemIndex {
            t.schema.columns.append(ColumnSchema(idx, .long))
            t.columns.append(Column.from(values: itemIndex, type: .long))
        }
        return t
    }

    /// Expands each row, runs the subquery on that row's expansion, and extends the subquery's rows
    /// with the row's columns that were not expanded (an expanded column appears only if the subquery
    /// outputs it, as in Kusto: `mv-apply x on (summarize make_list(x))` has no `x`).
    func mvApply(_ input: Table, _ items: [(NamedExprSyntax, String?)], _ idx: String?, _ limit: ExprSyntax?, _ sub: ExprSyntax, _ scope: Scope, _ span: Span) throws -> Table {
        let expand = MvExpandSyntax(bagExpansion: nil, withItemIndex: idx, items: items, limit: limit)
        func runSub(_ rows: Table) throws -> Table { try subPipeline(sub, over: try mvExpand(rows, expand, scope, span), scope) }
        // The subquery over no rows gives the output schema even when the input is empty.
        let empty = try runSub(input.slice(0..<0))
        var subNames = Set(empty.schema.names)
        for (item, _) in items { if let n = item.names.first ?? Naming.derived(item.expr) { subNames.insert(n) } }
        let keep = input.schema.columns.indices.filter { !subNames.contains(input.schema.columns[$0].name) }
        var outer: [Int] = [], parts: [Table] = []
        for r in 0..<input.count {
            let part = try runSub(input.slice(r..<(r + 1)))
            outer += [Int](repeating: r, count: part.count)
            parts.append(part)
        }
        let inner = parts.isEmpty ? empty : try union(UnionSyntax(kind: nil, withSource: nil, isFuzzy: false, tables: []), first: nil, scope, span, preloaded: parts)
        let left = selectColumns(input, keep).gather(outer)
        return Table(schema: Schema(left.schema.columns + inner.schema.columns), columns: left.columns + inner.columns, count: outer.count)
    }

    func union(_ u: UnionSyntax, first: Table?, _ scope: Scope, _ span: Span, preloaded: [Table]) throws -> Table {
        let s = scope.child()
        var names: [ExprSyntax] = []
        for (i, p) in preloaded.enumerated() { s.bindings["$part\(i)"] = .table(p); names.append(.name("$part\(i)", span)) }
        var uu = u
        uu.tables = names
        return try union(uu, first: first, s, span)
    }
}
