import Foundation
import OrderedCollections

/// Series decomposition and forecasting, two-line fits, outliers, periods, the discrete Fourier
/// transform and FIR / IIR filters. Multi-output functions return a bag in Kusto's output order,
/// which `(a, b) = f(x)` and unnamed `extend f(x)` spread over columns.
enum SeriesAnalysis {
    static func reals(_ v: [Double]) -> Value { .array(v.map { $0.isFinite ? .real($0) : .null }) }
    static func dense(_ v: Value) -> [Double]? { SeriesFunctions.nums(v).map { $0.map { $0 ?? 0 } } }

    /// Least-squares polynomial of `degree` through (x, y): Householder QR of the Vandermonde matrix
    /// (steadier than the normal equations when x is not normalized). Coefficients highest power first.
    static func fitPoly(_ y: [Double], _ x: [Double], degree: Int) -> OrderedDictionary<String, Value>? {
        let n = y.count, m = degree + 1
        guard n >= 1 else { return nil }
        var a = (0..<n).map { i in (0..<m).map { pow(x[i], Double(degree - $0)) } }
        var b = y
        for k in 0..<min(m, n) {
            var norm = 0.0
            for i in k..<n { norm += a[i][k] * a[i][k] }
            norm = norm.squareRoot()
            guard norm > 0 else { continue }
            let alpha = a[k][k] > 0 ? -norm : norm
            var v = [Double](repeating: 0, count: n)
            for i in k..<n { v[i] = a[i][k] }
            v[k] -= alpha
            let vv = v[k...].reduce(0) { $0 + $1 * $1 }
            guard vv > 0 else { continue }
            for j in k..<m {
                var d = 0.0
                for i in k..<n { d += v[i] * a[i][j] }
                let f = 2 * d / vv
                for i in k..<n { a[i][j] -= f * v[i] }
            }
            var d = 0.0
            for i in k..<n { d += v[i] * b[i] }
            let f = 2 * d / vv
            for i in k..<n { b[i] -= f * v[i] }
        }
        var coef = [Double](repeating: 0, count: m)
        for k in stride(from: min(m, n) - 1, through: 0, by: -1) {
            var s = b[k]
            for j in (k + 1)..<m { s -= a[k][j] * coef[j] }
            coef[k] = a[k][k] == 0 ? 0 : s / a[k][k]
        }
        let fit = x.map { xv in coef.reduce(0) { $0 * xv + $1 } }
        let mean = y.reduce(0, +) / Double(n)
        let denom = Double(max(n - 1, 1))
        let variance = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / denom
        let rvariance = zip(y, fit).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / denom
        let rsquare = variance == 0 ? 1 : 1 - rvariance / variance
        return ["rsquare": .real(rsquare), "coefficients": .array(coef.map { .real($0) }), "variance": .real(variance),
                "rvariance": .real(rvariance), "poly_fit": .array(fit.map { .real($0) })]
    }

    static func fit2Lines(_ y: [Double]) -> OrderedDictionary<String, Value> {
        let n = y.count
        func line(_ part: ArraySlice<Double>) -> (slope: Double, icpt: Double, fit: [Double], rss: Double, variance: Double) {
            let xs = part.indices.map(Double.init), ys = Array(part)
            let m = Double(ys.count)
            guard ys.count > 1 else { return (0, ys.first ?? 0, ys, 0, 0) }
            let mx = xs.reduce(0, +) / m, my = ys.reduce(0, +) / m
            var sxy = 0.0, sxx = 0.0
            for (x, v) in zip(xs, ys) { sxy += (x - mx) * (v - my); sxx += (x - mx) * (x - mx) }
            let slope = sxx == 0 ? 0 : sxy / sxx, icpt = my - slope * mx
            let fit = xs.map { icpt + slope * $0 }
            let rss = zip(ys, fit).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            let variance = ys.reduce(0) { $0 + ($1 - my) * ($1 - my) } / (m - 1)
            return (slope, icpt, fit, rss, variance)
        }
        guard n >= 4 else {
            let l = line(y[...])
            return ["rsquare": .real(1), "split_idx": .long(0), "variance": .real(l.variance), "rvariance": .real(0), "line_fit": reals(l.fit),
                    "right_rsquare": .real(1), "right_slope": .real(l.slope), "right_interception": .real(l.icpt), "right_variance": .real(l.variance),
                    "right_rvariance": .real(0), "left_rsquare": .real(1), "left_slope": .real(0), "left_interception": .real(0),
                    "left_variance": .real(0), "left_rvariance": .real(0)]
        }
        var best = 2, bestRSS = Double.infinity
        for k in 2...(n - 2) {
            let rss = line(y[..<k]).rss + line(y[k...]).rss
            if rss < bestRSS { bestRSS = rss; best = k }
        }
        let left = line(y[..<best]), right = line(y[best...])
        let mean = y.reduce(0, +) / Double(n)
        let variance = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let rvariance = bestRSS / Double(n - 1)
        func r2(_ l: (slope: Double, icpt: Double, fit: [Double], rss: Double, variance: Double), _ count: Int) -> Double {
            l.variance == 0 ? 1 : 1 - (l.rss / Double(max(1, count - 1))) / l.variance
        }
        return ["rsquare": .real(variance == 0 ? 1 : 1 - rvariance / variance), "split_idx": .long(Int64(best)), "variance": .real(variance),
                "rvariance": .real(rvariance), "line_fit": reals(left.fit + right.fit),
                "right_rsquare": .real(r2(right, n - best)), "right_slope": .real(right.slope), "right_interception": .real(right.icpt),
                "right_variance": .real(right.variance), "right_rvariance": .real(right.rss / Double(max(1, n - best - 1))),
                "left_rsquare": .real(r2(left, best)), "left_slope": .real(left.slope), "left_interception": .real(left.icpt),
                "left_variance": .real(left.variance), "left_rvariance": .real(left.rss / Double(max(1, best - 1)))]
    }

    /// Autocorrelation scores of candidate periods, highest first.
    static func periodScores(_ x: [Double], _ candidates: [Int]) -> [(Int, Double)] {
        let n = x.count
        guard n > 2 else { return [] }
        let m = x.reduce(0, +) / Double(n)
        let c = x.map { $0 - m }
        let energy = c.reduce(0) { $0 + $1 * $1 }
        guard energy > 0 else { return [] }
        return candidates.compactMap { p in
            guard p > 0, p < n else { return nil }
            var s = 0.0
            for i in 0..<(n - p) { s += c[i] * c[i + p] }
            // Normalised by the overlap, so long periods are not penalised for fewer pairs.
            return (p, max(0, s / energy * Double(n) / Double(n - p)))
        }
    }

    static func dft(_ re: [Double], _ im: [Double], inverse: Bool) -> ([Double], [Double]) {
        let n = re.count
        var outR = [Double](repeating: 0, count: n), outI = [Double](repeating: 0, count: n)
        let sign = inverse ? 1.0 : -1.0
        for k in 0..<n {
            var sr = 0.0, si = 0.0
            for t in 0..<n {
                let angle = sign * 2 * Double.pi * Double(k * t % n) / Double(n)
                sr += re[t] * cos(angle) - im[t] * sin(angle)
                si += re[t] * sin(angle) + im[t] * cos(angle)
            }
            outR[k] = inverse ? sr / Double(n) : sr
            outI[k] = inverse ? si / Double(n) : si
        }
        return (outR, outI)
    }

    static var all: [FunctionDef] {
        [
            F.row("series_decompose", 1...5, .dynamic) { a, _ in
                guard let x = dense(a[0]) else { return .null }
                func arg(_ i: Int) -> Value? { a.count > i && !a[i].isNull ? a[i] : nil }
                let c = SeriesFunctions.components(x, seasonality: arg(1)?.int ?? -1, trend: arg(2)?.kqlString ?? "avg", testPoints: arg(3)?.int ?? 0,
                                                   seasonalityThreshold: arg(4)?.asDouble ?? 0.6)
                return .bag(["baseline": reals(c.baseline), "seasonal": reals(c.seasonal), "trend": reals(c.trend), "residual": reals(c.residual)])
            },
            F.row("series_decompose_forecast", 2...5, .dynamic) { a, _ in
                guard let x = dense(a[0]), let points = a[1].int, points >= 0 else { return .null }
                func arg(_ i: Int) -> Value? { a.count > i && !a[i].isNull ? a[i] : nil }
                let c = SeriesFunctions.components(x, seasonality: arg(2)?.int ?? -1, trend: arg(3)?.kqlString ?? "linefit", testPoints: points,
                                                   seasonalityThreshold: arg(4)?.asDouble ?? 0.6)
                return reals(c.baseline)
            },
            F.row("series_fit_poly", 1...3, .dynamic) { a, _ in
                guard let y = dense(a[0]) else { return .null }
                let xs = a.count > 1 && !a[1].isNull ? dense(a[1]) : (1...max(1, y.count)).map(Double.init)
                let degree = a.count > 2 ? (a[2].int ?? 1) : 1
                guard let x = xs, x.count == y.count, (1...16).contains(degree) else { return .null }
                return fitPoly(y, x, degree: degree).map { .bag($0) } ?? .null
            },
            F.row("series_fit_2lines", 1...1, .dynamic) { a, _ in dense(a[0]).map { .bag(fit2Lines($0)) } ?? .null },
            F.row("series_fit_2lines_dynamic", 1...1, .dynamic) { a, _ in dense(a[0]).map { .bag(fit2Lines($0)) } ?? .null },
            F.alias(FunctionRegistry.seriesFitLine, "series_fit_line_dynamic"),
            F.alias(FunctionRegistry.seriesStats, "series_stats_dynamic"),
            F.row("series_outliers", 1...5, .dynamic) { a, _ in
                guard let x0 = a[0].asArray else { return .null }
                let kind = a.count > 1 && !a[1].isNull ? a[1].kqlString.lowercased() : "ctukey"
                let ignore = a.count > 2 ? a[2] : .null
                let lo = a.count > 3 ? (a[3].asDouble ?? 10) : (kind == "tukey" ? 25 : 10)
                let hi = a.count > 4 ? (a[4].asDouble ?? 90) : (kind == "tukey" ? 75 : 90)
                let used = x0.filter { !$0.isNull && $0 != ignore }.compactMap(\.asDouble)
                let q1 = SeriesFunctions.percentile(used, kind == "tukey" ? 25 : lo), q3 = SeriesFunctions.percentile(used, kind == "tukey" ? 75 : hi)
                let iqr = max(q3 - q1, 1e-9)
                return .array(x0.map { v in
                    guard let d = v.asDouble, v != ignore else { return .real(0) }
                    return .real(d > q3 ? (d - q3) / iqr : (d < q1 ? (d - q1) / iqr : 0))
                })
            },
            F.row("series_periods_detect", 4...4, .dynamic) { a, _ in
                guard let x = dense(a[0]), let lo = a[1].asDouble.flatMap({ intIfFinite($0.rounded(.up)) }), let hi = a[2].asDouble.flatMap(intIfFinite),
                      let k0 = a[3].int, k0 > 0 else { return .null }
                let k = min(k0, 1024)
                // A period has at least 4 points and at most half the series (the function's page).
                guard x.count >= 8 else { return .bag(["periods": .array(Array(repeating: .real(0), count: k)), "scores": .array(Array(repeating: .real(0), count: k))]) }
                let scores = SeriesFunctions.periodCandidates(x, minPeriod: lo, maxPeriod: hi)
                // A multiple of a chosen period repeats it; it is not another period.
                var top: [(Int, Double)] = []
                for s in scores where top.count < k && !top.contains(where: { s.period % $0.0 == 0 }) { top.append((s.period, s.score)) }
                // The arrays have num_periods entries, padded with zeros.
                let pad = [Value](repeating: .real(0), count: max(0, k - top.count))
                return .bag(["periods": .array(top.map { .real(Double($0.0)) } + pad), "scores": .array(top.map { .real(min(1, $0.1)) } + pad)])
            },
            F.row("series_periods_validate", 2...17, .dynamic) { a, _ in
                guard let x = dense(a[0]) else { return .null }
                let ps = a.dropFirst().compactMap(\.asDouble)
                let scores = periodScores(x, ps.map { intIfFinite($0) ?? 0 })
                return .bag(["periods": .array(ps.map { .real($0) }),
                             "scores": .array(ps.map { p in .real(min(1, scores.first { $0.0 == intIfFinite(p) }?.1 ?? 0)) })])
            },
            F.row("series_fft", 1...2, .dynamic) { a, _ in
                guard let re = dense(a[0]), re.count <= 16_384 else { return .null }
                let im = a.count > 1 ? (dense(a[1]) ?? []) : []
                let (r, i) = dft(re, (0..<re.count).map { $0 < im.count ? im[$0] : 0 }, inverse: false)
                return .bag(["real": reals(r), "imag": reals(i)])
            },
            F.row("series_ifft", 1...2, .dynamic) { a, _ in
                guard let re = dense(a[0]), re.count <= 16_384 else { return .null }
                let im = a.count > 1 ? (dense(a[1]) ?? []) : []
                let (r, i) = dft(re, (0..<re.count).map { $0 < im.count ? im[$0] : 0 }, inverse: true)
                return .bag(["real": reals(r), "imag": reals(i)])
            },
            F.row("series_fir", 2...4, .dynamic) { a, _ in
                guard let x = dense(a[0]), let f = dense(a[1]), !f.isEmpty else { return .null }
                let sum = f.reduce(0, +)
                let normalize = a.count > 2 ? (a[2].asBool ?? (sum != 0)) : (sum != 0)
                let center = a.count > 3 ? (a[3].asBool ?? false) : false
                let shift = center ? (f.count - 1) / 2 : 0
                return reals((0..<x.count).map { i in
                    var s = 0.0
                    for (j, w) in f.enumerated() {
                        let k = i - j + shift
                        if k >= 0 && k < x.count { s += w * x[k] }
                    }
                    return normalize && sum != 0 ? s / sum : s
                })
            },
            F.row("series_iir", 3...3, .dynamic) { a, _ in
                guard let x = dense(a[0]), let b = dense(a[1]), let d = dense(a[2]), let a0 = d.first, a0 != 0 else { return .null }
                var y = [Double](repeating: 0, count: x.count)
                for i in 0..<x.count {
                    var s = 0.0
                    for (j, w) in b.enumerated() where i - j >= 0 { s += w * x[i - j] }
                    for (j, w) in d.enumerated().dropFirst() where i - j >= 0 { s -= w * y[i - j] }
                    y[i] = s / a0
                }
                return reals(y)
            },
            F.row("series_seasonal", 1...2, .dynamic) { a, _ in
                guard let x = dense(a[0]) else { return .null }
                let period = a.count > 1 ? (a[1].int ?? -1) : -1
                let c = SeriesFunctions.components(x, seasonality: period, trend: "none", testPoints: 0, seasonalityThreshold: 0.6)
                // The seasonal component with the series' own level, as Kusto reports it.
                let level = x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count)
                return reals(c.seasonal.map { $0 + level })
            },
        ]
    }
}
