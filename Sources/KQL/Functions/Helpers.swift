/// Shorthands for declaring the long tail of row-wise functions.
enum F {
    static func row(_ name: String, _ args: ClosedRange<Int>, _ ret: KQLType, pure: Bool = true,
                    _ f: @escaping @Sendable ([Value], EvalContext) throws -> Value) -> FunctionDef {
        FunctionDef(name, args: args, returns: FunctionDef.fixed(ret), isPure: pure, row: f)
    }
    /// A function whose result type follows its argument types.
    static func typed(_ name: String, _ args: ClosedRange<Int>, _ ret: @escaping @Sendable ([KQLType]) -> KQLType?,
                      _ f: @escaping @Sendable ([Value], EvalContext) throws -> Value) -> FunctionDef {
        FunctionDef(name, args: args, returns: ret, row: f)
    }
    /// A one-string-argument function, vectorised over string columns.
    static func str(_ name: String, _ ret: KQLType, _ f: @escaping @Sendable (String) -> Value) -> FunctionDef {
        FunctionDef(name, args: 1...1, returns: FunctionDef.fixed(ret), row: { a, _ in f(a[0].kqlString) },
                    vector: { v, _, n, _ in
                        guard case .column(let c) = v[0], c.type == .string, let results = c.perString(f) else { return nil }
                        var b = ColumnBuilder(type: ret, capacity: n)
                        for x in results { b.append(x) }
                        return .column(b.finish())
                    })
    }
    static func alias(_ f: FunctionDef, _ name: String) -> FunctionDef {
        FunctionDef(name, args: f.minArgs...f.maxArgs, returns: f.returnType, isWindow: f.isWindow, isPure: f.isPure, row: f.row, vector: f.vector)
    }
}

/// A double as an Int when it is finite and in range (a conversion that would trap is nil).
func intIfFinite(_ d: Double) -> Int? { d.isFinite && abs(d) < 9.0e18 ? Int(d) : nil }

extension Value {
    /// Integer argument helper: nil for null or non-numeric.
    var int: Int? { asInt64.map { Int(clamping: $0) } }
}
