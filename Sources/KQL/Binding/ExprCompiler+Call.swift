import KQLSyntax
import OrderedCollections

extension ExprCompiler {
    /// A bag of the arguments under `keys`, one per argument (`ignoreNulls`: nulls and empty strings left out).
    static func packing(_ name: String, _ keys: [String], ignoreNulls: Bool) -> FunctionDef {
        FunctionDef(name, args: 0...4096, returns: FunctionDef.fixed(.dynamic), row: { a, _ in
            var d = OrderedDictionary<String, Value>()
            for (k, v) in zip(keys, a) where !(ignoreNulls && (v.isNull || v == .string(""))) { d[k] = v }
            return .bag(d)
        })
    }

    func compileCall(_ name: String, _ args: [ArgumentSyntax], _ span: Span) throws -> BoundExpr {
        switch name {
        case "toscalar":
            guard let a = args.first else { throw KQLError.bind(DiagnosticCode.wrongArguments, "toscalar() expects 1 argument", span) }
            if !executor.isTabular(a.value, scope) { return try compile(a.value) }
            let t = try executor.tabular(a.value, scope)
            guard let c = t.columns.first else { return .constant(.null, .dynamic) }
            return .constant(t.count > 0 ? c.value(at: 0) : .null, c.type)
        case "gettype" where args.count == 1:
            // A decimal is held as a double (docs/kql.md): its static type still names it.
            let x = try compile(args[0].value)
            if x.type == .decimal { return .constant(.string("decimal"), .string) }
            return try call(FunctionRegistry.lookup("gettype")!, [x], span)
        case "column_names_of":
            // The column names of a table, view or tabular parameter, as a dynamic array of strings.
            guard args.count == 1, executor.isTabular(args[0].value, scope) else {
                throw KQLError.bind(DiagnosticCode.wrongArguments, "column_names_of() expects a table", span)
            }
            let names: [String]
            if case .name(let n, _) = args[0].value, scope.lookup(n) == nil, let stored = executor.provider.schema(of: n) {
                names = stored.names
            } else {
                names = try executor.tabular(args[0].value, scope).schema.names
            }
            return .constant(.array(names.map { .string($0) }), .dynamic)
        case "column_ifexists", "columnifexists":
            // The name may come from a function parameter (`_ASIM_ResolveDvcFQDN('Computer')`): any constant string.
            guard args.count == 2, case .string(let col)? = (try? compile(args[0].value))?.constantValue else {
                throw KQLError.bind(DiagnosticCode.wrongArguments, "column_ifexists() expects a constant column name and a default", span)
            }
            if let i = schema.index(of: col) { return .column(i, schema.columns[i].type) }
            return try compile(args[1].value)
        case "extract" where args.count == 4, "extract_json" where args.count == 3, "extractjson" where args.count == 3:
            // `extract(re, group, text, typeof(T))`: the match converted to T, null when none matches.
            guard case .call("typeof", let targs, _) = args[args.count - 1].value, targs.count == 1, case .name(let tn, _) = targs[0].value,
                  let t = KQLType(name: tn) else {
                throw KQLError.bind(DiagnosticCode.badArgument, "\(name)()'s last argument is typeof(T), e.g. typeof(long)", args[args.count - 1].value.span)
            }
            let matched = try call(FunctionRegistry.lookup(name)!, try args.dropLast().map { try compile($0.value) }, span)
            let empty = try call(FunctionRegistry.lookup("isempty")!, [matched], span)
            let converted = t == .string ? matched : try call(FunctionRegistry.lookup(Self.conversion(t))!, [matched], span)
            return try call(FunctionRegistry.lookup("iff")!, [empty, .constant(.null, t), converted], span)
        case "pack_all", "bag_pack_columns" where args.isEmpty || name == "pack_all":
            let cols = schema.columns.enumerated().map { BoundExpr.column($0.offset, $0.element.type) }
            let names = schema.names
            let ignoreNulls = args.first.map { (try? compile($0.value).constantValue?.asBool) == true } ?? false
            return .call(Self.packing("pack_all", names, ignoreNulls: ignoreNulls), cols, .dynamic, span)
        case "bag_pack_columns":
            // Keys are the columns' names, so the arguments must name columns.
            var names: [String] = [], cols: [BoundExpr] = []
            for a in args {
                guard case .name(let n, let nspan) = a.value else {
                    throw KQLError.bind(DiagnosticCode.badArgument, "bag_pack_columns() takes column names", a.value.span)
                }
                guard let i = schema.index(of: n) else { throw KQLError.bind(DiagnosticCode.unknownColumn, "failed to resolve column '\(n)'", nspan) }
                names.append(n); cols.append(.column(i, schema.columns[i].type))
            }
            return .call(Self.packing("bag_pack_columns", names, ignoreNulls: false), cols, .dynamic, span)
        case "assert":
            // The condition is known when the query binds (the reference requires a constant): a
            // false one fails the query with the message, a true one is `true`.
            guard args.count == 2, case .string(let message)? = try compile(args[1].value).constantValue else {
                throw KQLError.bind(DiagnosticCode.wrongArguments, "assert() expects a condition and a string literal message", span)
            }
            let cond = try compile(args[0].value)
            let refs = cond.columnRefs()
            guard refs.columns.isEmpty, !refs.window,
                  case .scalar(let v) = try cond.evaluate(Table(schema: Schema([]), columns: [], count: 1), executor.ctx) else {
                throw KQLError.bind(DiagnosticCode.badArgument, "assert()'s condition must be a constant, not a row's value", args[0].value.span)
            }
            guard v.asBool == true else { throw KQLError.bind(DiagnosticCode.badArgument, "assert() has failed with message: '\(message)'", span) }
            return .constant(.bool(true), .bool)
        case "ingestion_time":
            if let i = schema.index(of: "_IngestionTime") { return .column(i, .datetime) }
            if let i = schema.index(of: "TimeGenerated") { return .column(i, schema.columns[i].type) }
            return .constant(.null, .datetime)
        case "__search_any":
            // `search "term"`: any string column has the term.
            let term = args.first.map { (try? compile($0.value).constantValue?.kqlString) ?? "" } ?? ""
            let has = FunctionRegistry.lookup("has")!
            var terms: [BoundExpr] = []
            for (i, c) in schema.columns.enumerated() where c.type == .string || c.type == .dynamic {
                let col: BoundExpr = c.type == .string ? .column(i, .string) : try call(FunctionRegistry.lookup("tostring")!, [.column(i, c.type)], span)
                terms.append(try call(has, [col, .constant(.string(term), .string)], span))
            }
            return BoundExpr.anyOf(terms)
        case "map" where args.count == 2, "all" where args.count == 2, "any" where args.count == 2:
            // Over a graph-match variable-length edge (an array of property bags): the expression on
            // each element (`map`), or whether it holds for all / any of them.
            let items = try compile(args[0].value)
            let elementExpr = args[1].value
            let exec = executor, sc = scope, kind = name
            let f = FunctionDef(name, args: 1...1, returns: FunctionDef.fixed(name == "map" ? .dynamic : .bool), isPure: false, row: { a, _ in
                guard let arr = a[0].asArray else { return .null }
                let t = QueryExecutor.tableOfBags(arr.map { $0.asBag ?? [:] })
                let b = try ExprCompiler(executor: exec, schema: t.schema, scope: sc).compile(elementExpr)
                let col = try b.evaluate(t, exec.ctx).materialize(type: b.type, count: t.count)
                let vals = (0..<t.count).map { col.value(at: $0) }
                switch kind {
                case "map": return .array(vals)
                case "all": return .bool(vals.allSatisfy { $0.asBool == true })
                default: return .bool(vals.contains { $0.asBool == true })
                }
            })
            return .call(f, [items], name == "map" ? .dynamic : .bool, span)
        case "bin_auto" where args.count == 1:
            // `bin_at(x, size, at)` with the query's `set query_bin_auto_size` (and `query_bin_auto_at`).
            guard let size = executor.settings["query_bin_auto_size"] else {
                throw KQLError.bind(DiagnosticCode.badArgument, "bin_auto() needs `set query_bin_auto_size=...;` before the query", span)
            }
            let x = try compile(args[0].value)
            let at = executor.settings["query_bin_auto_at"] ?? (x.type == .datetime ? .datetime(0) : .long(0))
            return try call(FunctionRegistry.lookup("bin_at")!, [x, .constant(size, size.kqlType), .constant(at, at.kqlType)], span)
        case "typeof":
            throw KQLError.bind(DiagnosticCode.unsupported, "typeof() is only valid in 'to typeof(...)'", span)
        default:
            break
        }
        if let (b, _) = scope.lookup(name), case .function(let l, let fs) = b {
            return try inline(l, fs, args, span)
        }
        if Aggregates.lookup(name) != nil && FunctionRegistry.lookup(name) == nil {
            throw KQLError.bind(DiagnosticCode.badArgument, "aggregation function \(name)() is only valid in summarize, make-series or top-nested", span)
        }
        if let f = FunctionRegistry.lookup(name) {
            return try call(f, try args.map { try compile($0.value) }, span)
        }
        if let sf = executor.provider.storedFunction(named: name) {
            let parsed = try executor.parsedStored(sf, span)
            try executor.enterStored(sf, span)
            defer { executor.storedStack.removeLast() }
            return try executor.inStoredBody(sf, parsed, span) { try inline(parsed.lambda, executor.rootScope, args, span) }
        }
        throw KQLError.bind(DiagnosticCode.unknownFunction, "unknown function '\(name)'" + executor.suggestion(for: name, scope, functions: true), span)
    }
}

/// `dyn.key` and `dyn[i]` on dynamic values; missing members are null.
enum DynamicAccess {
    static func member(_ key: String) -> FunctionDef {
        FunctionDef("member", args: 1...1, returns: FunctionDef.fixed(.dynamic), row: { a, _ in get(a[0], key) })
    }

    static func get(_ v: Value, _ key: String) -> Value {
        switch v {
        case .bag(let b): return b[key] ?? .null
        case .string(let s):
            // Kusto parses JSON text on member access of a dynamic holding a string only via parse_json;
            // but columns typed dynamic ingested as text behave as parsed values.
            let p = Value.parseJSON(s)
            if case .bag(let b) = p { return b[key] ?? .null }
            return .null
        default: return .null
        }
    }

    static let index = FunctionDef("index", args: 2...2, returns: FunctionDef.fixed(.dynamic), row: { a, _ in indexValue(a[0], a[1]) })

    static func indexValue(_ a0: Value, _ a1: Value) -> Value {
        let a = [a0, a1]
        switch (a[0], a[1]) {
        case (.array(let arr), _):
            guard var i = a[1].int else { return .null }
            if i < 0 { i += arr.count }
            return i >= 0 && i < arr.count ? arr[i] : .null
        case (.bag(let b), .string(let k)): return b[k] ?? .null
        case (.string(let s), _):
            let p = Value.parseJSON(s)
            if case .string = p { return .null }
            return indexValue(p, a[1])
        default: return .null
        }
    }
}

/// Literal syntax to typed constants.
enum Literals {
    static func value(of l: LiteralSyntax, _ span: Span) throws -> (Value, KQLType) {
        switch l {
        case .null: return (.null, .dynamic)
        case .bool(let b): return (.bool(b), .bool)
        case .int(let v): return (.long(v), .long)
        case .real(let d): return (.real(d), .real)
        case .string(let s): return (.string(s), .string)
        case .timespan(let t):
            guard let v = DateTimeParser.parseTimespan(t) else { throw KQLError.bind(DiagnosticCode.badLiteral, "invalid timespan '\(t)'", span) }
            return (.timespan(v), .timespan)
        case .typed(let name, let raw0):
            let raw = raw0.trimmingSpaces()
            guard let type = KQLType(name: name) else { throw KQLError.bind(DiagnosticCode.badLiteral, "unknown type '\(name)'", span) }
            if raw == "null" || raw.isEmpty { return (.null, type) }
            let v: Value
            switch type {
            case .datetime: v = DateTimeParser.parse(stripQuotes(raw)).map { .datetime($0) } ?? .null
            case .timespan: v = DateTimeParser.parseTimespan(stripQuotes(raw)).map { .timespan($0) } ?? .null
            case .guid: v = Value.parseGuid(stripQuotes(raw)).map { .guid($0) } ?? .null
            case .real, .decimal:
                switch raw.lowercased() {
                case "nan": v = .real(.nan)
                case "+inf", "inf": v = .real(.infinity)
                case "-inf": v = .real(-.infinity)
                default: v = Double(raw).map { .real($0) } ?? .null
                }
            case .string: v = .string(stripQuotes(raw))
            default: v = Value.string(raw).converted(to: type)
            }
            if v.isNull { throw KQLError.bind(DiagnosticCode.badLiteral, "invalid \(name) literal '\(raw)'", span) }
            return (v, type)
        }
    }

    static func stripQuotes(_ s: String) -> String {
        if s.count >= 2, let f = s.first, (f == "\"" || f == "'"), s.last == f { return String(s.dropFirst().dropLast()) }
        return s
    }

    static func dynamic(_ d: DynamicSyntax, _ span: Span) throws -> Value {
        switch d {
        case .scalar(let l): return try value(of: l, span).0
        case .array(let a): return .array(try a.map { try dynamic($0, span) })
        case .object(let pairs):
            var b = OrderedDictionary<String, Value>()
            for (k, v) in pairs { b[k] = try dynamic(v, span) }
            return .bag(b)
        }
    }
}
