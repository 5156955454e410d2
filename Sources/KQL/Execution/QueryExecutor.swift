public import KQLSyntax

/// One result table of a query, named as Kusto names them (`PrimaryResult`, or the `as` name).
public struct ResultTable: Sendable {
    public var name: String
    public var table: Table
    public var chart: String?
    public init(name: String, table: Table, chart: String? = nil) { self.name = name; self.table = table; self.chart = chart }
}

/// Runs a parsed query: statements in order, each tabular operator applied to a whole columnar table,
/// each expression compiled once against the operator's input schema and evaluated column at a time.
/// Binding and execution share one walk, so data-dependent schemas (`bag_unpack`, `pivot`) just work;
/// `--parse-only` runs the same walk over empty tables from the catalog.
public final class QueryExecutor: @unchecked Sendable {
    let provider: any TableProvider
    public internal(set) var ctx: EvalContext
    let rootScope = Scope(parent: nil)
    var chart: String?
    /// Result tables an operator makes beside its output (`facet`'s per-column tables,
    /// `funnel_sequence`'s second and third, `fork`'s later legs), returned after the statement's own
    /// result, under the name a `fork` leg was given or the position's default name.
    var laterResults: [(name: String?, table: Table)] = []
    var parameters: [String: Value]
    /// Set by `--explain`: records the physical steps (pushed-down scans, operators) as they run.
    public var explain: [String] = []
    public var recordPlan = false
    var depth = 0
    /// Binding without data after an operator whose columns depend on the data (`bag_unpack`, `pivot`):
    /// names the empty input cannot show bind as dynamic, as Sentinel's query validation lets them.
    var openSchema = false
    /// Values of `set` statements the query reads back (`query_bin_auto_size` for `bin_auto`).
    var settings: [String: Value] = [:]
    /// Graphs built by `make-graph` in this query, by the id their `$graph` table holds.
    var graphs: [Int: Graph] = [:]
    /// The stored functions being called, outermost first (recursion detection).
    var storedStack: [StoredFunction] = []
    /// When set, binding errors are recorded and binding goes on (the failing operator is skipped and
    /// its input passed through), so one run reports every error of a query.
    public var collectErrors = false
    public private(set) var collected: [KQLError] = []

    deinit { rootScope.registry.releaseAll() }

    func recovering(_ fallback: Table, _ body: () throws -> Table) throws -> Table {
        guard collectErrors else { return try body() }
        do { return try body() } catch let e as KQLError where e.phase == .binding {
            record(e)
            return fallback
        }
    }

    /// The row budget (`EvalContext.maxRows`): operators that multiply rows stop with KQL4003 past it.
    func checkBudget(_ rows: Int, _ what: String, _ span: Span) throws {
        if rows > ctx.maxRows {
            throw KQLError.runtime("\(what) would produce more than \(ctx.maxRows) rows; narrow the query first", span, code: DiagnosticCode.budgetExceeded)
        }
    }

    func record(_ e: KQLError) {
        if !collected.contains(where: { $0.code == e.code && $0.span == e.span }) { collected.append(e) }
    }

    /// Binding without data (`--parse-only`, rule validation): sources that would reach outside
    /// (`externaldata`) yield empty tables of their declared schema instead of an error.
    public var bindOnly = false
    /// The columns the operators after the current one read (nil: all); set per operator.
    var outputNeeded: Set<String>?

    public init(provider: any TableProvider, context: EvalContext, parameters: [String: Value] = [:]) {
        self.provider = provider
        self.ctx = context
        self.parameters = parameters
    }

    /// Runs every statement; returns one table per query statement.
    public func run(_ q: QuerySyntax) throws -> [ResultTable] {
        if let d = q.diagnostics.first(where: { $0.severity == .error }) {
            throw KQLError(.syntax, d.code, d.message, d.span)
        }
        var results: [ResultTable] = []
        for st in q.statements {
            do { try runStatement(st, &results) } catch let e as KQLError where collectErrors && e.phase == .binding { record(e) }
        }
        return results
    }

    func runStatement(_ st: StatementSyntax, _ results: inout [ResultTable]) throws {
        do {
            switch st.kind {
            case .letBinding(let name, let value):
                try bindLet(name, value, rootScope)
            case .set(let name, let value):
                if name == "query_now", let v = value, case .datetime(let t) = try constant(v, rootScope) { ctx.now = t }
                if name == "query_bin_auto_size" || name == "query_bin_auto_at", let v = value { settings[name] = try constant(v, rootScope) }
            case .declareParameters(let params):
                for p in params {
                    let type = KQLType(name: p.type ?? "string") ?? .string
                    if let v = parameters[p.name] {
                        // A dynamic parameter given as text (`--param ips=["a","b"]`) is JSON, as todynamic() reads it.
                        let conv = v.kqlType == .string && type == .dynamic ? Value.parseJSON(v.kqlString)
                            : v.kqlType == .string && type != .string ? Value.string(v.kqlString).converted(to: type) : v.converted(to: type)
                        rootScope.bindings[p.name] = .scalar(conv, type)
                    } else if let d = p.defaultValue {
                        rootScope.bindings[p.name] = .scalar(try constant(d, rootScope).converted(to: type), type)
                    } else {
                        throw KQLError.bind(DiagnosticCode.unknownParameter, "query parameter '\(p.name)' has no value; pass --param \(p.name)=...", st.span)
                    }
                }
            case .alias:
                break
            case .query(let e):
                chart = nil
                laterResults = []
                var name = "PrimaryResult"
                let t = try tabular(e, rootScope, resultName: &name)
                results.append(ResultTable(name: results.isEmpty ? name : (name == "PrimaryResult" ? "Table_\(results.count)" : name), table: t, chart: chart))
                for extra in laterResults { results.append(ResultTable(name: extra.name ?? "Table_\(results.count)", table: extra.table)) }
                laterResults = []
            }
        }
    }

    func bindLet(_ name: String, _ value: ExprSyntax, _ scope: Scope) throws {
        switch value {
        case .lambda(let l, _):
            scope.bindings[name] = .function(l, scope)
        case .call("materialize", let args, _) where args.count == 1:
            scope.bindings[name] = .table(try tabular(args[0].value, scope))
        default:
            if isTabular(value, scope) {
                scope.bindings[name] = .tabular(value, scope)
            } else {
                let b = try ExprCompiler(executor: self, schema: Schema([]), scope: scope).compile(value)
                guard let v = b.constantValue else {
                    throw KQLError.bind(DiagnosticCode.notScalar, "let '\(name)' must be a constant or a table", value.span)
                }
                scope.bindings[name] = .scalar(v, b.type)
            }
        }
    }

    func runLets<S: Sequence>(_ statements: S, _ scope: Scope) throws where S.Element == StatementSyntax {
        for st in statements {
            if case .letBinding(let n, let v) = st.kind { try bindLet(n, v, scope) }
        }
    }

    /// A constant expression (no columns).
    func constant(_ e: ExprSyntax, _ scope: Scope) throws -> Value {
        let b = try ExprCompiler(executor: self, schema: Schema([]), scope: scope).compile(e)
        guard let v = b.constantValue else { throw KQLError.bind(DiagnosticCode.badArgument, "expected a constant", e.span) }
        return v
    }

    /// Whether an expression denotes a table (decided from syntax and the names in scope).
    func isTabular(_ e: ExprSyntax, _ scope: Scope) -> Bool {
        switch e {
        case .pipe, .source: return true
        case .name(let n, _):
            if let (b, _) = scope.lookup(n) {
                switch b {
                case .tabular, .table: return true
                case .function(let l, _): return l.isView || (l.parameters.isEmpty && bodyIsTabular(l))
                default: return false
                }
            }
            return provider.schema(of: n) != nil || provider.storedFunction(named: n) != nil
        case .call(let n, let args, _):
            if n == "materialize" || n == "table" || n == "view" { return true }
            if let (b, _) = scope.lookup(n), case .function(let l, _) = b { return bodyIsTabular(l) }
            if FunctionRegistry.lookup(n) != nil { return false }
            if let sf = provider.storedFunction(named: n), let l = try? parseStored(sf, .none) { return bodyIsTabular(l) }
            _ = args
            return false
        default: return false
        }
    }

    func bodyIsTabular(_ l: LambdaSyntax) -> Bool {
        guard let last = l.body.last, case .query(let e) = last.kind else { return false }
        let s = rootScope.child()
        for p in l.parameters where p.tabularColumns != nil { s.bindings[p.name] = .table(Table.empty(Schema([]))) }
        for st in l.body.dropLast() { if case .letBinding(let n, let v) = st.kind { if isTabular(v, s) { s.bindings[n] = .table(Table.empty(Schema([]))) } } }
        return isTabular(e, s)
    }

    func parseStored(_ sf: StoredFunction, _ span: Span) throws -> LambdaSyntax { try parsedStored(sf, span).lambda }

    func parsedStored(_ sf: StoredFunction, _ span: Span) throws -> StoredFunctionCache.Entry {
        if let e = StoredFunctionCache.get(sf) { return e }
        let q = Parser.parse("let __f = \(sf.parameters) { \(sf.body) };")
        if let d = q.diagnostics.first(where: { $0.severity == .error }) {
            let (line, col) = q.source.location(of: d.span.start)
            throw KQLError.bind(DiagnosticCode.unknownFunction, "function '\(sf.name)' does not parse (line \(line):\(col) of its body: \(d.message))", span)
        }
        guard let st = q.statements.first, case .letBinding(_, .lambda(let l, _)) = st.kind else {
            throw KQLError.bind(DiagnosticCode.unknownFunction, "function '\(sf.name)' does not parse", span)
        }
        let e = StoredFunctionCache.Entry(lambda: l, source: q.source)
        StoredFunctionCache.put(sf, e)
        return e
    }

    /// Calls a stored (workspace) function as a table. Its body binds now, against the workspace as it
    /// is; a function that reaches itself again, directly or through others, is an error.
    func invokeStored(_ sf: StoredFunction, _ args: [ArgumentSyntax], callerScope: Scope, _ span: Span) throws -> Table {
        let parsed = try parsedStored(sf, span)
        try enterStored(sf, span)
        defer { storedStack.removeLast() }
        return try inStoredBody(sf, parsed, span) { try invoke(parsed.lambda, rootScope, args, callerScope: callerScope, span) }
    }

    /// Runs part of a stored function's body. An error there points into the body, which the user did
    /// not write in this query: it is reported at the call, naming the function and the line of its
    /// body. Errors inside a body are not collected one by one (their places are in another text).
    func inStoredBody<T>(_ sf: StoredFunction, _ parsed: StoredFunctionCache.Entry, _ span: Span, _ body: () throws -> T) throws -> T {
        let collecting = collectErrors
        collectErrors = false
        defer { collectErrors = collecting }
        do { return try body() } catch let e as KQLError where e.span != span && !e.message.hasPrefix("in function '\(sf.name)'") {
            let (line, col) = parsed.source.location(of: e.span.start)
            var annotated = e
            annotated.message = "in function '\(sf.name)' (line \(line):\(col) of its body): \(e.message)"
            annotated.span = span
            throw annotated
        }
    }

    func enterStored(_ sf: StoredFunction, _ span: Span) throws {
        if let i = storedStack.firstIndex(where: { $0.body == sf.body && $0.parameters == sf.parameters }) {
            let path = (storedStack[i...].map(\.name) + [sf.name]).joined(separator: " -> ")
            throw KQLError.bind(DiagnosticCode.recursion, "function '\(sf.name)' calls itself (\(path)); recursion is not supported", span)
        }
        storedStack.append(sf)
    }

    /// Binds a function's parameters in a new scope: tables evaluate now, scalars inline at use.
    func bindParameters(_ l: LambdaSyntax, _ fscope: Scope, _ args: [ArgumentSyntax], callerScope: Scope, _ span: Span) throws -> Scope {
        let s = fscope.child()
        s.parameterNames = Set(l.parameters.map(\.name))
        guard args.count <= l.parameters.count else {
            throw KQLError.bind(DiagnosticCode.wrongArguments, "function expects \(l.parameters.count) argument(s), got \(args.count)", span)
        }
        for (i, p) in l.parameters.enumerated() {
            let arg = args.first { $0.name == p.name } ?? (i < args.count && args[i].name == nil ? args[i] : nil)
            if p.tabularColumns != nil {
                guard let a = arg else { throw KQLError.bind(DiagnosticCode.wrongArguments, "missing tabular argument '\(p.name)'", span) }
                s.bindings[p.name] = .table(try tabular(a.value, callerScope))
            } else if let a = arg {
                // Arguments that read columns are inlined at the call site, in the caller's row context.
                let b = try? ExprCompiler(executor: self, schema: Schema([]), scope: callerScope).compile(a.value)
                if let b, let v = b.constantValue {
                    let t = KQLType(name: p.type ?? "dynamic") ?? b.type
                    s.bindings[p.name] = .scalar(t == .dynamic ? v : v.converted(to: t), t == .dynamic ? b.type : t)
                } else {
                    s.bindings[p.name] = .argument(a.value, callerScope)
                }
            } else if let d = p.defaultValue {
                let t = KQLType(name: p.type ?? "dynamic") ?? .dynamic
                s.bindings[p.name] = .scalar(try constant(d, fscope).converted(to: t), t)
            } else {
                throw KQLError.bind(DiagnosticCode.wrongArguments, "missing argument '\(p.name)'", span)
            }
        }
        return s
    }

    /// Evaluates a function body (lets, then the final tabular expression).
    func invoke(_ l: LambdaSyntax, _ fscope: Scope, _ args: [ArgumentSyntax], callerScope: Scope, _ span: Span) throws -> Table {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { throw KQLError.bind(DiagnosticCode.recursion, "function calls nested more than 64 deep; recursion is not supported", span) }
        let s = try bindParameters(l, fscope, args, callerScope: callerScope, span)
        try runLets(l.body.dropLast(), s)
        guard let last = l.body.last, case .query(let e) = last.kind else {
            throw KQLError.bind(DiagnosticCode.notTabular, "function body has no result", span)
        }
        return try tabular(e, s)
    }

    /// A sub-pipeline (`mv-apply`'s, `partition`'s, `facet`'s `with`, a `fork` leg) over these rows,
    /// which its first operator reads.
    func subPipeline(_ pipe: ExprSyntax, over rows: Table, _ scope: Scope) throws -> Table {
        var name = ""
        return try subPipeline(pipe, over: rows, scope, resultName: &name)
    }

    func subPipeline(_ pipe: ExprSyntax, over rows: Table, _ scope: Scope, resultName: inout String) throws -> Table {
        let s = scope.child()
        s.bindings["$mvapply"] = .table(rows)
        return try tabular(pipe, s, resultName: &resultName)
    }

    func tabular(_ e: ExprSyntax, _ scope: Scope) throws -> Table {
        var name = ""
        return try tabular(e, scope, resultName: &name)
    }

    func tabular(_ e: ExprSyntax, _ scope: Scope, resultName: inout String) throws -> Table {
        switch e {
        case .name(let n, let span):
            return try table(named: n, scope, span)
        case .call(let n, let args, let span):
            if n == "materialize" || n == "view", let a = args.first { return try tabular(a.value, scope) }
            if n == "table", let a = args.first { return try table(named: try constant(a.value, scope).kqlString, scope, span) }
            if let (b, _) = scope.lookup(n), case .function(let l, let fs) = b { return try invoke(l, fs, args, callerScope: scope, span) }
            if let sf = provider.storedFunction(named: n) { return try invokeStored(sf, args, callerScope: scope, span) }
            throw KQLError.bind(DiagnosticCode.unknownTable, "unknown function or table '\(n)'" + suggestion(for: n, scope), span)
        case .pipe:
            // Flatten `src | op1 | op2 ...` so a scan sees the whole pipeline it feeds.
            var ops: [(OperatorSyntax, Span)] = []
            var base = e
            while case .pipe(let src, let op, let span) = base { ops.append((op, span)); base = src }
            ops.reverse()
            var t: Table
            if case .name(let n, let nspan) = base, scope.lookup(n) == nil, provider.storedFunction(named: n) == nil, provider.schema(of: n) != nil {
                var req = ScanRequest(columns: ColumnUsage.needed(ops.map(\.0)).map { Array($0).sorted() })
                if case .whereOp(let pred) = ops[0].0 {
                    // Push the time range of the first filter into the scan.
                    let r = TimeRangeExtractor(executor: self, scope: scope).request(for: pred)
                    req.timeFrom = r.timeFrom
                    req.timeTo = r.timeTo
                }
                // The leading filters run per part of the stored table (per extent), before any
                // concatenation; only the rows that pass are put together.
                var leading = 0
                while leading < ops.count, case .whereOp = ops[leading].0 { leading += 1 }
                let needed = (0..<leading).map { i in ColumnUsage.needed(ops[(i + 1)...].map(\.0)) }
                if provider.scansInParts, leading < ops.count, case .summarize(let aggs, let by, _) = ops[leading].0,
                   !recordPlan && !collectErrors && !bindOnly, let plan = Self.partialSummarize(aggs, by) {
                    t = try summarizeInParts(n, req, filters: ops[0..<leading], needed: needed, plan, by: by, scope, ops[leading].1)
                    ops.removeFirst(leading + 1)
                } else if leading > 0 && !recordPlan && !collectErrors && !bindOnly {
                    var preds: [ExprSyntax] = []
                    for (op, _) in ops[0..<leading] { if case .whereOp(let p) = op { preds.append(p) } }
                    req.filterColumns = ColumnUsage.refs(preds).map { Array($0).sorted() }
                    if let schema = provider.schema(of: n) {
                        req.prefilter = preds.lazy.compactMap { StringPrefilter.of($0, schema: schema, shadowed: { scope.lookup($0) != nil }) }.first
                    }
                    t = try provider.scan(n, request: req) { part in try filterPart(part, ops[0..<leading], needed: needed, scope) }
                    ops.removeFirst(leading)
                } else {
                    t = try scan(n, req, nspan)
                }
            } else {
                t = try tabular(base, scope, resultName: &resultName)
            }
            let wasOpen = openSchema
            defer { openSchema = wasOpen }
            var k = 0
            while k < ops.count {
                let (op, span) = ops[k]
                if bindOnly, case .evaluate(let plugin, let args) = op, ["bag_unpack", "pivot"].contains(plugin), !args.contains(where: { $0.name == "$schema" }) {
                    openSchema = true
                }
                // Joins build only the columns later operators read, and fuse with a following filter.
                if case .join(let j) = op {
                    if k + 1 < ops.count, case .whereOp(let pred) = ops[k + 1].0 {
                        let keep = ColumnUsage.needed(ops[(k + 2)...].map(\.0))
                        let input = t
                        t = try recovering(input) { try timed("HashJoin kind=\(j.kind) + Filter (fused)", rows: input.count) { try joinThenFilter(input, j, pred, scope, span, keep: keep) } }
                        k += 2
                        continue
                    }
                    outputNeeded = ColumnUsage.needed(ops[(k + 1)...].map(\.0))
                }
                if case .whereOp = op { outputNeeded = ColumnUsage.needed(ops[(k + 1)...].map(\.0)) }
                let input = t
                var name = resultName
                t = try recovering(input) { try apply(op, to: input, scope, span, resultName: &name) }
                resultName = name
                outputNeeded = nil
                k += 1
            }
            return t
        case .source(let s, let span):
            return try source(s, scope, span)
        default:
            throw KQLError.bind(DiagnosticCode.notTabular, "expected a tabular expression", e.span)
        }
    }

    /// Runs a step, recording it with its row counts and time when `--explain` asked for the plan.
    func timed(_ label: String, rows: Int, _ body: () throws -> Table) throws -> Table {
        guard recordPlan else { return try body() }
        let line = explain.count
        explain.append(label)
        var out: Table?
        let elapsed = try ContinuousClock().measure { out = try body() }
        explain[line] += "  rows \(rows) -> \(out!.count)  \(elapsed)"
        return out!
    }

    func scan(_ n: String, _ req: ScanRequest, _ span: Span) throws -> Table {
        if recordPlan { explain.append("Scan \(n)" + (req.columns.map { " columns=[\($0.joined(separator: ", "))]" } ?? "") + (req.timeFrom != nil || req.timeTo != nil ? " TimeGenerated in [\(req.timeFrom.map(DateTimeMath.format) ?? "-inf"), \(req.timeTo.map(DateTimeMath.format) ?? "+inf")]" : "")) }
        return try provider.scan(n, request: req)
    }

    func table(named n: String, _ scope: Scope, _ span: Span) throws -> Table {
        if let (b, s) = scope.lookup(n) {
            switch b {
            case .table(let t): return t
            case .tabular(let e, let es):
                if let t = s.tableCache[n] { return t }
                let t = try tabular(e, es)
                s.tableCache[n] = t
                return t
            case .function(let l, let fs) where l.parameters.isEmpty:
                return try invoke(l, fs, [], callerScope: scope, span)
            default:
                throw KQLError.bind(DiagnosticCode.notTabular, "'\(n)' is not a table", span)
            }
        }
        // A workspace function shadows a catalog table of the same name: Sentinel's catalog declares
        // the output schemas of parsers (`imAuthentication`, `Cisco_Umbrella`) as tables.
        if let sf = provider.storedFunction(named: n) { return try invokeStored(sf, [], callerScope: scope, span) }
        if provider.schema(of: n) != nil { return try scan(n, ScanRequest(), span) }
        throw KQLError.bind(DiagnosticCode.unknownTable, "failed to resolve table or column expression named '\(n)'" + suggestion(for: n, scope), span)
    }

    /// Compiles an expression against a table's schema.
    func compile(_ e: ExprSyntax, _ t: Table, _ scope: Scope) throws -> BoundExpr {
        try ExprCompiler(executor: self, schema: t.schema, scope: scope).compile(e)
    }

    func evaluate(_ e: ExprSyntax, on t: Table, _ scope: Scope) throws -> (Column, KQLType) {
        let b = try compile(e, t, scope)
        return (try b.evaluate(t, ctx).materialize(type: b.type, count: t.count), b.type)
    }
}

extension QueryExecutor {
    /// A pipeline's leading filters over one part of a stored table, each keeping only the columns the
    /// rest of the pipeline reads (and the scan's row numbers when the part carries them).
    func filterPart(_ part: Table, _ filters: ArraySlice<(OperatorSyntax, Span)>, needed: [Set<String>?], _ scope: Scope) throws -> Table {
        var x = part
        let rowIds = part.schema.index(of: ScanRequest.rowIdColumn) != nil
        for (i, (op, span)) in filters.enumerated() {
            outputNeeded = rowIds ? needed[i].map { $0.union([ScanRequest.rowIdColumn]) } : needed[i]
            var name = ""
            x = try apply(op, to: x, scope, span, resultName: &name)
        }
        outputNeeded = nil
        return x
    }
}
