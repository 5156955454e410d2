/// The result of evaluating an expression over a batch: a whole column, or one value for every row.
/// Kernels specialise on the scalar case so constants are never materialised.
public enum Vec: Sendable {
    case column(Column)
    case scalar(Value)

    @inline(__always) public func value(at i: Int) -> Value {
        switch self {
        case .column(let c): return c.value(at: i)
        case .scalar(let v): return v
        }
    }

    public func materialize(type: KQLType, count: Int) -> Column {
        switch self {
        case .column(let c): return c.type == type ? c : Column.from(values: (0..<count).map { c.value(at: $0) }, type: type)
        case .scalar(let v): return Column.constant(v, type: type, count: count)
        }
    }

    public var isScalar: Bool { if case .scalar = self { return true }; return false }
}
