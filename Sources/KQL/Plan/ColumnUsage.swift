import KQLSyntax

/// Which input columns a pipeline can read, so a scan hands over only those (projection pushdown).
/// Walks the operators backwards: operators that build a new schema (`project`, `summarize`) reset the
/// set to what they reference; filters and extensions add to it; anything that passes every column
/// through to an unknown consumer (`join`, `union`, `as`, plugins) needs them all (nil).
enum ColumnUsage {
    static func needed(_ ops: [OperatorSyntax]) -> Set<String>? {
        var needed: Set<String>? = nil
        func add(_ r: Set<String>?) { needed = (needed == nil || r == nil) ? nil : needed!.union(r!) }
        for op in ops.reversed() {
            switch op {
            case .project(let items): needed = refs(items.map(\.expr))
            case .summarize(let aggs, let by, _): needed = refs(aggs.map(\.expr) + by.map(\.expr))
            case .distinct(let items): needed = refs(items.map(\.expr))
            case .count: needed = []
            case .makeSeries(let m): needed = refs(m.aggregates.map(\.0.expr) + [m.on] + m.by.map(\.expr))
            case .projectKeep(let pats):
                let names = pats.compactMap { if case .name(let n, _) = $0, !n.contains("*") { return n }; return nil }
                needed = names.count == pats.count ? Set(names) : nil
            case .whereOp(let p): add(refs([p]))
            case .extend(let items), .serialize(let items): add(refs(items.map(\.expr)))
            case .sort(let keys), .top(_, let keys): add(refs(keys.map(\.expr)))
            case .take, .render, .sample: break
            case .parse(let p): add(refs([p.source]))
            case .parseKV(let src, _, _): add(refs([src]))
            case .mvExpand(let m): add(refs(m.items.map(\.0.expr)))
            default: needed = nil
            }
        }
        return needed
    }

    /// Names an expression may read; nil when it may read every column (`*`, `pack_all()`).
    static func refs(_ exprs: [ExprSyntax]) -> Set<String>? {
        var out = Set<String>()
        var all = false
        func visit(_ e: ExprSyntax) {
            switch e {
            case .name(let n, _): out.insert(n)
            case .star: all = true
            case .literal, .dynamicLiteral, .missing: break
            case .member(let b, _, _): visit(b)
            case .index(let b, let i, _): visit(b); visit(i)
            case .call(let f, let args, _):
                if f == "pack_all" || f == "column_ifexists" || f == "columnifexists" || f == "__search_any" { all = true }
                if f == "ingestion_time" { out.insert("_IngestionTime") }
                args.forEach { visit($0.value) }
            case .unary(_, let x, _): visit(x)
            case .binary(_, let l, let r, _): visit(l); visit(r)
            case .inList(_, let x, let items, _): visit(x); items.forEach(visit)
            case .between(_, let x, let lo, let hi, _): visit(x); visit(lo); visit(hi)
            case .pipe, .source, .lambda: break  // subqueries read their own tables
            }
        }
        exprs.forEach(visit)
        return all ? nil : out
    }
}
