import Foundation

/// Math functions: results are `real` except where Kusto keeps the integer type (`abs`, `sign`, bitwise).
enum MathFunctions {
    static func real1(_ name: String, _ f: @escaping @Sendable (Double) -> Double) -> FunctionDef {
        FunctionDef(name, args: 1...1, returns: FunctionDef.fixed(.real), row: { a, _ in
            guard let x = a[0].asDouble, !(a[0].kqlType == .string) else { return .null }
            return .real(f(x))
        }, vector: { v, _, n, _ in
            guard case .column(let c) = v[0] else { return nil }
            switch c.data {
            case .int64(let xs) where c.type.isIntegral: return .column(Column(type: .real, data: .double(xs.map { f(Double($0)) }), nulls: c.nulls))
            case .double(let xs): return .column(Column(type: .real, data: .double(xs.map(f)), nulls: c.nulls))
            default: return nil
            }
        })
    }

    static func bits(_ name: String, _ f: @escaping @Sendable (Int64, Int64) -> Int64) -> FunctionDef {
        F.row(name, 2...2, .long) { a, _ in
            guard let x = a[0].asInt64, let y = a[1].asInt64 else { return .null }
            return .long(f(x, y))
        }
    }

    static var all: [FunctionDef] {
        [
            F.typed("abs", 1...1, { $0[0] }) { a, _ in
                switch a[0] {
                case .long(let v): return .long(v == .min ? v : Swift.abs(v))
                case .real(let d): return .real(Swift.abs(d))
                case .timespan(let t): return t == .min ? .null : .timespan(Swift.abs(t))
                default: return .null
                }
            },
            F.typed("sign", 1...1, { $0[0] }) { a, _ in
                switch a[0] {
                case .long(let v): return .long(v.signum())
                case .real(let d): return .real(d > 0 ? 1 : d < 0 ? -1 : 0)
                default: return .null
                }
            },
            F.typed("round", 1...2, { $0[0] == .real || $0[0] == .decimal ? .real : $0[0] }) { a, _ in
                let p = a.count > 1 ? (a[1].int ?? 0) : 0
                switch a[0] {
                case .long(let v):
                    if p >= 0 { return .long(v) }
                    guard p > -19 else { return .long(0) }
                    let m = Int64(pow(10, Double(-p)))
                    guard let q = Ticks.from((Double(v) / Double(m)).rounded(.toNearestOrAwayFromZero)) else { return .null }
                    return .long(q &* m)
                case .real(let d):
                    let m = pow(10, Double(p))
                    return .real((d * m).rounded(.toNearestOrAwayFromZero) / m)
                default: return .null
                }
            },
            F.typed("ceiling", 1...1, { $0[0] }) { a, _ in
                switch a[0] { case .long: return a[0]; case .real(let d): return .real(d.rounded(.up)); default: return .null }
            },
            F.row("pow", 2...2, .real) { a, _ in
                guard let x = a[0].asDouble, let y = a[1].asDouble else { return .null }
                return .real(Foundation.pow(x, y))
            },
            real1("sqrt") { $0 < 0 ? .nan : $0.squareRoot() }, real1("log") { Foundation.log($0) }, real1("log2") { Foundation.log2($0) },
            real1("log10") { Foundation.log10($0) }, real1("exp") { Foundation.exp($0) }, real1("exp2") { Foundation.exp2($0) },
            real1("exp10") { Foundation.pow(10, $0) }, real1("sin") { Foundation.sin($0) }, real1("cos") { Foundation.cos($0) },
            real1("tan") { Foundation.tan($0) }, real1("asin") { Foundation.asin($0) }, real1("acos") { Foundation.acos($0) },
            real1("atan") { Foundation.atan($0) }, real1("cot") { 1 / Foundation.tan($0) }, real1("degrees") { $0 * 180 / .pi },
            real1("radians") { $0 * .pi / 180 }, real1("gamma") { Foundation.tgamma($0) }, real1("loggamma") { Foundation.lgamma($0) },
            F.row("atan2", 2...2, .real) { a, _ in
                guard let y = a[0].asDouble, let x = a[1].asDouble else { return .null }
                return .real(Foundation.atan2(y, x))
            },
            F.row("pi", 0...0, .real) { _, _ in .real(.pi) },
            // Whether a number, datetime or timespan lies in [center - delta, center + delta]; datetimes
            // and timespans compare in ticks, exactly.
            F.row("around", 3...3, .bool) { a, _ in
                switch (a[0], a[1], a[2]) {
                case (.datetime(let v), .datetime(let c), .timespan(let d)), (.timespan(let v), .timespan(let c), .timespan(let d)):
                    return .bool(v >= c &- d && v <= c &+ d)
                case (.long(let v), .long(let c), .long(let d)): return .bool(v >= c &- d && v <= c &+ d)
                case (.long, _, _), (.real, _, _):
                    guard case let (v?, c?, d?) = (Comparison.numeric(a[0]), Comparison.numeric(a[1]), Comparison.numeric(a[2])) else { return .null }
                    return .bool(v >= c - d && v <= c + d)
                default: return .null
                }
            },
            F.row("isnan", 1...1, .bool) { a, _ in a[0].asDouble.map { .bool($0.isNaN) } ?? .bool(false) },
            F.row("isinf", 1...1, .bool) { a, _ in a[0].asDouble.map { .bool($0.isInfinite) } ?? .bool(false) },
            F.row("isfinite", 1...1, .bool) { a, _ in a[0].asDouble.map { .bool($0.isFinite) } ?? .bool(false) },
            F.row("rand", 0...1, .real, pure: false) { a, _ in
                if let n = a.first?.asInt64, n > 0 { return .long(Int64.random(in: 0..<n)) }
                return .real(Double.random(in: 0..<1))
            },
            bits("binary_and") { $0 & $1 }, bits("binary_or") { $0 | $1 }, bits("binary_xor") { $0 ^ $1 },
            bits("binary_shift_left") { $1 >= 0 && $1 < 64 ? $0 << $1 : 0 }, bits("binary_shift_right") { $1 >= 0 && $1 < 64 ? $0 >> $1 : 0 },
            F.row("binary_not", 1...1, .long) { a, _ in a[0].asInt64.map { .long(~$0) } ?? .null },
            F.row("bitset_count_ones", 1...1, .long) { a, _ in a[0].asInt64.map { .long(Int64($0.nonzeroBitCount)) } ?? .null },
        ]
    }
}
