import KQLSyntax

/// Binds a scalar expression to one input schema: resolves names, checks types, folds constants.
struct ExprCompiler {
    let executor: QueryExecutor
    let schema: Schema
    let scope: Scope

    func with(scope s: Scope) -> ExprCompiler { ExprCompiler(executor: executor, schema: schema, scope: s) }

    func compile(_ e: ExprSyntax) throws -> BoundExpr {
        switch e {
        case .literal(let l, let span):
            let (v, t) = try Literals.value(of: l, span)
            return .constant(v, t)
        case .dynamicLiteral(let d, let span):
            return .constant(try Literals.dynamic(d, span), .dynamic)
        case .name(let n, let span):
            return try resolveName(n, span)
        case .star(let span):
            throw KQLError.bind(DiagnosticCode.badArgument, "'*' is not allowed here", span)
        case .member(let base, let key, let span):
            let b = try jsonOrDynamic(try compile(base), span)
            guard b.type == .dynamic else {
                throw KQLError.bind(DiagnosticCode.typeMismatch, "'.\(key)' needs a dynamic value, but the expression is \(b.type.rawValue)", span)
            }
            return try call(DynamicAccess.member(key), [b], span)
        case .index(let base, let idx, let span):
            let b = try jsonOrDynamic(try compile(base), span), i = try compile(idx)
            guard b.type == .dynamic else { throw KQLError.bind(DiagnosticCode.typeMismatch, "indexing needs a dynamic value, but the expression is \(b.type.rawValue)", span) }
            return try call(DynamicAccess.index, [b, i], span)
        case .unary(let op, let x, let span):
            let b = try compile(x)
            if op == "+" { return b }
            if case .constant(.long(let v), let t) = b { return .constant(.long(0 &- v), t) }
            if case .constant(.real(let v), let t) = b { return .constant(.real(-v), t) }
            if case .constant(.timespan(let v), let t) = b { return .constant(.timespan(0 &- v), t) }
            return try call(FunctionRegistry.lookup("neg")!, [b], span)
        case .binary(let op, let l, let r, let span):
            let bl = try compile(l), br = try compile(r)
            if op == "and" || op == "or" {
                for (x, s) in [(bl, l.span), (br, r.span)] where x.type != .bool && x.type != .dynamic {
                    throw KQLError.bind(DiagnosticCode.typeMismatch, "'\(op)' needs bool operands, found \(x.type.rawValue)", s)
                }
                return try folded(op == "and" ? .and(bl, br) : .or(bl, br))
            }
            let name = op == "<>" ? "!=" : op
            guard let f = FunctionRegistry.lookup(name) else { throw KQLError.bind(DiagnosticCode.unknownFunction, "unknown operator '\(op)'", span) }
            return try call(f, [bl, br], span)
        case .between(let negated, let x, let lo, let hi, let span):
            let bx = try compile(x), blo = try compile(lo)
            var bhi = try compile(hi)
            if bx.type == .datetime && bhi.type == .timespan { bhi = try call(FunctionRegistry.lookup("+")!, [blo, bhi], span) }
            let ge = try call(FunctionRegistry.lookup(negated ? "<" : ">=")!, [bx, blo], span)
            let le = try call(FunctionRegistry.lookup(negated ? ">" : "<=")!, [bx, bhi], span)
            return negated ? .or(ge, le) : .and(ge, le)
        case .inList(let op, let x, let items, let span):
            return try compileIn(op, x, items, span)
        case .call(let name, let args, let span):
            return try compileCall(name, args, span)
        case .pipe, .source:
            throw KQLError.bind(DiagnosticCode.notScalar, "a tabular expression cannot be used as a scalar; use toscalar()", e.span)
        case .lambda(_, let span):
            throw KQLError.bind(DiagnosticCode.notScalar, "a function cannot be used as a value", span)
        case .missing(let span):
            throw KQLError.bind(DiagnosticCode.expectedExpression, "missing expression", span)
        }
    }

    func resolveName(_ n: String, _ span: Span) throws -> BoundExpr {
        if let i = schema.index(of: n) { return .column(i, schema.columns[i].type) }
        if let (b, _) = scope.lookup(n) {
            switch b {
            case .scalar(let v, let t): return .constant(v, t)
            case .expr(let e): return e
            case .argument(let syntax, let argScope): return try with(scope: argScope).compile(syntax)
            case .table, .tabular:
                // A single-column, single-row table used as a scalar is a common idiom only via toscalar().
                throw KQLError.bind(DiagnosticCode.notScalar, "'\(n)' is a table; use toscalar(\(n)) for a scalar", span)
            case .function(let l, let fs) where l.parameters.isEmpty:
                return try inline(l, fs, [], span)
            case .function:
                throw KQLError.bind(DiagnosticCode.notScalar, "'\(n)' is a function; call it with ()", span)
            }
        }
        if executor.provider.schema(of: n) != nil {
            throw KQLError.bind(DiagnosticCode.notScalar, "'\(n)' is a table; use toscalar(\(n) | ...) for a scalar", span)
        }
        if n == "$mvapply" { throw KQLError.bind(DiagnosticCode.unknownColumn, "unexpected name", span) }
        if executor.openSchema { return .constant(.null, .dynamic) }
        throw KQLError.bind(DiagnosticCode.unknownColumn, "failed to resolve scalar expression named '\(n)'" + NameSuggestion.didYouMean(n, among: schema.names + scope.names), span)
    }

    func call(_ f: FunctionDef, _ args: [BoundExpr], _ span: Span) throws -> BoundExpr {
        guard args.count >= f.minArgs && args.count <= f.maxArgs else {
            let want = f.minArgs == f.maxArgs ? "\(f.minArgs)" : "\(f.minArgs) to \(f.maxArgs)"
            throw KQLError.bind(DiagnosticCode.wrongArguments, "\(f.name)() expects \(want) argument(s), got \(args.count)", span)
        }
        let types = args.map(\.type)
        guard let rt = f.returnType(types) else {
            throw KQLError.bind(DiagnosticCode.typeMismatch, "\(f.name) cannot be applied to (\(types.map(\.rawValue).joined(separator: ", ")))", span)
        }
        let bound = BoundExpr.call(f, args, rt, span)
        // Fold calls on constants once, so `ago(1d)` and `tolower("X")` cost nothing per row.
        if f.isPure && !f.isWindow && args.allSatisfy({ $0.constantValue != nil }), f.row != nil || f.vector != nil {
            let one = Table(schema: Schema([]), columns: [], count: 1)
            if case .scalar(let v) = try bound.evaluate(one, executor.ctx) { return .constant(v.converted(to: rt), rt) }
        }
        return bound
    }

    /// A string indexed like a bag (`description_s['device']`, a custom log's JSON text) reads it as
    /// JSON, as connector parsers rely on; other types stay as they are (and fail to index).
    func jsonOrDynamic(_ b: BoundExpr, _ span: Span) throws -> BoundExpr {
        b.type == .string ? try call(FunctionRegistry.lookup("parse_json")!, [b], span) : b
    }

    /// The conversion function to a type (`tolong` for long).
    static func conversion(_ t: KQLType) -> String {
        switch t {
        case .dynamic: return "todynamic"
        case .real: return "toreal"
        default: return "to" + t.rawValue
        }
    }

    /// `and`, `or` and `in` over constants are constants (`toscalar('x' in (T) or 'y' in (T))`, the
    /// ASIM parsers' disabled flags, must fold to bind as a `let`).
    func folded(_ b: BoundExpr) throws -> BoundExpr {
        let leavesConstant: Bool
        switch b {
        case .and(let l, let r), .or(let l, let r): leavesConstant = l.constantValue != nil && r.constantValue != nil
        case .inSet(let e, _, _): leavesConstant = e.constantValue != nil
        default: leavesConstant = false
        }
        guard leavesConstant else { return b }
        let one = Table(schema: Schema([]), columns: [], count: 1)
        if case .scalar(let v) = try b.evaluate(one, executor.ctx) { return .constant(v.converted(to: .bool), .bool) }
        return b
    }

    /// Inlines a user function: parameters bind to the caller's argument expressions.
    func inline(_ l: LambdaSyntax, _ fscope: Scope, _ args: [ArgumentSyntax], _ span: Span) throws -> BoundExpr {
        executor.depth += 1
        defer { executor.depth -= 1 }
        guard executor.depth < 64 else { throw KQLError.bind(DiagnosticCode.recursion, "function calls nested more than 64 deep; recursion is not supported", span) }
        let s = try executor.bindParameters(l, fscope, args, callerScope: scope, span)
        guard let last = l.body.last, case .query(let body) = last.kind else {
            throw KQLError.bind(DiagnosticCode.badArgument, "function body has no result expression", span)
        }
        // A scalar function's `let`s may read its arguments, which are row expressions of the caller
        // (`let ips = array_concat(arg[0], arg[1]);`): they compile in the caller's row context.
        for st in l.body.dropLast() {
            guard case .letBinding(let n, let v) = st.kind else { continue }
            if case .lambda = v { try executor.bindLet(n, v, s); continue }
            if executor.isTabular(v, s) { try executor.bindLet(n, v, s); continue }
            let b = try with(scope: s).compile(v)
            s.bindings[n] = b.constantValue.map { .scalar($0, b.type) } ?? .expr(b)
        }
        return try with(scope: s).compile(body)
    }

    func constantList(_ items: [ExprSyntax]) throws -> [Value]? {
        var out: [Value] = []
        for it in items {
            if executor.isTabular(it, scope) {
                let t = try executor.tabular(it, scope)
                if let c = t.columns.first { for i in 0..<t.count { out.append(c.value(at: i)) } }
                continue
            }
            let b = try compile(it)
            guard let v = b.constantValue else { return nil }
            if case .array(let a) = v { out.append(contentsOf: a) } else { out.append(v) }
        }
        return out
    }

    func compileIn(_ op: String, _ x: ExprSyntax, _ items: [ExprSyntax], _ span: Span) throws -> BoundExpr {
        let bx = try compile(x)
        guard let values = try constantList(items) else {
            // Non-constant lists: expand to comparisons.
            let eq = FunctionRegistry.lookup(op.hasSuffix("~") ? "=~" : "==")!
            let r = BoundExpr.anyOf(try items.map { try call(eq, [bx, try compile($0)], span) })
            return op.hasPrefix("!") ? try call(FunctionRegistry.lookup("not")!, [r], span) : r
        }
        switch op {
        case "has_any", "has_all":
            let needles = values.map { StringMatch.Needle($0.kqlString, mode: .has, caseSensitive: false) }
            let all = op == "has_all"
            let f = FunctionDef(op, args: 1...1, returns: FunctionDef.fixed(.bool), row: { a, _ in
                let s = a[0].kqlString
                return .bool(all ? needles.allSatisfy { $0.matches(s) } : needles.contains { $0.matches(s) })
            }, vector: { v, _, n, _ in
                guard case .column(let c) = v[0], needles.allSatisfy(\.ascii) else { return nil }
                guard let out = c.perString({ s -> Bool in
                    var s = s
                    return s.withUTF8 { b in all ? needles.allSatisfy { $0.matches(bytes: b) } : needles.contains { $0.matches(bytes: b) } }
                }) else { return nil }
                return .column(Column(type: .bool, data: .bool(out)))
            })
            return try call(f, [bx], span)
        default:
            return try folded(.inSet(bx, InSet(items: values, caseInsensitive: op.hasSuffix("~")), negated: op.hasPrefix("!")))
        }
    }
}
