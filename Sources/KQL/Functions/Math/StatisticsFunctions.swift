import Foundation

/// The beta distribution (`beta_cdf`, `beta_inv`, `beta_pdf`), the error function (`erf`, `erfc`)
/// and Welch's t-test (`welch_test`, a two-sided p-value). Out-of-domain arguments give null.
enum StatisticsFunctions {
    /// ln B(a, b).
    static func lnBeta(_ a: Double, _ b: Double) -> Double { lgamma(a) + lgamma(b) - lgamma(a + b) }

    /// The continued fraction of the incomplete beta function (Lentz's method).
    static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300, eps = 1e-15
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m2 = Double(2 * m), md = Double(m)
            var aa = md * (b - md) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + md) * (a + b + md) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < eps { break }
        }
        return h
    }

    /// The regularized incomplete beta function I_x(a, b).
    static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(a * log(x) + b * log(1 - x) - lnBeta(a, b))
        if x < (a + 1) / (a + b + 2) { return front * betaContinuedFraction(x, a, b) / a }
        return 1 - front * betaContinuedFraction(1 - x, b, a) / b
    }

    static func betaInverse(_ p: Double, _ a: Double, _ b: Double) -> Double {
        var lo = 0.0, hi = 1.0
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if regularizedBeta(mid, a, b) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    static func args3(_ a: [Value]) -> (Double, Double, Double)? {
        guard let x = a[0].asDouble, let p = a[1].asDouble, let q = a[2].asDouble, p > 0, q > 0 else { return nil }
        return (x, p, q)
    }

    static var all: [FunctionDef] {
        [
            F.row("beta_cdf", 3...3, .real) { a, _ in
                guard let (x, p, q) = args3(a), x >= 0, x <= 1 else { return .null }
                return .real(regularizedBeta(x, p, q))
            },
            F.row("beta_pdf", 3...3, .real) { a, _ in
                guard let (x, p, q) = args3(a), x >= 0, x <= 1 else { return .null }
                return .real(exp((p - 1) * log(x) + (q - 1) * log(1 - x) - lnBeta(p, q)))
            },
            F.row("beta_inv", 3...3, .real) { a, _ in
                guard let (x, p, q) = args3(a), x >= 0, x <= 1 else { return .null }
                return .real(betaInverse(x, p, q))
            },
            F.row("erf", 1...1, .real) { a, _ in a[0].asDouble.map { .real(Foundation.erf($0)) } ?? .null },
            F.row("erfc", 1...1, .real) { a, _ in a[0].asDouble.map { .real(Foundation.erfc($0)) } ?? .null },
            F.row("welch_test", 6...6, .real) { a, _ in
                let d = a.map(\.asDouble)
                guard let m1 = d[0], let v1 = d[1], let n1 = d[2], let m2 = d[3], let v2 = d[4], let n2 = d[5], n1 > 1, n2 > 1 else { return .null }
                let s1 = v1 / n1, s2 = v2 / n2
                guard s1 + s2 > 0 else { return .null }
                let t = (m1 - m2) / (s1 + s2).squareRoot()
                let df = (s1 + s2) * (s1 + s2) / (s1 * s1 / (n1 - 1) + s2 * s2 / (n2 - 1))
                return .real(regularizedBeta(df / (df + t * t), df / 2, 0.5))
            },
        ]
    }
}
