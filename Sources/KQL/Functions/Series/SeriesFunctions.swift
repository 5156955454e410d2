import Foundation
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
            // The seasonal component is the median of the points in each phase (series_decompose's page).
            // With a linear trend the phases are taken from the detrended series: otherwise the trend would
            // leak into the phases as a ramp and come back as a sawtooth in the residual.
            var source = fit
            if trend.lowercased() == "linefit" {
                let f = fitLine(fit)
                source = fit.enumerated().map { $1 - (f.intercept + f.slope * Double($0)) }
            }
            var phases = [[Double]](repeating: [], count: period)
            for (i, v) in source.enumerated() { phases[i % period].append(v) }
            let phase = phases.map { $0.isEmpty ? 0 : percentile($0, 50) }
            for i in 0..<n { seasonal[i] = phase[i % period] }
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

    /// The seasonal period for series_decompose's autodetection: the best detected period, if its score
    /// reaches `threshold`; else 0.
    static func detectPeriod(_ x: [Double], threshold: Double) -> Int {
        guard let best = periodCandidates(x, minPeriod: 4, maxPeriod: x.count / 2).first, best.score >= threshold else { return 0 }
        return best.period
    }

    /// Periods of a regular series, best first. A period is first seen as a peak of the periodogram
    /// (a frequency carrying at least four times the mean power), then placed exactly at the lag with the
    /// highest autocorrelation among the lags that frequency covers; its score is that autocorrelation,
    /// normalised by the overlap. Autocorrelation alone would find every smooth series periodic at
    /// its shortest lags. Periods have at least 4 points and at most half the series.
    static func periodCandidates(_ x: [Double], minPeriod: Int, maxPeriod: Int) -> [(period: Int, score: Double)] {
        let n = x.count
        let lo = max(4, minPeriod), hi = min(maxPeriod, n / 2)
        guard n >= 8, lo <= hi else { return [] }
        let m = x.reduce(0, +) / Double(n)
        let c = x.map { $0 - m }
        let energy = c.reduce(0) { $0 + $1 * $1 }
        guard energy > 0 else { return [] }
        func acf(_ p: Int) -> Double {
            var s = 0.0
            for i in 0..<(n - p) { s += c[i] * c[i + p] }
            return s / energy * Double(n) / Double(n - p)
        }
        // Power at frequency k (cycles per series); by Parseval the mean over k = 1..n-1 is n·energy/(n-1).
        func power(_ k: Int) -> Double {
            guard k >= 1, k < n else { return 0 }
            var re = 0.0, im = 0.0
            let w = 2 * Double.pi * Double(k) / Double(n)
            for t in 0..<n { re += c[t] * cos(w * Double(t)); im -= c[t] * sin(w * Double(t)) }
            return re * re + im * im
        }
        let meanPower = Double(n) * energy / Double(n - 1)
        let kLo = max(1, n / hi - 1), kHi = min(n / 2, (n + lo - 1) / lo + 1)
        guard kLo <= kHi else { return [] }
        let powers = ((kLo - 1)...(kHi + 1)).map(power)
        var out: [(period: Int, score: Double)] = []
        for k in kLo...kHi {
            let pk = powers[k - kLo + 1]
            guard pk >= 4 * meanPower, pk > powers[k - kLo], pk >= powers[k - kLo + 2] else { continue }
            let pLo = max(lo, Int((Double(n) / Double(k + 1)).rounded(.up)))
            let pHi = min(hi, k > 1 ? Int((Double(n) / Double(k - 1)).rounded(.down)) : hi)
            guard pLo <= pHi else { continue }
            var best = pLo, bestR = -Double.infinity
            for p in pLo...pHi { let r = acf(p); if r > bestR { best = p; bestR = r } }
            if bestR > 0, !out.contains(where: { $0.period == best }) { out.append((best, min(1, bestR))) }
        }
        return out.sorted { $0.score != $1.score ? $0.score > $1.score : $0.period < $1.period }
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
