import KQLSyntax
import OrderedCollections

extension QueryExecutor {
    static let plugins = ["bag_unpack", "pivot", "ipv4_lookup", "ipv6_lookup", "sequence_detect", "basket", "autocluster", "diffpatterns", "narrow",
                          "rows_near", "schema_merge", "dcount_intersect", "activity_counts_metrics", "active_users_count", "sliding_window_counts",
                          "session_count", "rolling_percentile", "funnel_sequence_completion", "funnel_sequence", "geo_polygon_lookup", "geo_line_lookup"]

    func evaluatePlugin(_ plugin: String, _ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        if let i = args.firstIndex(where: { $0.name == "$schema" }), case .source(.datatable(let cols, _), _) = args[i].value {
            var rest = args
            rest.remove(at: i)
            return try withOutputSchema(cols, plugin, try evaluatePlugin(plugin, rest, input, scope, span), input, rest)
        }
        switch plugin {
        case "bag_unpack":
            return try bagUnpack(args, input, scope, span)
        case "pivot":
            guard let a = args.first else { throw KQLError.bind(DiagnosticCode.wrongArguments, "pivot needs a column", span) }
            guard case .name(let pivotCol, _) = a.value, let pi = input.schema.index(of: pivotCol) else {
                throw KQLError.bind(DiagnosticCode.badArgument, "pivot's first argument must be a column", a.value.span)
            }
            let aggExpr = args.count > 1 ? args[1].value : .call(name: "count", args: [], span)
            let extra = args.dropFirst(2).map { NamedExprSyntax(names: [], expr: $0.value, span: span) }
            // By default every column but the pivoted one and those the aggregation reads is a key.
            let aggregated = args.count > 1 ? (ColumnUsage.refs([aggExpr]) ?? []) : []
            let keyItems = extra.isEmpty
                ? input.schema.columns.enumerated().filter { $0.offset != pi && !$0.element.name.isEmpty && !aggregated.contains($0.element.name) }.map { NamedExprSyntax(names: [], expr: .name($0.element.name, span), span: span) }
                : extra
            let valueCol = input.columns[pi]
            var distinct: [Value] = []
            var seen = Set<Value>()
            for i in 0..<input.count where seen.insert(valueCol.value(at: i)).inserted { distinct.append(valueCol.value(at: i)) }
            distinct.sort()
            let base = try summarize(input, [], keyItems, scope, span)
            var out = base
            let keyNames = base.schema.names
            for dv in distinct {
                let s = scope.child()
                s.bindings["$pivot_value"] = .scalar(dv, valueCol.type)
                let subset = try filter(input, .binary("==", .name(pivotCol, span), .name("$pivot_value", span), span), s)
                let agg = try summarize(subset, [NamedExprSyntax(names: ["$v"], expr: aggExpr, span: span)], keyItems, scope, span)
                // Align to base rows by key.
                var map = [String: Value]()
                for r in 0..<agg.count { map[keyNames.map { agg.column(named: $0)!.value(at: r).kqlString }.joined(separator: "\u{1}")] = agg.column(named: "$v")!.value(at: r) }
                let type = agg.column(named: "$v")?.type ?? .long
                let vals = (0..<base.count).map { r in map[keyNames.map { base.column(named: $0)!.value(at: r).kqlString }.joined(separator: "\u{1}")] ?? Value.defaultValue(for: type) }
                out.schema.columns.append(ColumnSchema(dv.kqlString, type))
                out.columns.append(Column.from(values: vals, type: type))
            }
            return out
        case "ipv4_lookup":
            return try ipv4Lookup(args, input, scope, span)
        case "sequence_detect":
            return try sequenceDetect(args, input, scope, span)
        case "basket":
            return try basket(args, input, scope, span)
        case "autocluster": return try autocluster(args, input, scope, span)
        case "diffpatterns": return try diffpatterns(args, input, scope, span)
        case "narrow": return narrow(input)
        case "rows_near": return try rowsNear(args, input, scope, span)
        case "schema_merge": return try schemaMerge(args, input, scope, span)
        case "dcount_intersect": return try dcountIntersect(args, input, scope, span)
        case "ipv6_lookup": return try ipv6Lookup(args, input, scope, span)
        case "activity_counts_metrics": return try activityCountsMetrics(args, input, scope, span)
        case "active_users_count": return try activeUsersCount(args, input, scope, span)
        case "sliding_window_counts": return try slidingWindowCounts(args, input, scope, span)
        case "session_count": return try sessionCount(args, input, scope, span)
        case "rolling_percentile": return try rollingPercentile(args, input, scope, span)
        case "funnel_sequence_completion": return try funnelSequenceCompletion(args, input, scope, span)
        case "funnel_sequence": return try funnelSequence(args, input, scope, span)
        case "geo_polygon_lookup": return try geoLookup(args, input, scope, lines: false, span)
        case "geo_line_lookup": return try geoLookup(args, input, scope, lines: true, span)
        default:
            throw KQLError.bind(DiagnosticCode.unsupported, "evaluate plugin '\(plugin)' is not supported" + NameSuggestion.didYouMean(plugin, among: Self.plugins), span)
        }
    }

    /// A plugin's declared output schema: the declared columns with their types (null where the data
    /// has none). bag_unpack returns only those unless the list starts with `*`, which keeps the input's
    /// other columns (the bag itself excepted); other plugins add their remaining columns after them.
    func withOutputSchema(_ decls: [ColumnDeclSyntax], _ plugin: String, _ out: Table, _ input: Table, _ args: [ArgumentSyntax]) throws -> Table {
        let wildcard = decls.first?.name == "*"
        let cols = wildcard ? Array(decls.dropFirst()) : decls
        var keep: [ColumnSchema] = []
        if plugin == "bag_unpack" && wildcard {
            var bagColumn: String?
            if case .name(let n, _)? = args.first(where: { $0.name == nil })?.value { bagColumn = n }
            keep = input.schema.columns.filter { c in c.name != bagColumn && !cols.contains(where: { $0.name == c.name }) }
        }
        var schema: [ColumnSchema] = [], columns: [Column] = []
        for c in keep { schema.append(c); columns.append(out.column(named: c.name) ?? Column.constant(.null, type: c.type, count: out.count)) }
        for d in cols {
            let t = KQLType(name: d.type) ?? .dynamic
            schema.append(ColumnSchema(d.name, t))
            if let c = out.column(named: d.name) {
                columns.append(c.type == t ? c : Column.from(values: (0..<out.count).map { c.value(at: $0).converted(to: t) }, type: t))
            } else {
                columns.append(Column.constant(.null, type: t, count: out.count))
            }
        }
        if plugin != "bag_unpack" {
            for (i, c) in out.schema.columns.enumerated() where !schema.contains(where: { $0.name == c.name }) { schema.append(c); columns.append(out.columns[i]) }
        }
        return Table(schema: Schema(schema), columns: columns, count: out.count)
    }

    /// `evaluate bag_unpack(Column [, Prefix] [, columnsConflict] [, ignoredProperties])`: a column per
    /// top-level slot, in name order, typed when every value of the slot has one type.
    func bagUnpack(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        let positional = args.filter { $0.name == nil }
        guard let a = positional.first else { throw KQLError.bind(DiagnosticCode.wrongArguments, "bag_unpack needs a dynamic column", span) }
        func option(_ name: String, _ position: Int) throws -> Value? {
            if let n = args.first(where: { $0.name?.lowercased() == name.lowercased() }) { return try constant(n.value, scope) }
            return position < positional.count ? try constant(positional[position].value, scope) : nil
        }
        let prefix = try option("OutputColumnPrefix", 1)?.kqlString ?? ""
        let conflict = try option("columnsConflict", 2)?.kqlString ?? "error"
        guard ["error", "replace_source", "keep_source"].contains(conflict) else {
            throw KQLError.bind(DiagnosticCode.badArgument, "bag_unpack: columnsConflict must be 'error', 'replace_source' or 'keep_source'", span)
        }
        let ignored = Set((try option("ignoredProperties", 3)?.asArray ?? []).map(\.kqlString))
        let v = try compile(a.value, input, scope).evaluate(input, ctx)
        var keys = [String: Set<KQLType>]()
        var bags: [OrderedDictionary<String, Value>] = []
        bags.reserveCapacity(input.count)
        for i in 0..<input.count {
            let bag = v.value(at: i).asBag ?? [:]
            bags.append(bag)
            for (k, x) in bag where !ignored.contains(k) {
                if x.isNull { if keys[k] == nil { keys[k] = [] } } else { keys[k, default: []].insert(x.kqlType) }
            }
        }
        var t = input
        if case .name(let n, _) = a.value, let i = t.schema.index(of: n) {
            t.schema.columns.remove(at: i); t.columns.remove(at: i)
        }
        for k in keys.keys.sorted() {
            let types = keys[k]!
            let type: KQLType = types.count == 1 ? types.first! : .dynamic
            let name = prefix + k
            let column = Column.from(values: bags.map { $0[k] ?? .null }, type: type)
            if let existing = t.schema.index(of: name) {
                switch conflict {
                case "keep_source": continue
                case "replace_source": t.schema.columns[existing] = ColumnSchema(name, type); t.columns[existing] = column; continue
                default: throw KQLError.runtime("bag_unpack: the slot '\(k)' would make a column '\(name)' the input already has (columnsConflict='replace_source' or 'keep_source' chooses)", span, code: DiagnosticCode.badArgument)
                }
            }
            t.schema.columns.append(ColumnSchema(name, type))
            t.columns.append(column)
        }
        return t
    }

    /// `make-series`: one row per group with arrays over the time axis, missing bins filled with the default.
    func makeSeries(_ input: Table, _ m: MakeSeriesSyntax, _ scope: Scope, _ span: Span) throws -> Table {
        let step = try constant(m.step, scope)
        let axisB = try compile(m.on, input, scope)
        let axis = try axisB.evaluate(input, ctx).materialize(type: axisB.type, count: input.count)
        let axisName = Naming.derived(m.on) ?? "Column1"
        var from = try (m.inRange?.0 ?? m.from).map { try constant($0, scope) }
        var to = try (m.inRange?.1 ?? m.to).map { try constant($0, scope) }
        if from == nil { from = (0..<axis.count).map { axis.value(at: $0) }.filter { !$0.isNull }.min() }
        if to == nil, let mx = (0..<axis.count).map({ axis.value(at: $0) }).filter({ !$0.isNull }).max() { to = Arithmetic.apply("+", mx, step) }
        func aggregateName(_ i: Int) -> String {
            let a = m.aggregates[i]
            if let name = a.0.names.first { return name }
            if case .call(let fn, let args, _) = a.0.expr, let d = Aggregates.lookup(fn) { return Naming.aggregate(d, args) }
            return "Column\(i + 1)"
        }
        guard let f = from, let t = to else {
            // No row has an axis value: no series, but the columns a later operator names are all there.
            let by = try m.by.enumerated().map { k, b in
                ColumnSchema(b.names.first ?? Naming.derived(b.expr) ?? "Column\(k + 1)", try compile(b.expr, input, scope).type)
            }
            let aggregates = m.aggregates.indices.map { ColumnSchema(aggregateName($0), .dynamic) }
            return Table.empty(Schema(by + aggregates + [ColumnSchema(axisName, .dynamic)]))
        }
        // The main syntax bins at `from` (bin_at) and excludes `to`; `in range(...)` bins with bin() and
        // includes its stop.
        let binsAtStart = m.inRange == nil && m.from != nil
        let start = binsAtStart ? f : DateTimeFunctions.binValue(f, step)
        let inclusive = m.inRange != nil
        var bins: [Value] = []
        var cur = start
        while (inclusive ? Value.compare(cur, t) <= 0 : Value.compare(cur, t) < 0) && bins.count < 1_048_576 { bins.append(cur); cur = Arithmetic.apply("+", cur, step) }
        var binIndex = [Value: Int]()
        for (i, b) in bins.enumerated() { binIndex[b] = i }
        // Group rows by the by-keys and the bin, aggregate, then scatter into arrays.
        let binCall: ExprSyntax = binsAtStart
            ? .call(name: "bin_at", args: [ArgumentSyntax(value: m.on), ArgumentSyntax(value: m.step), ArgumentSyntax(value: m.from!)], span)
            : .call(name: "bin", args: [ArgumentSyntax(value: m.on), ArgumentSyntax(value: m.step)], span)
        let binned = try extend(input, [NamedExprSyntax(names: ["$bin"], expr: binCall, span: span)], scope)
        let keys = m.by + [NamedExprSyntax(names: ["$bin"], expr: .name("$bin", span), span: span)]
        let aggNamed = m.aggregates.enumerated().map { i, a in NamedExprSyntax(names: ["$a\(i)"], expr: a.0.expr, span: a.0.span) }
        let grouped = try summarize(binned, aggNamed, keys, scope, span)
        let byNames = m.by.enumerated().map { $0.element.names.first ?? Naming.derived($0.element.expr) ?? "Column\($0.offset + 1)" }
        var series = try summarize(grouped, [], byNames.map { NamedExprSyntax(names: [], expr: .name($0, span), span: span) }, scope, span)
        // An empty input makes no series unless kind=nonempty asks for one of defaults.
        if input.count == 0 && !m.nonEmpty { series = series.gather([Int]()) }
        var outSchema = series.schema.columns, outCols = series.columns
        var seriesKey = [String: Int]()
        for r in 0..<series.count { seriesKey[byNames.map { series.column(named: $0)!.value(at: r).kqlString }.joined(separator: "\u{1}")] = r }
        for (i, a) in m.aggregates.enumerated() {
            let def = try a.1.map { try constant($0, scope) } ?? .long(0)
            var arrays = [[Value]](repeating: [Value](repeating: def, count: bins.count), count: series.count)
            let col = grouped.column(named: "$a\(i)")!, binCol = grouped.column(named: "$bin")!
            for r in 0..<grouped.count {
                guard let bi = binIndex[binCol.value(at: r)] else { continue }
                let k = byNames.map { grouped.column(named: $0)!.value(at: r).kqlString }.joined(separator: "\u{1}")
                if let s = seriesKey[k] { arrays[s][bi] = col.value(at: r) }
            }
            outSchema.append(ColumnSchema(aggregateName(i), .dynamic))
            outCols.append(Column(type: .dynamic, data: .value(arrays.map { .array($0) })))
        }
        outSchema.append(ColumnSchema(axisName, .dynamic))
        outCols.append(Column(type: .dynamic, data: .value([Value](repeating: .array(bins), count: series.count))))
        return Table(schema: Schema(outSchema), columns: outCols, count: series.count)
    }

    /// `top-nested`: per level, the top N values of an expression by an aggregate, within the previous
    /// levels' groups. Rows that miss a level's top go to an others row (`with others = C`) of that level,
    /// or of the first deeper level that has one, with the levels in between empty, as Kusto shows them.
    func topNested(_ input: Table, _ levels: [TopNestedLevel], _ scope: Scope, _ span: Span) throws -> Table {
        guard !levels.isEmpty else { return input }
        let keyNames = levels.enumerated().map { li, l in l.of.names.first ?? Naming.derived(l.of.expr) ?? "Column\(li + 1)" }
        let aggNames = levels.enumerated().map { li, l -> String in
            if let n = l.by.names.first { return n }
            if case .name(let n, _) = l.by.expr { return n }
            return "aggregated_\(keyNames[li])"
        }
        let hidden = levels.indices.map { "$tnk\($0)" }
        let full = try extend(input, levels.enumerated().map { i, l in NamedExprSyntax(names: [hidden[i]], expr: l.of.expr, span: span) }, scope)
        let keyCols = hidden.map { full.column(named: $0)! }
        func tuple(_ r: Int, _ upTo: Int) -> String { (0...upTo).map { keyCols[$0].value(at: r).kqlString }.joined(separator: "\u{1}") }
        let byKeys = { (upTo: Int) in (0..<upTo).map { NamedExprSyntax(names: [hidden[$0]], expr: .name(hidden[$0], span), span: span) } }

        var live = Array(0..<full.count)
        var aggs = [[Value]](repeating: [Value](repeating: .null, count: full.count), count: levels.count)
        var keyTypes = [KQLType](repeating: .string, count: levels.count), aggTypes = keyTypes
        var othersRows: [[Value]] = []
        for (li, level) in levels.enumerated() {
            keyTypes[li] = keyCols[li].type
            let sub = full.gather(live)
            let g = try summarize(sub, [NamedExprSyntax(names: ["$tna"], expr: level.by.expr, span: span)], byKeys(li + 1), scope, span)
            let aggCol = g.column(named: "$tna")!
            aggTypes[li] = aggCol.type
            let n = try level.count.map { try constant($0, scope).int ?? Int.max } ?? Int.max
            let sorted = try sortTable(g, byKeys(li).map { SortKeySyntax(expr: .name($0.names[0], span), descending: false, nullsFirst: nil) } + [SortKeySyntax(expr: .name("$tna", span), descending: level.descending, nullsFirst: nil)], scope, limit: nil)
            let sortedKeys = hidden[0...li].map { sorted.column(named: $0)! }, sortedAgg = sorted.column(named: "$tna")!
            var top = [String: Value](), perPrefix = [String: Int]()
            for r in 0..<sorted.count {
                let prefix = sortedKeys.dropLast().map { $0.value(at: r).kqlString }.joined(separator: "\u{1}")
                let c = perPrefix[prefix, default: 0]
                if c < n { top[sortedKeys.map { $0.value(at: r).kqlString }.joined(separator: "\u{1}")] = sortedAgg.value(at: r) }
                perPrefix[prefix] = c + 1
            }
            var kept: [Int] = [], dropped: [Int] = []
            for r in live {
                if let v = top[tuple(r, li)] { aggs[li][r] = v; kept.append(r) } else { dropped.append(r) }
            }
            live = kept
            guard !dropped.isEmpty, let m = (li..<levels.count).first(where: { levels[$0].withOthers != nil }) else { continue }
            let others = try constant(levels[m].withOthers!, scope)
            let d = full.gather(dropped)
            let o = try summarize(d, [NamedExprSyntax(names: ["$tna"], expr: levels[m].by.expr, span: span)], byKeys(li), scope, span)
            // The prefix levels' aggregates of an others row are those of any dropped row with that prefix.
            var firstOfPrefix = [String: Int]()
            for r in dropped where li > 0 { let k = tuple(r, li - 1); if firstOfPrefix[k] == nil { firstOfPrefix[k] = r } }
            for r in 0..<o.count {
                var row = [Value]()
                let prefixKey = (0..<li).map { o.column(named: hidden[$0])!.value(at: r).kqlString }.joined(separator: "\u{1}")
                for j in 0..<levels.count {
                    if j < li {
                        row.append(o.column(named: hidden[j])!.value(at: r))
                        row.append(firstOfPrefix[prefixKey].map { aggs[j][$0] } ?? .null)
                    } else if j == m {
                        row += [others, o.column(named: "$tna")!.value(at: r)]
                    } else {
                        row += [.null, .null]
                    }
                }
                othersRows.append(row)
            }
        }
        // One row per distinct full key path, in the order the rows first appear.
        var seen = Set<String>(), rows: [[Value]] = []
        for r in live where seen.insert(tuple(r, levels.count - 1)).inserted {
            rows.append(levels.indices.flatMap { [keyCols[$0].value(at: r), aggs[$0][r]] })
        }
        rows += othersRows
        var schema: [ColumnSchema] = []
        for i in levels.indices { schema += [ColumnSchema(keyNames[i], keyTypes[i]), ColumnSchema(aggNames[i], aggTypes[i])] }
        let columns = schema.indices.map { c in Column.from(values: rows.map { $0[c] }, type: schema[c].type) }
        return Table(schema: Schema(schema), columns: columns, count: rows.count)
    }
}

extension QueryExecutor {
    /// `evaluate ipv4_lookup(Ranges, IpColumn, RangeColumn [, return_unmatched])`: each row joined to the
    /// lookup row whose IPv4 prefix contains its address (the longest prefix wins).
    func ipv4Lookup(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        guard args.count >= 3 else { throw KQLError.bind(DiagnosticCode.wrongArguments, "ipv4_lookup(LookupTable, SourceIPColumn, IPv4RangeColumn [, return_unmatched])", span) }
        let lookup = try tabular(args[0].value, scope)
        let ips = try compile(args[1].value, input, scope).evaluate(input, ctx)
        guard case .name(let rangeName, let rspan) = args[2].value, let ri = lookup.schema.index(of: rangeName) else {
            throw KQLError.bind(DiagnosticCode.unknownColumn, "ipv4_lookup: the third argument must be a column of the lookup table", args[2].value.span)
        }
        _ = rspan
        let keepUnmatched = args.count > 3 ? (try constant(args[3].value, scope).asBool ?? false) : false
        // Prefixes grouped by length, longest first.
        var byLength: [Int: [UInt32: Int]] = [:]
        for r in 0..<lookup.count {
            guard let (addr, n) = IPFunctions.v4Prefix(lookup.columns[ri].value(at: r).kqlString) else { continue }
            let key = addr & IPFunctions.mask(n)
            if byLength[n]?[key] == nil { byLength[n, default: [:]][key] = r }
        }
        let lengths = byLength.keys.sorted(by: >)
        var li: [Int] = [], rows: [Int] = []
        for i in 0..<input.count {
            var hit = -1
            if let (a, _) = IPFunctions.v4Prefix(ips.value(at: i).kqlString) {
                for n in lengths { if let r = byLength[n]?[a & IPFunctions.mask(n)] { hit = r; break } }
            }
            if hit >= 0 || keepUnmatched { li.append(i); rows.append(hit) }
        }
        // The lookup's columns follow the input's; names already present keep the input's column.
        let extra = lookup.schema.columns.indices.filter { input.schema.index(of: lookup.schema.columns[$0].name) == nil }
        return combine(input, li, selectColumns(lookup, extra), rows)
    }
}
