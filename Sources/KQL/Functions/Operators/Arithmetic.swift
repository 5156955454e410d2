/// `+ - * / %` with Kusto's typing: datetime - datetime is a timespan, datetime ± timespan a datetime,
/// integer division truncates, division by zero gives null for integers and ±inf/NaN for reals.
enum Arithmetic {
    static func resultType(_ op: String, _ a: KQLType, _ b: KQLType) -> KQLType? {
        if a == .dynamic || b == .dynamic { return a == .dynamic && b == .dynamic ? .dynamic : (a == .dynamic ? b : a).isNumeric ? .real : nil }
        switch (op, a, b) {
        case ("-", .datetime, .datetime): return .timespan
        case ("+", .datetime, .timespan), ("-", .datetime, .timespan), ("+", .timespan, .datetime): return .datetime
        case ("+", .timespan, .timespan), ("-", .timespan, .timespan), ("%", .timespan, .timespan): return .timespan
        case ("/", .timespan, .timespan): return .real
        case ("*", .timespan, _) where b.isNumeric, ("/", .timespan, _) where b.isNumeric: return .timespan
        case ("*", _, .timespan) where a.isNumeric: return .timespan
        default: break
        }
        guard a.isNumeric && b.isNumeric else { return nil }
        if a == .real || b == .real { return .real }
        if a == .decimal || b == .decimal { return .decimal }
        if a == .int && b == .int { return .int }
        return .long
    }

    static func def(_ op: String) -> FunctionDef {
        FunctionDef(op, args: 2...2, returns: { resultType(op, $0[0], $0[1]) },
                    row: { a, _ in apply(op, a[0], a[1]) },
                    vector: { v, t, n, _ in vector(op, v, t, n) })
    }

    static func apply(_ op: String, _ a: Value, _ b: Value) -> Value {
        if a.isNull || b.isNull { return .null }
        switch (a, b) {
        case (.datetime(let x), .datetime(let y)) where op == "-": return .timespan(x &- y)
        case (.datetime(let x), .timespan(let y)): return op == "+" ? .datetime(x &+ y) : op == "-" ? .datetime(x &- y) : .null
        case (.timespan(let x), .datetime(let y)) where op == "+": return .datetime(x &+ y)
        case (.timespan(let x), .timespan(let y)):
            switch op {
            case "+": return .timespan(x &+ y)
            case "-": return .timespan(x &- y)
            case "/": return .real(Double(x) / Double(y))
            case "%": return y == 0 ? .null : .timespan(x % y)
            default: return .null
            }
        case (.timespan(let x), _):
            guard let y = b.asDouble else { return .null }
            if op == "*" { return Ticks.from(Double(x) * y).map { .timespan($0) } ?? .null }
            if op == "/" { return y == 0 ? .null : Ticks.from(Double(x) / y).map { .timespan($0) } ?? .null }
            return .null
        case (_, .timespan(let y)) where op == "*":
            guard let x = a.asDouble else { return .null }
            return Ticks.from(Double(y) * x).map { .timespan($0) } ?? .null
        case (.long(let x), .long(let y)): return longOp(op, x, y)
        default:
            guard let x = a.asDouble, let y = b.asDouble else { return .null }
            return .real(realOp(op, x, y))
        }
    }

    @inline(__always) static func longOp(_ op: String, _ x: Int64, _ y: Int64) -> Value {
        switch op {
        case "+": return .long(x &+ y)
        case "-": return .long(x &- y)
        case "*": return .long(x &* y)
        case "/": return y == 0 || (x == .min && y == -1) ? .null : .long(x / y)
        case "%": return y == 0 || (x == .min && y == -1) ? .null : .long(x % y)
        default: return .null
        }
    }

    @inline(__always) static func realOp(_ op: String, _ x: Double, _ y: Double) -> Double {
        switch op {
        case "+": return x + y
        case "-": return x - y
        case "*": return x * y
        case "/": return x / y
        default: return x.truncatingRemainder(dividingBy: y)
        }
    }

    static func vector(_ op: String, _ v: [Vec], _ t: [KQLType], _ n: Int) -> Vec? {
        if v[0].isScalar && v[1].isScalar { return nil }
        guard let rt = resultType(op, t[0], t[1]) else { return nil }
        // Int64-backed (long, datetime, timespan) with + and -: one tight loop.
        if (op == "+" || op == "-") && t[0].isInt64Backed && t[1].isInt64Backed && rt.isInt64Backed,
           let a = Comparison.i64(v[0]), let b = Comparison.i64(v[1]) {
            let sign: Int64 = op == "+" ? 1 : -1
            var out = [Int64](repeating: 0, count: n)
            var nulls: [Bool]? = nil
            switch (a, b) {
            case (.col(let x, let xn), .scalar(let y)):
                guard let y else { return .scalar(.null) }
                let d = sign &* y
                for i in 0..<n { out[i] = x[i] &+ d }
                nulls = xn
            case (.scalar(let x), .col(let y, let yn)):
                guard let x else { return .scalar(.null) }
                for i in 0..<n { out[i] = x &+ sign &* y[i] }
                nulls = yn
            case (.col(let x, let xn), .col(let y, let yn)):
                for i in 0..<n { out[i] = x[i] &+ sign &* y[i] }
                nulls = mergeNulls(xn, yn, n)
            default: return nil
            }
            return .column(Column(type: rt, data: .int64(out), nulls: nulls))
        }
        if rt == .real || rt == .decimal, let a = Comparison.f64(v[0]), let b = Comparison.f64(v[1]) {
            var out = [Double](repeating: 0, count: n)
            var nulls: [Bool]? = nil
            switch (a, b) {
            case (.col(let x, let xn), .scalar(let y)):
                guard let y else { return .scalar(.null) }
                for i in 0..<n { out[i] = realOp(op, x[i], y) }
                nulls = xn
            case (.scalar(let x), .col(let y, let yn)):
                guard let x else { return .scalar(.null) }
                for i in 0..<n { out[i] = realOp(op, x, y[i]) }
                nulls = yn
            case (.col(let x, let xn), .col(let y, let yn)):
                for i in 0..<n { out[i] = realOp(op, x[i], y[i]) }
                nulls = mergeNulls(xn, yn, n)
            default: return nil
            }
            return .column(Column(type: rt, data: .double(out), nulls: nulls))
        }
        return nil
    }
}
