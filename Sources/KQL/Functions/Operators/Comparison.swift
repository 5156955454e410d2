/// `== != < <= > >= =~ !~`: typed kernels for numbers, datetimes and strings; null in, null out.
enum Comparison {
    enum Op: String {
        case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
        /// The operator with its operands swapped: `x < y` is `y > x`.
        var flipped: Op {
            switch self {
            case .eq, .ne: return self
            case .lt: return .gt
            case .le: return .ge
            case .gt: return .lt
            case .ge: return .le
            }
        }
    }

    @inline(__always) static func test<T: Comparable>(_ a: T, _ b: T, _ op: Op) -> Bool {
        switch op {
        case .eq: return a == b
        case .ne: return a != b
        case .lt: return a < b
        case .le: return a <= b
        case .gt: return a > b
        case .ge: return a >= b
        }
    }

    static func resultType(_ t: [KQLType]) -> KQLType? {
        let a = t[0], b = t[1]
        if a == b || a == .dynamic || b == .dynamic { return .bool }
        if a.isNumeric && b.isNumeric { return .bool }
        if (a == .string && b == .guid) || (a == .guid && b == .string) { return .bool }
        // Sentinel rules compare string codes with numbers (`ResultType == 0`); Kusto accepts it.
        if (a == .string && b.isNumeric) || (a.isNumeric && b == .string) { return .bool }
        // `bool == 1`, and a datetime against a timespan (compared as Kusto's ticks, datetimes from 0001-01-01).
        if (a == .bool && b.isNumeric) || (a.isNumeric && b == .bool) { return .bool }
        if (a == .datetime && b == .timespan) || (a == .timespan && b == .datetime) { return .bool }
        return nil
    }

    static func def(_ op: Op) -> FunctionDef {
        FunctionDef(op.rawValue, args: 2...2, returns: { resultType($0) == nil ? nil : .bool },
                    row: { a, _ in compareValues(a[0], a[1], op) },
                    vector: { v, t, n, _ in vector(v, t, n, op) })
    }

    static func compareValues(_ a: Value, _ b: Value, _ op: Op) -> Value {
        if a.isNull || b.isNull {
            // Dynamic nulls compare equal only to each other under ==/!= in Kusto's dynamic semantics.
            return .null
        }
        switch (a, b) {
        case (.string(let x), .string(let y)), (.guid(let x), .guid(let y)), (.string(let x), .guid(let y)), (.guid(let x), .string(let y)):
            return .bool(test(x, y, op))
        case (.bool(let x), .bool(let y)): return .bool(test(x ? 1 : 0, y ? 1 : 0, op))
        case (.long(let x), .long(let y)), (.datetime(let x), .datetime(let y)), (.timespan(let x), .timespan(let y)):
            return .bool(test(x, y, op))
        case (.datetime(let x), .timespan(let y)): return .bool(test(x &+ XXHash64.dotnetEpochTicks, y, op))
        case (.timespan(let x), .datetime(let y)): return .bool(test(x, y &+ XXHash64.dotnetEpochTicks, op))
        case (.bool(let x), _) where numeric(b) != nil: return .bool(test(x ? 1 : 0, numeric(b)!, op))
        case (_, .bool(let y)) where numeric(a) != nil: return .bool(test(numeric(a)!, y ? 1 : 0, op))
        default:
            if let x = numeric(a), let y = numeric(b) { return .bool(test(x, y, op)) }
            if case .string(let s) = b { return .bool(test(a.kqlString, s, op)) }
            if case .string(let s) = a { return .bool(test(s, b.kqlString, op)) }
            if op == .eq { return .bool(a == b) }
            if op == .ne { return .bool(a != b) }
            return .null
        }
    }

    static func numeric(_ v: Value) -> Double? {
        switch v {
        case .long(let x): return Double(x)
        case .real(let x): return x
        default: return nil
        }
    }

    /// Int64 view of an int-backed vector.
    enum I64 { case col([Int64], [Bool]?), scalar(Int64?) }
    static func i64(_ v: Vec) -> I64? {
        switch v {
        case .scalar(let s):
            switch s {
            case .null: return .scalar(nil)
            case .long(let x), .datetime(let x), .timespan(let x): return .scalar(x)
            default: return nil
            }
        case .column(let c):
            if case .int64(let a) = c.data { return .col(a, c.nulls) }
            return nil
        }
    }
    enum F64 { case col([Double], [Bool]?), scalar(Double?) }
    static func f64(_ v: Vec) -> F64? {
        switch v {
        case .scalar(let s):
            switch s {
            case .null: return .scalar(nil)
            case .long(let x): return .scalar(Double(x))
            case .real(let x): return .scalar(x)
            default: return nil
            }
        case .column(let c):
            if case .double(let a) = c.data { return .col(a, c.nulls) }
            if case .int64(let a) = c.data, c.type.isIntegral { return .col(a.map(Double.init), c.nulls) }
            return nil
        }
    }

    static func vector(_ v: [Vec], _ t: [KQLType], _ n: Int, _ op: Op) -> Vec? {
        if v[0].isScalar && v[1].isScalar { return nil }
        if t[0].isInt64Backed && t[1].isInt64Backed && (t[0] == t[1] || (t[0].isIntegral && t[1].isIntegral)),
           let a = i64(v[0]), let b = i64(v[1]) {
            return kernel(a, b, n, op)
        }
        if t[0].isNumeric && t[1].isNumeric, let a = f64(v[0]), let b = f64(v[1]) {
            return kernelF(a, b, n, op)
        }
        if t[0] == .string && t[1] == .string {
            return stringKernel(v[0], v[1], n, op)
        }
        return nil
    }

    static func kernel(_ a: I64, _ b: I64, _ n: Int, _ op: Op) -> Vec {
        switch (a, b) {
        case (.col(let x, let xn), .scalar(let y)): return compared(x, xn, y, n, op)
        case (.scalar(let x), .col(let y, let yn)): return compared(y, yn, x, n, op.flipped)
        case (.col(let x, let xn), .col(let y, let yn)): return compared(x, xn, y, yn, n, op)
        case (.scalar, .scalar): return .column(Column(type: .bool, data: .bool([Bool](repeating: false, count: n))))
        }
    }

    static func kernelF(_ a: F64, _ b: F64, _ n: Int, _ op: Op) -> Vec {
        switch (a, b) {
        case (.col(let x, let xn), .scalar(let y)): return compared(x, xn, y, n, op)
        case (.scalar(let x), .col(let y, let yn)): return compared(y, yn, x, n, op.flipped)
        case (.col(let x, let xn), .col(let y, let yn)): return compared(x, xn, y, yn, n, op)
        case (.scalar, .scalar): return .column(Column(type: .bool, data: .bool([Bool](repeating: false, count: n))))
        }
    }

    /// A column against a scalar (a null scalar makes every row null).
    static func compared<T: Comparable>(_ x: [T], _ xn: [Bool]?, _ y: T?, _ n: Int, _ op: Op) -> Vec {
        guard let y else {
            return .column(Column(type: .bool, data: .bool([Bool](repeating: false, count: n)), nulls: [Bool](repeating: true, count: n)))
        }
        let out = [Bool](unsafeUninitializedCapacity: n) { o, count in
            x.withUnsafeBufferPointer { px in
                switch op {
                case .eq: for i in 0..<n { o[i] = px[i] == y }
                case .ne: for i in 0..<n { o[i] = px[i] != y }
                case .lt: for i in 0..<n { o[i] = px[i] < y }
                case .le: for i in 0..<n { o[i] = px[i] <= y }
                case .gt: for i in 0..<n { o[i] = px[i] > y }
                case .ge: for i in 0..<n { o[i] = px[i] >= y }
                }
            }
            count = n
        }
        return .column(Column(type: .bool, data: .bool(out), nulls: xn))
    }

    /// Two columns row by row: one loop per operator, so the comparison is not chosen again per row
    /// (a streamed join's filter compares 90M pairs of datetimes twice at 100M rows).
    static func compared<T: Comparable>(_ x: [T], _ xn: [Bool]?, _ y: [T], _ yn: [Bool]?, _ n: Int, _ op: Op) -> Vec {
        let out = [Bool](unsafeUninitializedCapacity: n) { o, count in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeBufferPointer { py in
                    switch op {
                    case .eq: for i in 0..<n { o[i] = px[i] == py[i] }
                    case .ne: for i in 0..<n { o[i] = px[i] != py[i] }
                    case .lt: for i in 0..<n { o[i] = px[i] < py[i] }
                    case .le: for i in 0..<n { o[i] = px[i] <= py[i] }
                    case .gt: for i in 0..<n { o[i] = px[i] > py[i] }
                    case .ge: for i in 0..<n { o[i] = px[i] >= py[i] }
                    }
                }
            }
            count = n
        }
        return .column(Column(type: .bool, data: .bool(out), nulls: mergeNulls(xn, yn, n)))
    }

    static func stringKernel(_ a: Vec, _ b: Vec, _ n: Int, _ op: Op) -> Vec? {
        var out = [Bool](repeating: false, count: n)
        switch (a, b) {
        case (.column(let c), .scalar(.string(let y))):
            let r: [Bool]?
            if op == .eq || op == .ne {
                // Compare UTF-8 bytes directly: cheaper than String equality's normalisation checks.
                let needle = StringMatch.Needle(y, mode: .equals, caseSensitive: true)
                r = c.perStringParallel { needle.matches($0) == (op == .eq) }
            } else {
                r = c.perString { test($0, y, op) }
            }
            guard let r else { return nil }
            out = r
        case (.scalar(.string(let x)), .column(let c)):
            guard let r = c.perString({ test(x, $0, op) }) else { return nil }
            out = r
        case (.column(let c1), .column(let c2)):
            guard let x = c1.strings, let y = c2.strings else { return nil }
            for i in 0..<n { out[i] = test(x[i], y[i], op) }
        default: return nil
        }
        return .column(Column(type: .bool, data: .bool(out)))
    }
}
