/// Three-valued logic over bool vectors: `false and null` is false, `true or null` is true.
enum BoolKernels {
    /// (value, isNull) at a row, for bool vectors.
    @inline(__always) static func get(_ v: Vec, _ i: Int) -> (Bool, Bool) {
        switch v {
        case .scalar(let s): if case .bool(let b) = s { return (b, false) }; return (false, true)
        case .column(let c):
            if case .bool(let a) = c.data { return (a[i], c.nulls?[i] ?? false) }
            let x = c.value(at: i)
            if case .bool(let b) = x { return (b, false) }
            return (false, true)
        }
    }

    static func combine(_ l: Vec, _ r: Vec, _ n: Int, isAnd: Bool) -> Vec {
        if case .scalar = l, case .scalar = r {
            let (a, an) = get(l, 0), (b, bn) = get(r, 0)
            return .scalar(logic(a, an, b, bn, isAnd))
        }
        // Fast path: two bool columns without nulls.
        if case .column(let lc) = l, case .column(let rc) = r, case .bool(let a) = lc.data, case .bool(let b) = rc.data, lc.nulls == nil, rc.nulls == nil {
            var out = [Bool](repeating: false, count: n)
            out.withUnsafeMutableBufferPointer { o in
                a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                    if isAnd { for i in 0..<n { o[i] = pa[i] && pb[i] } } else { for i in 0..<n { o[i] = pa[i] || pb[i] } }
                } }
            }
            return .column(Column(type: .bool, data: .bool(out)))
        }
        var out = [Bool](repeating: false, count: n)
        var nulls = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let (a, an) = get(l, i), (b, bn) = get(r, i)
            let v = logic(a, an, b, bn, isAnd)
            if case .bool(let x) = v { out[i] = x } else { nulls[i] = true }
        }
        return .column(Column(type: .bool, data: .bool(out), nulls: nulls))
    }

    @inline(__always) static func logic(_ a: Bool, _ an: Bool, _ b: Bool, _ bn: Bool, _ isAnd: Bool) -> Value {
        if isAnd {
            if (!an && !a) || (!bn && !b) { return .bool(false) }
            if an || bn { return .null }
            return .bool(true)
        }
        if (!an && a) || (!bn && b) { return .bool(true) }
        if an || bn { return .null }
        return .bool(false)
    }

    static func and(_ l: Vec, _ r: Vec, _ n: Int) -> Vec { combine(l, r, n, isAnd: true) }
    static func or(_ l: Vec, _ r: Vec, _ n: Int) -> Vec { combine(l, r, n, isAnd: false) }

    static func inSet(_ v: Vec, _ set: InSet, negated: Bool, _ n: Int) -> Vec {
        switch v {
        case .scalar(let x):
            return x.isNull && !negated ? .scalar(.bool(false)) : .scalar(.bool(set.contains(x) != negated))
        case .column(let c):
            var out = [Bool](repeating: false, count: n)
            switch c.data {
            case .string, .dict where c.type == .string:
                out = c.perString { set.strings.contains(set.caseInsensitive ? $0.lowercased() : $0) != negated }!
            case .int64(let a) where c.type.isIntegral:
                for i in 0..<n { out[i] = c.isNull(i) ? negated : set.longs.contains(a[i]) != negated }
            default:
                for i in 0..<n { let x = c.value(at: i); out[i] = x.isNull ? negated : set.contains(x) != negated }
            }
            return .column(Column(type: .bool, data: .bool(out)))
        }
    }
}
