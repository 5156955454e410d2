import Foundation
import OrderedCollections
import KQLSyntax

extension QueryExecutor {
    func apply(_ op: OperatorSyntax, to input: Table, _ scope: Scope, _ span: Span, resultName: inout String) throws -> Table {
        var name = resultName
        defer { resultName = name }
        return try timed(Explain.describe(op), rows: input.count) { try run(op, on: input, scope, span, resultName: &name) }
    }

    func run(_ op: OperatorSyntax, on input: Table, _ scope: Scope, _ span: Span, resultName: inout String) throws -> Table {
        switch op {
        case .whereOp(let pred):
            return try filter(input, pred, scope)
        case .project(let items):
            return try project(input, items, scope)
        case .extend(let items):
            return try extend(input, items, scope)
        case .projectAway(let pats):
            let drop = try matchColumns(input.schema, pats)
            return selectColumns(input, input.schema.columns.indices.filter { !drop.contains($0) })
        case .projectKeep(let pats):
            let keep = try matchColumns(input.schema, pats)
            return selectColumns(input, input.schema.columns.indices.filter { keep.contains($0) })
        case .reduce(let by, let kind, let options):
            return try reduce(input, by: by, kind: kind, options: options, scope, span)
        case .projectByNames(let specs):
            return selectColumns(input, try columnsByNames(input.schema, specs, scope))
        case .projectRename(let pairs):
            var out = input
            for (new, old) in pairs {
                guard let i = out.schema.index(of: old) else {
                    if openSchema { out.schema.columns.append(ColumnSchema(new, .dynamic)); out.columns.append(Column.constant(.null, type: .dynamic, count: out.count)); continue }
                    throw KQLError.bind(DiagnosticCode.unknownColumn, "unknown column '\(old)'" + NameSuggestion.didYouMean(old, among: out.schema.names), span)
                }
                out.schema.columns[i].name = new
            }
            return out
        case .projectReorder(let keys):
            let names = input.schema.names
            let first = try keys.flatMap { key, order -> [Int] in
                let matched = try matchColumnsOrdered(input.schema, [key])
                guard let order else { return matched }
                let granny = order.hasPrefix("granny"), desc = order.hasSuffix("desc")
                return matched.sorted { a, b in
                    let (x, y) = desc ? (names[b], names[a]) : (names[a], names[b])
                    return granny ? x.compare(y, options: .numeric) == .orderedAscending : x < y
                }
            }
            var seen = Set<Int>(), order: [Int] = []
            for i in first where seen.insert(i).inserted { order.append(i) }
            for i in input.schema.columns.indices where !seen.contains(i) { order.append(i) }
            return selectColumns(input, order)
        case .summarize(let aggs, let by, _):
            return try summarize(input, aggs, by, scope, span)
        case .top(let n, let keys):
            let count = try constant(n, scope).int ?? 0
            return try sortTable(input, keys, scope, limit: max(0, count))
        case .take(let n):
            let count = max(0, try constant(n, scope).int ?? 0)
            return count >= input.count ? input : input.slice(0..<count)
        case .sort(let keys):
            return try sortTable(input, keys, scope, limit: nil)
        case .distinct(let items):
            if items.count == 1, case .star = items[0].expr { return try summarize(input, [], input.schema.names.map { NamedExprSyntax(names: [], expr: .name($0, .none), span: .none) }, scope, span) }
            return try summarize(input, [], items, scope, span)
        case .count:
            return Table(schema: Schema([ColumnSchema("Count", .long)]), columns: [Column(type: .long, data: .int64([Int64(input.count)]))], count: 1)
        case .join(let j):
            return try join(input, j, scope, span)
        case .lookup(let kind, let right, let on):
            return try lookup(input, kind, right, on, scope, span)
        case .union(let u):
            return try union(u, first: input, scope, span)
        case .mvExpand(let m):
            return try mvExpand(input, m, scope, span)
        case .mvApply(let items, let idx, let limit, let sub):
            return try mvApply(input, items, idx, limit, sub, scope, span)
        case .parse(let p):
            return try parse(input, p, scope, span)
        case .parseKV(let src, let cols, let with):
            return try parseKV(input, src, cols, with, scope, span)
        case .makeSeries(let m):
            return try makeSeries(input, m, scope, span)
        case .serialize(let items):
            return items.isEmpty ? input : try extend(input, items, scope)
        case .asOp(let name):
            scope.bindings[name] = .table(input)
            resultName = name
            return input
        case .invoke(let call):
            guard case .call(let n, let args, let cspan) = call else { throw KQLError.bind(DiagnosticCode.badArgument, "invoke needs a function call", span) }
            let s = rootScope.child()
            s.bindings["$invoke_input"] = .table(input)
            let allArgs = [ArgumentSyntax(value: .name("$invoke_input", cspan))] + args
            for (k, v) in scope.bindings { s.bindings[k] = s.bindings[k] ?? v }
            if let (b, _) = scope.lookup(n), case .function(let l, let fs) = b { return try invoke(l, fs, allArgs, callerScope: s, cspan) }
            if let sf = provider.storedFunction(named: n) { return try invokeStored(sf, allArgs, callerScope: s, cspan) }
            throw KQLError.bind(DiagnosticCode.unknownFunction, "unknown function '\(n)'", cspan)
        case .getschema:
            let rows: [[Value]] = input.schema.columns.enumerated().map { i, c in
                [.string(c.name), .long(Int64(i)), .string("System." + Explain.dotnetType(c.type)), .string(c.type.rawValue)]
            }
            return Table.from(schema: Schema([ColumnSchema("ColumnName", .string), ColumnSchema("ColumnOrdinal", .int),
                                               ColumnSchema("DataType", .string), ColumnSchema("ColumnType", .string)]), rows: rows)
        case .sample(let n):
            let count = max(0, try constant(n, scope).int ?? 0)
            var rng = SplitMix(seed: ctx.seed)
            var idx = Array(0..<input.count)
            for i in stride(from: idx.count - 1, to: 0, by: -1) { idx.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            return input.gather(Array(idx.prefix(count)))
        case .sampleDistinct(let n, let col):
            let count = max(0, try constant(n, scope).int ?? 0)
            let d = try summarize(input, [], [NamedExprSyntax(names: [], expr: col, span: span)], scope, span)
            return d.slice(0..<min(count, d.count))
        case .search(let s):
            return try filter(input, SearchPredicate.rewrite(s.predicate), scope)
        case .evaluate(let plugin, let args):
            return try evaluatePlugin(plugin, args, input, scope, span)
        case .render(let c, _):
            chart = c
            return input
        case .consume:
            return Table.empty(Schema([]))
        case .fork(let legs):
            // Each leg over the same input; the first is this pipe's result, the others follow it, each
            // named by `name=` or its own `as` (unnamed: the position's default name).
            var outputs: [(name: String?, table: Table)] = []
            for leg in legs {
                var name = ""
                let t = try subPipeline(leg.pipe, over: input, scope, resultName: &name)
                outputs.append((leg.name ?? (name.isEmpty ? nil : name), t))
            }
            guard let first = outputs.first else { return input }
            if let n = first.name { resultName = n }
            laterResults += outputs.dropFirst()
            return first.table
        case .facet(let cols, let with):
            // Per column its values and counts, in first-seen order; the `with` pipe's table first.
            var tables: [Table] = []
            if let with { tables.append(try subPipeline(with, over: input, scope)) }
            for c in cols {
                guard input.schema.index(of: c) != nil else {
                    throw KQLError.bind(DiagnosticCode.unknownColumn, "facet: unknown column '\(c)'" + NameSuggestion.didYouMean(c, among: input.schema.names), span)
                }
                let counted = NamedExprSyntax(names: ["count_" + c], expr: .call(name: "count", args: [], span), span: span)
                tables.append(try summarize(input, [counted], [NamedExprSyntax(names: [], expr: .name(c, span), span: span)], scope, span))
            }
            laterResults += tables.dropFirst().map { (nil, $0) }
            return tables.first ?? input
        case .topNested(let levels):
            return try topNested(input, levels, scope, span)
        case .partition(let p):
            return try partition(input, p, scope, span)
        case .topHitters(let count, let of, let by):
            return try topHitters(input, count, of, by, scope, span)
        case .scan(let s):
            return try scan(input, s, scope, span)
        case .makeGraph(let m):
            return try makeGraph(input, m, scope, span)
        case .graphMatch(let m):
            return try graphMatch(input, m, scope, span)
        case .graphToTable(let what, let opts):
            return try graphToTable(input, what, opts, span)
        case .graphMarkComponents(let opts):
            return try markComponents(input, opts, span)
        }
    }

    /// Rows where the predicate is true (not false, not null).
    func filterMask(_ input: Table, _ pred: ExprSyntax, _ scope: Scope) throws -> [Bool] {
        let b = try compile(pred, input, scope)
        guard b.type == .bool || b.type == .dynamic else {
            throw KQLError.bind(DiagnosticCode.typeMismatch, "the 'where' predicate must be bool, found \(b.type.rawValue)", pred.span)
        }
        switch try b.evaluate(input, ctx) {
        case .scalar(let v): return [Bool](repeating: v.asBool == true, count: input.count)
        case .column(let c):
            if case .bool(let m) = c.data {
                guard let nulls = c.nulls else { return m }
                return (0..<input.count).map { m[$0] && !nulls[$0] }
            }
            return (0..<input.count).map { c.value(at: $0).asBool == true }
        }
    }

    /// A predicate over one dictionary-encoded column is evaluated once per distinct value, then spread
    /// to the rows through the codes (`has x or contains y` over 10M rows with 1M distinct values).
    func dictionaryDomainMask(_ b: BoundExpr, _ input: Table) throws -> [Bool]? {
        let refs = b.columnRefs()
        guard !refs.window, refs.columns.count == 1, let ci = refs.columns.first,
              case .dict(let codes, let values) = input.columns[ci].data, values.count * 2 <= input.count else { return nil }
        let domain = Table(schema: Schema([input.schema.columns[ci]]),
                           columns: [Column(type: input.columns[ci].type, data: .string(values))], count: values.count)
        let perValue: [Bool]
        switch try b.remapColumns([ci: 0]).evaluate(domain, ctx) {
        case .scalar(let v): return [Bool](repeating: v.asBool == true, count: input.count)
        case .column(let c):
            guard case .bool(let m) = c.data else { return nil }
            perValue = c.nulls.map { n in (0..<m.count).map { m[$0] && !n[$0] } } ?? m
        }
        return Parallel.chunkedMap(codes.count) { r in codes[r].map { perValue[Int($0)] } }
    }

    func filter(_ input: Table, _ pred: ExprSyntax, _ scope: Scope) throws -> Table {
        let keep = outputNeeded
        var t = try filterAll(input, pred, scope, keepNames: keep)
        if let keep, t.schema.columns.contains(where: { !keep.contains($0.name) }) {
            t = selectColumns(t, t.schema.columns.indices.filter { keep.contains(t.schema.columns[$0].name) })
        }
        return t
    }

    /// The filter proper; with `keepNames`, only those columns are gathered for the surviving rows.
    func filterAll(_ input: Table, _ pred: ExprSyntax, _ scope: Scope, keepNames: Set<String>?) throws -> Table {
        switch try predicate(pred, input, scope) {
        case .scalar(let v): return v.asBool == true ? input : input.slice(0..<0)
        case .column(let c):
            // 32-bit row indices: half the memory traffic of `[Int]` on the tables filters see.
            var idx: [Int32] = []
            idx.reserveCapacity(input.count / 8)
            if case .bool(let m) = c.data {
                if let nulls = c.nulls { for i in 0..<input.count where m[i] && !nulls[i] { idx.append(Int32(i)) } }
                else { m.withUnsafeBufferPointer { p in for i in 0..<input.count where p[i] { idx.append(Int32(i)) } } }
            } else {
                for i in 0..<input.count where c.value(at: i).asBool == true { idx.append(Int32(i)) }
            }
            if idx.count == input.count { return input }
            if let keepNames {
                return selectColumns(input, input.schema.columns.indices.filter { keepNames.contains(input.schema.columns[$0].name) }).gather(idx)
            }
            return input.gather(idx)
        }
    }

    /// A `where` predicate's value over `input`: per distinct value of a dictionary column when it
    /// reads only that column.
    func predicate(_ pred: ExprSyntax, _ input: Table, _ scope: Scope) throws -> Vec {
        let b = try compile(pred, input, scope)
        guard b.type == .bool || b.type == .dynamic else {
            throw KQLError.bind(DiagnosticCode.typeMismatch, "the 'where' predicate must be bool, found \(b.type.rawValue)", pred.span)
        }
        if let mask = try dictionaryDomainMask(b, input) { return .column(Column(type: .bool, data: .bool(mask))) }
        return try b.evaluate(input, ctx)
    }

    func selectColumns(_ t: Table, _ idx: [Int]) -> Table {
        Table(schema: Schema(idx.map { t.schema.columns[$0] }), columns: idx.map { t.columns[$0] }, count: t.count)
    }

    /// `project-by-names`' columns in the order specified or matched: each specifier is a constant
    /// string (a name or a wildcard pattern) or an array of them; names no column has are ignored.
    func columnsByNames(_ s: Schema, _ specs: [ExprSyntax], _ scope: Scope) throws -> [Int] {
        var out: [Int] = [], seen = Set<Int>()
        func add(_ n: String) {
            let hits = n.contains("*") ? s.columns.indices.filter { Wildcard.matches(s.columns[$0].name, n) } : s.index(of: n).map { [$0] } ?? []
            for i in hits where seen.insert(i).inserted { out.append(i) }
        }
        for spec in specs {
            switch try constant(spec, scope) {
            case .string(let n): add(n)
            case .array(let items): for case .string(let n) in items { add(n) }
            default: throw KQLError.bind(DiagnosticCode.badArgument, "project-by-names expects column names: strings or a dynamic array of them", spec.span)
            }
        }
        return out
    }

    /// Columns matching names or `prefix*` wildcards, in schema order.
    func matchColumns(_ s: Schema, _ pats: [ExprSyntax]) throws -> Set<Int> { Set(try matchColumnsOrdered(s, pats)) }

    func matchColumnsOrdered(_ s: Schema, _ pats: [ExprSyntax]) throws -> [Int] {
        var out: [Int] = []
        for p in pats {
            guard case .name(let n, let span) = p else { throw KQLError.bind(DiagnosticCode.badArgument, "expected a column name", p.span) }
            if n.contains("*") {
                out += s.columns.indices.filter { Wildcard.matches(s.columns[$0].name, n) }
            } else if let i = s.index(of: n) {
                out.append(i)
            } else if !openSchema {
                throw KQLError.bind(DiagnosticCode.unknownColumn, "unknown column '\(n)'" + NameSuggestion.didYouMean(n, among: s.names), span)
            }
        }
        return out
    }

    func project(_ input: Table, _ items: [NamedExprSyntax], _ scope: Scope) throws -> Table {
        var schema: [ColumnSchema] = [], cols: [Column] = []
        var auto = 0
        for it in items {
            let b = try compile(it.expr, input, scope)
            let v = try b.evaluate(input, ctx)
            let names = try outputNames(it, b, &auto, existing: schema.map(\.name))
            if names.count > 1 {
                for (k, c) in try unpackTuple(v, names.count, input.count, it.span).enumerated() { schema.append(ColumnSchema(names[k], c.type)); cols.append(c) }
                continue
            }
            if schema.contains(where: { $0.name == names[0] }) {
                throw KQLError.bind(DiagnosticCode.duplicateColumn, "column '\(names[0])' is projected more than once", it.span)
            }
            schema.append(ColumnSchema(names[0], b.type))
            cols.append(v.materialize(type: b.type, count: input.count))
        }
        return Table(schema: Schema(schema), columns: cols, count: input.count)
    }

    func extend(_ input: Table, _ items: [NamedExprSyntax], _ scope: Scope) throws -> Table {
        var t = input
        var auto = 0
        for it in items {
            let b = try compile(it.expr, t, scope)
            let v = try b.evaluate(t, ctx)
            let names = try outputNames(it, b, &auto, existing: t.schema.names)
            let cols = names.count > 1 ? try unpackTuple(v, names.count, t.count, it.span) : [v.materialize(type: b.type, count: t.count)]
            for (k, n) in names.enumerated() {
                if let i = t.schema.index(of: n) {
                    t.schema.columns[i] = ColumnSchema(n, cols[k].type)
                    t.columns[i] = cols[k]
                } else {
                    t.schema.columns.append(ColumnSchema(n, cols[k].type))
                    t.columns.append(cols[k])
                }
            }
        }
        return t
    }

    /// `(a, b) = f(x)`: spread a bag's (or array's) values over several columns.
    func unpackTuple(_ v: Vec, _ k: Int, _ n: Int, _ span: Span) throws -> [Column] {
        var builders = (0..<k).map { _ in [Value]() }
        for i in 0..<n {
            let x = v.value(at: i)
            let parts: [Value] = x.asBag.map { Array($0.values) } ?? x.asArray ?? [x]
            for j in 0..<k { builders[j].append(j < parts.count ? parts[j] : .null) }
        }
        return builders.map { vals in
            let types = Set(vals.filter { !$0.isNull }.map(\.kqlType))
            let t = types.count == 1 ? types.first! : .dynamic
            return Column.from(values: vals, type: t == .dynamic && vals.allSatisfy({ $0.asArray != nil || $0.isNull }) ? .dynamic : t)
        }
    }

    /// Kusto's result naming: explicit names; a column keeps its name; `a.b` becomes `a_b`;
    /// conversions and `bin()` keep their column's name; anything else is `ColumnN`.
    func outputNames(_ it: NamedExprSyntax, _ b: BoundExpr, _ auto: inout Int, existing: [String]) throws -> [String] {
        if !it.names.isEmpty { return it.names }
        // A function with several outputs gives a column each: `series_fit_line(y)` -> `series_fit_line_y_slope`...
        if case .call(let fn, let args, _) = it.expr, let outputs = MultiOutput.names[fn] {
            let arg = args.first.flatMap { Naming.derived($0.value) } ?? ""
            return outputs.map { "\(fn)_\(arg)_\($0)" }
        }
        if let sorted = MultiOutput.sortedArrays(it.expr) { return sorted }
        if let n = Naming.derived(it.expr) { return [n] }
        repeat { auto += 1 } while existing.contains("Column\(auto)")
        return ["Column\(auto)"]
    }
}

/// Functions whose result is several values, in Kusto's output order.
enum MultiOutput {
    /// array_sort_asc(a1, a2, ...) gives a column per array: `a1_sorted`, `a2_sorted`.
    static func sortedArrays(_ e: ExprSyntax) -> [String]? {
        guard case .call(let fn, var args, _) = e, fn == "array_sort_asc" || fn == "array_sort_desc" else { return nil }
        if case .literal(.bool, _)? = args.last?.value { args.removeLast() }
        guard args.count > 1 else { return nil }
        return args.enumerated().map { "\(Naming.derived($0.element.value) ?? "array\($0.offset + 1)")_sorted" }
    }

    static func isMultiple(_ e: ExprSyntax) -> Bool {
        if case .call(let fn, _, _) = e, names[fn] != nil { return true }
        return sortedArrays(e) != nil
    }

    static let names: [String: [String]] = [
        "series_decompose": ["baseline", "seasonal", "trend", "residual"],
        "series_decompose_anomalies": ["ad_flag", "ad_score", "baseline"],
        "series_fit_line": ["rsquare", "slope", "variance", "rvariance", "interception", "line_fit"],
        "series_fit_poly": ["rsquare", "coefficients", "variance", "rvariance", "poly_fit"],
        "series_fit_2lines": ["rsquare", "split_idx", "variance", "rvariance", "line_fit", "right_rsquare", "right_slope", "right_interception",
                              "right_variance", "right_rvariance", "left_rsquare", "left_slope", "left_interception", "left_variance", "left_rvariance"],
        "series_stats": ["min", "min_idx", "max", "max_idx", "avg", "stdev", "variance"],
        "series_periods_detect": ["periods", "scores"],
        "series_periods_validate": ["periods", "scores"],
        "series_fft": ["real", "imag"],
        "series_ifft": ["real", "imag"],
    ]
}

/// `prefix*suffix` column-name wildcards.
enum Wildcard {
    static func matches(_ s: String, _ pattern: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return s == pattern }
        var rest = Substring(s)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for p in parts.dropFirst().dropLast() where !p.isEmpty {
            guard let r = rest.range(of: p) else { return false }
            rest = rest[r.upperBound...]
        }
        return rest.hasSuffix(parts.last!)
    }
}

/// Deterministic random numbers (SplitMix64) for `sample` and for tests: randomness is injected.
public struct SplitMix: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
