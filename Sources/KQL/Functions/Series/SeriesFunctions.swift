import OrderedCollections

/// Series functions over dynamic numeric arrays. Multi-output functions return a bag whose values a
/// tuple assignment `(a, b) = series_...(x)` unpacks in order.
enum SeriesFunctions {
    static func nums(_ v: Value) -> [Double?]? { v.asArray?.map { $0.asDouble } }

    static func fitLine(_ y: [Double]) -> (slope: Double, intercept: Double, rsquare: Double, variance: Double, rvariance: Double, line: [Double]) {
        let n = Double(y.count)
        guard y.count > 1 else { return (0, y.first ?? 0, 0, 0, 0, y) }
        let mx = (n - 1) / 2, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0
        for (i, v) in y.enumerated() { sxy += (Double(i) - mx) * (v - my); sxx += (Double(i) - mx) * (Double(i) - mx) }
        let slope = sxx == 0 ? 0 : sxy / sxx
        let icpt = my - slope * mx
        let line = (0..<y.count).map { icpt + slope * Double($0) }
        let variance = y.map { ($0 - my) * ($0 - my) }.reduce(0, +) / (n - 1)
        let rv = zip(y, line).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / (n - 1)
        let r2 = variance == 0 ? 1 : 1 - rv / variance
        return (slope, icpt, r2, variance, rv, line)
    }

    /// `series_decompose`'s model: a seasonal component (the mean of each phase of the period, given or
    /// detected by autocorrelation above `seasonalityThreshold`), a trend on the deseasoned series
    /// (`avg`, `linefit` or `none`), all learned from the points before the last `testPoints` and
    /// extrapolated over them; the residual is what the model does not explain.
    static func decompose(_ x: [Double], seasonality: Int, trend: String, testPoints: Int, seasonalityThreshold: Double)
        -> (baseline: [Double], residual: [Double], trainCount: Int) {
        let c = components(x, seasonality: seasonality, trend: trend, testPoints: testPoints, seasonalityThreshold: seasonalityThreshold)
        return (c.baseline, c.residual, c.trainCount)
    }

    static func components(_ x: [Double], seasonality: Int, trend: String, testPoints: Int, seasonalityThreshold: Double)
        -> (baseline: [Double], seasonal: [Double], trend: [Double], residual: [Double], trainCount: Int) {
        let n = x.count
        let train = max(1, n - max(0, testPoints))
        let fit = Array(x.prefix(train))
        let period = seasonality > 0 ? seasonality : (seasonality < 0 ? detectPeriod(fit, threshold: seasonalityThreshold) : 0)
        var seasonal = [Double](repeating: 0, count: n)
        if period > 1, period < train {
            var sum = [Double](repeating: 0, count: period), count = [Double](repeating: 0, count: period)
            for (i, v) in fit.enumerated() { sum[i % period] += v; count[i % period] += 1 }
            let phase = (0..<period).map { count[$0] > 0 ? sum[$0] / count[$0] : 0 }
            let center = phase.reduce(0, +) / Double(period)
            for i in 0..<n { seasonal[i] = phase[i % period] - center }
        }
        let deseasoned = zip(fit, seasonal).map { $0 - $1 }
        var trendLine = [Double](repeating: 0, count: n)
        switch trend.lowercased() {
        case "none": break
        case "linefit":
            let f = fitLine(deseasoned)
            for i in 0..<n { trendLine[i] = f.intercept + f.slope * Double(i) }
        default:
            let m = deseasoned.isEmpty ? 0 : deseasoned.reduce(0, +) / Double(deseasoned.count)
            trendLine = [Double](repeating: m, count: n)
        }
        let baseline = (0..<n).map { seasonal[$0] + trendLine[$0] }
        return (baseline, seasonal, trendLine, (0..<n).map { x[$0] - baseline[$0] }, min(train, n))
    }

    /// The period (in points) whose autocorrelation is highest, if it reaches `threshold`; else 0.
    static func detectPeriod(_ x: [Double], threshold: Double) -> Int {
        let n = x.count
        guard n >= 8 else { return 0 }
        let m = x.reduce(0, +) / Double(n)
        let c = x.map { $0 - m }
        let energy = c.reduce(0) { $0 + $1 * $1 }
        guard energy > 0 else { return 0 }
        var best = 0, bestR = threshold
        // A period needs at least two full cycles in the history to be seen.
        for p in 2...(n / 2) {
            var s = 0.0
            for i in 0..<(n - p) { s += c[i] * c[i + p] }
            let r = s / energy
            if r > bestR + 1e-12 { best = p; bestR = r }
        }
        return best
    }

    static func percentile(_ s: [Double], _ p: Double) -> Double {
        guard !s.isEmpty else { return 0 }
        let sorted = s.sorted()
        let r = (p.isNaN ? 50 : min(100, max(0, p))) / 100 * Double(sorted.count - 1)
        let lo = intIfFinite(r.rounded(.down)) ?? 0, hi = min(sorted.count - 1, lo + 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (r - Double(lo))
    }

    static func fillLinear(_ x: [Double?]) -> [Double?] {
        var out = x
        var last: Int? = nil
        for i in 0..<x.count where x[i] != nil {
            if let l = last, i - l > 1 {
                for k in (l + 1)..<i { out[k] = x[l]! + (x[i]! - x[l]!) * Double(k - l) / Double(i - l) }
            }
            last = i
        }
        return out
    }

    static var all: [FunctionDef] {
        [
            F.row("series_fill_linear", 1...4, .dynamic) { a, _ in
                guard let x = nums(a[0]) else { return .null }
                return .array(fillLinear(x).map { $0.map { .real($0) } ?? .null })
            },
            F.row("series_fill_const", 2...3, .dynamic) { a, _ in
                guard let x = a[0].asArray else { return .null }
                return .array(x.map { $0.isNull ? a[1] : $0 })
            },
            F.row("series_fit_line", 1...1, .dynamic) { a, _ in
                guard let x = nums(a[0]) else { return .null }
                let f = fitLine(x.map { $0 ?? 0 })
                return .bag(["rsquare": .real(f.rsquare), "slope": .real(f.slope), "variance": .real(f.variance),
                             "rvariance": .real(f.rvariance), "interception": .real(f.intercept), "line_fit": .array(f.line.map { .real($0) })])
            },
            F.row("series_stats", 1...2, .dynamic) { a, _ in
                guard let x0 = nums(a[0]) else { return .null }
                let x = x0.compactMap { $0 }
                guard !x.isEmpty else { return .bag([:]) }
                let mn = x.min()!, mx = x.max()!
                let avg = x.reduce(0, +) / Double(x.count)
                let v = x.count > 1 ? x.map { ($0 - avg) * ($0 - avg) }.reduce(0, +) / Double(x.count - 1) : 0
                return .bag(["min": .real(mn), "min_idx": .long(Int64(x.firstIndex(of: mn)!)), "max": .real(mx), "max_idx": .long(Int64(x.firstIndex(of: mx)!)),
                             "avg": .real(avg), "stdev": .real(v.squareRoot()), "variance": .real(v)])
            },
            F.row("series_decompose_anomalies", 1...7, .dynamic) { a, _ in
                guard let x0 = nums(a[0]) else { return .null }
                let x = x0.map { $0 ?? 0 }
                func arg(_ i: Int) -> Value? { a.count > i && !a[i].isNull ? a[i] : nil }
                let d = decompose(x, seasonality: arg(2)?.int ?? -1, trend: arg(3)?.kqlString ?? "avg", testPoints: arg(4)?.int ?? 0,
                                  seasonalityThreshold: arg(6)?.asDouble ?? 0.6)
                let threshold = arg(1)?.asDouble ?? 1.5
                let wide = arg(5)?.kqlString.lowercased() != "tukey"
                // Fences come from the residuals of the points the model learned from, not the test points.
                let train = Array(d.residual.prefix(d.trainCount))
                let q1 = percentile(train, wide ? 10 : 25), q3 = percentile(train, wide ? 90 : 75)
                let iqr = max(q3 - q1, 1e-9)
                let score = d.residual.map { r in r > q3 ? (r - q3) / iqr : (r < q1 ? (r - q1) / iqr : 0) }
                let flags = score.map { $0 > threshold ? 1 : ($0 < -threshold ? -1 : 0) }
                return .bag(["ad_flag": .array(flags.map { .long(Int64($0)) }), "ad_score": .array(score.map { .real($0) }),
                             "baseline": .array(d.baseline.map { .real($0) })])
            },
        ]
    }
}
