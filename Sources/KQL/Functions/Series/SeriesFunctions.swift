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

    static func percentile(_ s: [Double], _ p: Double) -> Double {
        guard !s.isEmpty else { return 0 }
        let sorted = s.sorted()
        let r = p / 100 * Double(sorted.count - 1)
        let lo = Int(r.rounded(.down)), hi = min(sorted.count - 1, lo + 1)
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
            F.row("series_decompose_anomalies", 1...5, .dynamic) { a, _ in
                guard let x0 = nums(a[0]) else { return .null }
                let x = x0.map { $0 ?? 0 }
                let threshold = a.count > 1 ? (a[1].asDouble ?? 1.5) : 1.5
                let trend = a.count > 3 ? a[3].kqlString : "avg"
                let baseline: [Double]
                if trend == "linefit" { baseline = fitLine(x).line }
                else if trend == "none" { baseline = [Double](repeating: 0, count: x.count) }
                else { let m = x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count); baseline = [Double](repeating: m, count: x.count) }
                let resid = zip(x, baseline).map { $0 - $1 }
                let q1 = percentile(resid, 10), q3 = percentile(resid, 90)
                let iqr = max(q3 - q1, 1e-9)
                let score = resid.map { r in r > q3 ? (r - q3) / iqr : (r < q1 ? (r - q1) / iqr : 0) }
                let flags = score.map { $0 > threshold ? 1 : ($0 < -threshold ? -1 : 0) }
                return .bag(["ad_flag": .array(flags.map { .long(Int64($0)) }), "ad_score": .array(score.map { .real($0) }),
                             "baseline": .array(baseline.map { .real($0) })])
            },
        ]
    }
}
