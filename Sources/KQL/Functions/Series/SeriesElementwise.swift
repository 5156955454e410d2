import Foundation

/// Element-wise series arithmetic, comparisons and math (`series_add`, `series_greater`,
/// `series_abs`...), reductions (`series_sum`, `series_dot_product`, `series_pearson_correlation`...)
/// and `series_fill_forward` / `series_fill_backward`. A scalar operand applies to every element; the
/// result is as long as the longest input, elements missing from a shorter one being null.
enum SeriesElementwise {
    /// Elements of an argument: an array, or a scalar repeated.
    static func elements(_ v: Value) -> (items: [Value], scalar: Bool)? {
        if let a = v.asArray { return (a, false) }
        if v.isNull { return nil }
        return ([v], true)
    }

    static func binary(_ name: String, integral: Bool, _ op: @escaping @Sendable (Value, Value) -> Value) -> FunctionDef {
        F.row(name, 2...2, .dynamic) { a, _ in
            guard let x = elements(a[0]), let y = elements(a[1]) else { return .null }
            let n = x.scalar && y.scalar ? 1 : max(x.scalar ? 0 : x.items.count, y.scalar ? 0 : y.items.count)
            return .array((0..<n).map { i in
                let l: Value = x.scalar ? x.items[0] : (i < x.items.count ? x.items[i] : .null)
                let r: Value = y.scalar ? y.items[0] : (i < y.items.count ? y.items[i] : .null)
                return l.isNull || r.isNull ? .null : op(l, r)
            })
        }
    }

    static func arith(_ l: Value, _ r: Value, _ fl: (Int64, Int64) -> (Int64, Bool), _ fd: (Double, Double) -> Double) -> Value {
        if case .long(let a) = l, case .long(let b) = r {
            let (v, overflow) = fl(a, b)
            return overflow ? .real(fd(Double(a), Double(b))) : .long(v)
        }
        guard let a = l.asDouble, let b = r.asDouble else { return .null }
        return .real(fd(a, b))
    }

    static func compare(_ name: String, _ test: @escaping @Sendable (Double, Double) -> Bool) -> FunctionDef {
        binary(name, integral: false) { l, r in
            guard let a = l.asDouble, let b = r.asDouble else { return .null }
            return .bool(test(a, b))
        }
    }

    static func unary(_ name: String, keepsIntegers: Bool = false, _ f: @escaping @Sendable (Double) -> Double) -> FunctionDef {
        F.row(name, 1...1, .dynamic) { a, _ in
            guard let x = a[0].asArray else { return .null }
            return .array(x.map { v in
                if keepsIntegers, case .long(let i) = v {
                    let r = f(Double(i))
                    return r.isFinite && abs(r) < 9e18 ? .long(Int64(r)) : .real(r)
                }
                return v.asDouble.map { .real(f($0)) } ?? .null
            })
        }
    }

    static func doubles(_ v: Value) -> [Double]? { v.asArray?.map { $0.asDouble ?? .nan } }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        let n = min(x.count, y.count)
        guard n > 1 else { return nil }
        let mx = x.prefix(n).reduce(0, +) / Double(n), my = y.prefix(n).reduce(0, +) / Double(n)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<n { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my) }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    static func fill(_ x: [Value], forward: Bool, missing: Value) -> [Value] {
        var out = x
        let order = forward ? Array(x.indices) : Array(x.indices.reversed())
        var last: Value? = nil
        for i in order {
            let isMissing = missing.isNull ? x[i].isNull : (x[i] == missing || x[i].isNull)
            if isMissing { if let l = last { out[i] = l } } else { last = x[i] }
        }
        return out
    }

    static var all: [FunctionDef] {
        [
            binary("series_add", integral: true) { l, r in arith(l, r, { $0.addingReportingOverflow($1) }, +) },
            binary("series_subtract", integral: true) { l, r in arith(l, r, { $0.subtractingReportingOverflow($1) }, -) },
            binary("series_multiply", integral: true) { l, r in arith(l, r, { $0.multipliedReportingOverflow(by: $1) }, *) },
            binary("series_divide", integral: false) { l, r in
                guard let a = l.asDouble, let b = r.asDouble else { return .null }
                return .real(a / b)
            },
            binary("series_pow", integral: false) { l, r in
                guard let a = l.asDouble, let b = r.asDouble else { return .null }
                return .real(pow(a, b))
            },
            compare("series_greater") { $0 > $1 }, compare("series_greater_equals") { $0 >= $1 },
            compare("series_less") { $0 < $1 }, compare("series_less_equals") { $0 <= $1 },
            compare("series_equals") { $0 == $1 }, compare("series_not_equals") { $0 != $1 },
            unary("series_abs", keepsIntegers: true) { abs($0) }, unary("series_sign", keepsIntegers: true) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) },
            unary("series_ceiling", keepsIntegers: true) { $0.rounded(.up) }, unary("series_floor", keepsIntegers: true) { $0.rounded(.down) },
            unary("series_acos", acos), unary("series_asin", asin), unary("series_atan", atan), unary("series_cos", cos), unary("series_sin", sin),
            unary("series_tan", tan), unary("series_exp", exp), unary("series_log", log), unary("series_sqrt") { $0.squareRoot() },
            F.row("series_sum", 1...1, .real) { a, _ in doubles(a[0]).map { .real($0.filter { !$0.isNaN }.reduce(0, +)) } ?? .null },
            F.row("series_product", 1...1, .real) { a, _ in doubles(a[0]).map { .real($0.filter { !$0.isNaN }.reduce(1, *)) } ?? .null },
            F.row("series_magnitude", 1...1, .real) { a, _ in doubles(a[0]).map { .real($0.filter { !$0.isNaN }.reduce(0) { $0 + $1 * $1 }.squareRoot()) } ?? .null },
            F.row("series_dot_product", 2...2, .real) { a, _ in
                guard let x = elements(a[0]), let y = elements(a[1]) else { return .null }
                let n = x.scalar && y.scalar ? 1 : max(x.scalar ? 0 : x.items.count, y.scalar ? 0 : y.items.count)
                var s = 0.0
                for i in 0..<n {
                    let l = x.scalar ? x.items[0] : (i < x.items.count ? x.items[i] : .null), r = y.scalar ? y.items[0] : (i < y.items.count ? y.items[i] : .null)
                    if let p = l.asDouble, let q = r.asDouble { s += p * q }
                }
                return .real(s)
            },
            F.row("series_cosine_similarity", 2...4, .real) { a, _ in
                guard let x = doubles(a[0]), let y = doubles(a[1]), x.count == y.count, !x.isEmpty else { return .null }
                let dot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
                let mx = a.count > 2 ? (a[2].asDouble ?? x.reduce(0) { $0 + $1 * $1 }.squareRoot()) : x.reduce(0) { $0 + $1 * $1 }.squareRoot()
                let my = a.count > 3 ? (a[3].asDouble ?? y.reduce(0) { $0 + $1 * $1 }.squareRoot()) : y.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard mx > 0, my > 0 else { return .null }
                return .real(dot / (mx * my))
            },
            F.row("series_pearson_correlation", 2...2, .real) { a, _ in
                guard let x = doubles(a[0]), let y = doubles(a[1]), let r = pearson(x, y) else { return .null }
                return .real(r)
            },
            F.row("series_fill_forward", 1...2, .dynamic) { a, _ in
                guard let x = a[0].asArray else { return .null }
                return .array(fill(x, forward: true, missing: a.count > 1 ? a[1] : .null))
            },
            F.row("series_fill_backward", 1...2, .dynamic) { a, _ in
                guard let x = a[0].asArray else { return .null }
                return .array(fill(x, forward: false, missing: a.count > 1 ? a[1] : .null))
            },
        ]
    }
}
