import KQLSyntax

extension QueryExecutor {
    func summarize(_ input: Table, _ aggs: [NamedExprSyntax], _ by: [NamedExprSyntax], _ scope: Scope, _ span: Span) throws -> Table {
        let n = input.count
        var outSchema: [ColumnSchema] = []
        var outCols: [Column] = []
        var auto = 0
        // Group keys.
        var keyCols: [Column] = []
        var keyNames: [String] = []
        for k in by {
            let b = try compile(k.expr, input, scope)
            let c = try b.evaluate(input, ctx).materialize(type: b.type, count: n)
            let name = k.names.first ?? Naming.derived(k.expr) ?? { repeat { auto += 1 } while input.schema.names.contains("Column\(auto)"); return "Column\(auto)" }()
            keyCols.append(c)
            keyNames.append(name)
        }
        let g = Grouping.group(keyCols, count: n)
        // With keys and no rows there are no groups; without keys there is always one row.
        let ngroups = by.isEmpty ? 1 : (n == 0 ? 0 : g.count)
        let firstRows = by.isEmpty ? [] : g.firstRow
        for (i, c) in keyCols.enumerated() {
            outSchema.append(ColumnSchema(keyNames[i], c.type))
            outCols.append(c.gather(firstRows))
        }
        // Expressions over aggregates (`array_length(make_set(x))`) aggregate first, then evaluate on the groups.
        var post: [(NamedExprSyntax, ExprSyntax)] = []
        var hidden: [NamedExprSyntax] = []
        for a in aggs {
            if case .call(let f, _, _) = a.expr, Aggregates.isAggregate(f) { hidden.append(a); continue }
            var found: [ExprSyntax] = []
            let rewritten = AggregateLifting.lift(a.expr, &found, prefix: "$agg\(post.count)_")
            var plainColumn = false
            if case .name = a.expr { plainColumn = true }
            guard !found.isEmpty || plainColumn else {
                throw KQLError.bind(DiagnosticCode.badArgument, "summarize expects an aggregation function such as count()", a.span)
            }
            guard !found.isEmpty else {
                // A plain column (`summarize Account by Computer`) keeps one value per group, under its own name.
                hidden.append(NamedExprSyntax(names: a.names.isEmpty ? (Naming.derived(a.expr).map { [$0] } ?? []) : a.names,
                                              expr: .call(name: "take_any", args: [ArgumentSyntax(value: a.expr)], a.span), span: a.span))
                continue
            }
            for (k, f) in found.enumerated() { hidden.append(NamedExprSyntax(names: ["$agg\(post.count)_\(k)"], expr: f, span: a.span)) }
            post.append((a, rewritten))
        }
        for a in hidden {
            guard case .call(let fname, let args, let cspan) = a.expr else { continue }
            let produced = try aggregate(fname, args, cspan, a, input, scope, g.groups, ngroups, byKeys: Set(keyNames))
            for (name, col) in produced {
                var nm = name
                if outSchema.contains(where: { $0.name == nm }) {
                    guard a.names.isEmpty else { throw KQLError.bind(DiagnosticCode.duplicateColumn, "duplicate column '\(nm)'", a.span) }
                    var k = 1
                    while outSchema.contains(where: { $0.name == "\(name)\(k)" }) { k += 1 }
                    nm = "\(name)\(k)"
                }
                outSchema.append(ColumnSchema(nm, col.type))
                outCols.append(col)
            }
        }
        var out = Table(schema: Schema(outSchema), columns: outCols, count: ngroups)
        if !post.isEmpty {
            var auto = 0
            for (item, expr) in post {
                let b = try compile(expr, out, scope)
                let name = try outputNames(item, b, &auto, existing: out.schema.names)[0]
                out.schema.columns.append(ColumnSchema(name, b.type))
                out.columns.append(try b.evaluate(out, ctx).materialize(type: b.type, count: out.count))
            }
            out = selectColumns(out, out.schema.columns.indices.filter { !out.schema.columns[$0].name.hasPrefix("$agg") })
        }
        return out
    }

    /// One aggregation call; returns its output column(s).
    func aggregate(_ fname: String, _ args: [ArgumentSyntax], _ span: Span, _ item: NamedExprSyntax, _ input: Table, _ scope: Scope,
                   _ groups: [Int32], _ ngroups: Int, byKeys: Set<String>) throws -> [(String, Column)] {
        let n = input.count
        if fname == "arg_max" || fname == "arg_min" {
            return try argMinMax(fname == "arg_max", args, span, item, input, scope, groups, ngroups, byKeys: byKeys)
        }
        if Aggregates.percentileFamily.contains(fname) {
            // The weighted forms (`percentilesw(v, w, 50, 90)`) count each value `w` times.
            let weighted = fname.hasPrefix("percentilew") || fname.hasPrefix("percentilesw")
            let first = weighted ? 2 : 1
            guard args.count > first else { throw KQLError.bind(DiagnosticCode.wrongArguments, "\(fname)() expects a column\(weighted ? ", a weight" : "") and percentiles", span) }
            let b = try compile(args[0].value, input, scope)
            var ps: [Double] = []
            for a in args.dropFirst(first) {
                let v = try constant(a.value, scope)
                if let arr = v.asArray { ps += arr.compactMap(\.asDouble) } else if let d = v.asDouble { ps.append(d) }
            }
            var vecs = [try b.evaluate(input, ctx)]
            if weighted {
                let w = try compile(args[1].value, input, scope)
                guard w.type.isIntegral || w.type == .real else { throw KQLError.bind(DiagnosticCode.typeMismatch, "\(fname)()'s weight must be a number", args[1].value.span) }
                vecs.append(try w.evaluate(input, ctx))
            }
            let inp = AggInput(args: vecs, types: [b.type], groups: groups, ngroups: ngroups, n: n, mask: nil)
            let vals = Aggregates.nearestRank(inp, ps, weighted: weighted)
            let base = Naming.derived(args[0].value) ?? ""
            if fname.hasSuffix("_array") {
                return [(item.names.first ?? "percentiles_\(base)", Column(type: .dynamic, data: .value(vals.map { .array($0) })))]
            }
            return ps.enumerated().map { k, p in
                let name = k < item.names.count ? item.names[k] : "percentile_\(base)_\(Value.formatReal(p).replacingDot())"
                return (name, Column.from(values: vals.map { $0[k] }, type: b.type == .int ? .long : b.type))
            }
        }
        guard let def = Aggregates.lookup(fname) else {
            if FunctionRegistry.lookup(fname) != nil {
                throw KQLError.bind(DiagnosticCode.badArgument, "\(fname)() is not an aggregation function; wrap it in one (e.g. take_any)", span)
            }
            throw KQLError.bind(DiagnosticCode.unknownFunction, "unknown aggregation function '\(fname)'", span)
        }
        guard def.args.contains(args.count) else {
            throw KQLError.bind(DiagnosticCode.wrongArguments, "\(fname)() expects \(def.args.lowerBound) to \(def.args.upperBound) argument(s), got \(args.count)", span)
        }
        var bound = try args.map { try compile($0.value, input, scope) }
        var mask: [Bool]? = nil
        if def.hasPredicate {
            let predIndex = fname == "countif" ? 0 : 1
            let pb = bound[predIndex]
            let pv = try pb.evaluate(input, ctx)
            let pc = pv.materialize(type: .bool, count: n)
            if case .bool(let m) = pc.data { mask = (0..<n).map { m[$0] && !pc.isNull($0) } }
            bound.remove(at: predIndex)
        }
        if fname == "count" { bound = [] }
        let vals = try bound.map { try $0.evaluate(input, ctx) }
        let types = bound.map(\.type)
        var col = try def.run(AggInput(args: vals, types: types, groups: groups, ngroups: ngroups, n: n, mask: mask))
        let rt = def.resultType(types.isEmpty ? [.long] : types)
        if col.type != rt { col = Column(type: rt, data: col.data, nulls: col.nulls) }
        if ngroups == 1 && n == 0 { col = Column.from(values: [def.emptyValue], type: rt) }
        var name = item.names.first ?? Naming.aggregate(def, args)
        if fname == "percentile", item.names.isEmpty, args.count == 2, let p = try? constant(args[1].value, scope) { name += "_" + Value.formatReal(p.asDouble ?? 0).replacingDot() }
        return [(name, col)]
    }

    /// `arg_max(x, a, b)` / `arg_max(x, *)`: the row with the largest x per group, with the named columns.
    func argMinMax(_ isMax: Bool, _ args: [ArgumentSyntax], _ span: Span, _ item: NamedExprSyntax, _ input: Table, _ scope: Scope,
                   _ groups: [Int32], _ ngroups: Int, byKeys: Set<String>) throws -> [(String, Column)] {
        guard let first = args.first else { throw KQLError.bind(DiagnosticCode.wrongArguments, "arg_max() expects at least 1 argument", span) }
        let n = input.count
        let kb = try compile(first.value, input, scope)
        let kc = try kb.evaluate(input, ctx).materialize(type: kb.type, count: n)
        var best = [Int](repeating: -1, count: ngroups)
        switch kc.data {
        case .int64(let xs):
            for i in 0..<n where !kc.isNull(i) {
                let g = Int(groups[i])
                if best[g] < 0 || (isMax ? xs[i] > xs[best[g]] : xs[i] < xs[best[g]]) { best[g] = i }
            }
        case .double(let xs):
            for i in 0..<n where !kc.isNull(i) {
                let g = Int(groups[i])
                if best[g] < 0 || (isMax ? xs[i] > xs[best[g]] : xs[i] < xs[best[g]]) { best[g] = i }
            }
        default:
            for i in 0..<n {
                let v = kc.value(at: i)
                if v.isNull { continue }
                let g = Int(groups[i])
                let c = best[g] < 0 ? 1 : Value.compare(v, kc.value(at: best[g]))
                if best[g] < 0 || (isMax ? c > 0 : c < 0) { best[g] = i }
            }
        }
        var out: [(String, Column)] = []
        var names = item.names
        func nextName(_ d: String) -> String { names.isEmpty ? d : names.removeFirst() }
        out.append((nextName(Naming.derived(first.value) ?? (isMax ? "max_" : "min_")), kc.gather(best)))
        for a in args.dropFirst() {
            if case .star = a.value {
                let taken = Set(out.map(\.0)).union(byKeys)
                for (i, c) in input.schema.columns.enumerated() where !taken.contains(c.name) && c.name != (Naming.derived(first.value) ?? "") {
                    out.append((names.isEmpty ? c.name : names.removeFirst(), input.columns[i].gather(best)))
                }
                continue
            }
            let b = try compile(a.value, input, scope)
            let c = try b.evaluate(input, ctx).materialize(type: b.type, count: n)
            var auto = 0
            let nm = a.name ?? Naming.derived(a.value) ?? { auto += 1; return "Column\(auto)" }()
            out.append((nextName(nm), c.gather(best)))
        }
        return out
    }
}

extension String {
    func replacingDot() -> String { String(map { $0 == "." ? "_" : $0 }) }
}

/// Replaces aggregate calls inside an expression by hidden column names, collecting the calls.
enum AggregateLifting {
    static func lift(_ e: ExprSyntax, _ found: inout [ExprSyntax], prefix: String) -> ExprSyntax {
        switch e {
        case .call(let f, let args, let span):
            if Aggregates.isAggregate(f) {
                found.append(e)
                return .name(prefix + String(found.count - 1), span)
            }
            return .call(name: f, args: args.map { ArgumentSyntax(name: $0.name, value: lift($0.value, &found, prefix: prefix)) }, span)
        case .binary(let op, let l, let r, let span):
            return .binary(op, lift(l, &found, prefix: prefix), lift(r, &found, prefix: prefix), span)
        case .unary(let op, let x, let span): return .unary(op, lift(x, &found, prefix: prefix), span)
        case .member(let b, let k, let span): return .member(lift(b, &found, prefix: prefix), k, span)
        case .index(let b, let i, let span): return .index(lift(b, &found, prefix: prefix), lift(i, &found, prefix: prefix), span)
        default: return e
        }
    }
}
