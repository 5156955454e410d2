import KQLSyntax
extension BoundExpr {
    /// Evaluates over `count` rows of `input`. Calls on constants fold to one value.
    func evaluate(_ input: Table, _ ctx: EvalContext) throws -> Vec {
        switch self {
        case .column(let i, _): return .column(input.columns[i])
        case .constant(let v, _): return .scalar(v)
        case .and(let l, let r): return try BoolKernels.and(l.evaluate(input, ctx), r.evaluate(input, ctx), input.count)
        case .or(let l, let r): return try BoolKernels.or(l.evaluate(input, ctx), r.evaluate(input, ctx), input.count)
        case .inSet(let e, let set, let negated):
            return BoolKernels.inSet(try e.evaluate(input, ctx), set, negated: negated, input.count)
        case .call(let f, let args, let type, let span):
            let vals = try args.map { try $0.evaluate(input, ctx) }
            do {
                return try BoundExpr.apply(f, vals, args.map(\.type), type, input.count, ctx)
            } catch var e as KQLError {
                if e.span == .none { e.span = span }
                throw e
            }
        }
    }

    static func apply(_ f: FunctionDef, _ vals: [Vec], _ types: [KQLType], _ type: KQLType, _ n: Int, _ ctx: EvalContext) throws -> Vec {
        if let v = f.vector, let r = try v(vals, types, n, ctx) { return r }
        guard let row = f.row else { throw KQLError.runtime("function \(f.name) has no implementation for these arguments") }
        if vals.allSatisfy(\.isScalar) && !f.isWindow {
            return .scalar(try row(vals.map { $0.value(at: 0) }, ctx).converted(to: type))
        }
        var b = ColumnBuilder(type: type, capacity: n)
        var args = [Value](repeating: .null, count: vals.count)
        for i in 0..<n {
            for a in 0..<vals.count { args[a] = vals[a].value(at: i) }
            b.append(try row(args, ctx))
        }
        return .column(b.finish())
    }
}
