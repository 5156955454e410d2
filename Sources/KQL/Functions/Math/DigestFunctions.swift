/// Scalar functions over the intermediate results of `hll()` and `tdigest()`. Vigil's hll value is
/// the set of distinct values (so `dcount_hll` is exact) and its tdigest the sorted values with their
/// counts, `[[value, count], ...]` (so percentiles are exact nearest-rank ones, as `percentile` gives).
enum DigestFunctions {
    /// Values and counts of a digest, sorted.
    static func entries(_ v: Value) -> [(Value, Int64)]? {
        guard let a = v.asArray else { return nil }
        return a.compactMap { e in
            guard let p = e.asArray, p.count == 2, let c = p[1].asInt64 else { return nil }
            return (p[0], c)
        }
    }

    static func digest(_ counts: [Value: Int64]) -> Value {
        .array(counts.sorted { Value.compare($0.key, $1.key) < 0 }.map { .array([$0.key, .long($0.value)]) })
    }

    static func merge(_ digests: [Value]) -> Value {
        var counts: [Value: Int64] = [:]
        for d in digests { for (v, c) in entries(d) ?? [] { counts[v, default: 0] += c } }
        return digest(counts)
    }

    static func percentile(_ e: [(Value, Int64)], _ p: Double) -> Value {
        let total = e.reduce(0) { $0 + $1.1 }
        guard total > 0, p.isFinite else { return .null }
        let rank = max(1, Int64((min(100, max(0, p)) / 100 * Double(total)).rounded(.up)))
        var seen: Int64 = 0
        for (v, c) in e { seen += c; if seen >= rank { return v } }
        return e.last?.0 ?? .null
    }

    static var all: [FunctionDef] {
        [
            F.row("dcount_hll", 1...1, .long) { a, _ in .long(Int64(Set(a[0].asArray ?? []).count)) },
            F.row("hll_merge", 2...65_535, .dynamic) { a, _ in
                var seen = Set<Value>(), out: [Value] = []
                for h in a { for v in h.asArray ?? [] where seen.insert(v).inserted { out.append(v) } }
                return .array(out)
            },
            F.row("tdigest_merge", 2...65_535, .dynamic) { a, _ in merge(a) },
            F.row("merge_tdigest", 2...65_535, .dynamic) { a, _ in merge(a) },
            FunctionDef("percentile_tdigest", args: 2...3, returns: { _ in .dynamic }, row: { a, _ in
                guard let e = entries(a[0]), let p = a[1].asDouble else { return .null }
                return percentile(e, p)
            }),
            F.row("percentile_array_tdigest", 2...65_535, .dynamic) { a, _ in
                guard let e = entries(a[0]) else { return .null }
                let ps = a.count == 2 ? (a[1].asArray ?? [a[1]]) : Array(a.dropFirst())
                return .array(ps.map { p in p.asDouble.map { percentile(e, $0) } ?? .null })
            },
            F.row("rank_tdigest", 2...2, .long) { a, _ in
                guard let e = entries(a[0]), !a[1].isNull else { return .null }
                return .long(e.filter { Value.compare($0.0, a[1]) <= 0 }.reduce(0) { $0 + $1.1 })
            },
            F.row("percentrank_tdigest", 2...2, .real) { a, _ in
                guard let e = entries(a[0]), !a[1].isNull else { return .null }
                let total = e.reduce(0) { $0 + $1.1 }
                guard total > 0 else { return .null }
                return .real(Double(e.filter { Value.compare($0.0, a[1]) <= 0 }.reduce(0) { $0 + $1.1 }) * 100 / Double(total))
            },
        ]
    }
}
