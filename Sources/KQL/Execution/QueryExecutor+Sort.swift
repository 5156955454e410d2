import KQLSyntax

extension QueryExecutor {
    /// Sort (or top-k when `limit` is set). Defaults: descending; nulls last when descending, first when ascending.
    func sortTable(_ input: Table, _ keys: [SortKeySyntax], _ scope: Scope, limit: Int?) throws -> Table {
        let n = input.count
        if n == 0 { return input }
        let cols = try keys.map { k -> (Column, Bool, Bool) in
            let (c, _) = try evaluate(k.expr, on: input, scope)
            return (c, k.descending, k.nullsFirst ?? !k.descending)
        }
        let cmp = RowComparator(keys: cols)
        var idx = Array(0..<n)
        if let limit, limit < n / 4 {
            // Top-k: keep the best `limit` rows in a bounded sorted buffer.
            var best: [Int] = []
            best.reserveCapacity(limit + 1)
            for i in 0..<n {
                if best.count == limit, let last = best.last, !cmp.less(i, last) { continue }
                var lo = 0, hi = best.count
                while lo < hi { let mid = (lo + hi) / 2; if cmp.less(i, best[mid]) { hi = mid } else { lo = mid + 1 } }
                best.insert(i, at: lo)
                if best.count > limit { best.removeLast() }
            }
            return input.gather(best)
        }
        // A stable sort keeps input order among equal keys, which makes results reproducible.
        idx = mergeSort(idx, cmp)
        if let limit { idx = Array(idx.prefix(limit)) }
        return input.gather(idx)
    }

    func mergeSort(_ a: [Int], _ cmp: RowComparator) -> [Int] {
        var src = a, dst = a
        var width = 1
        let n = a.count
        while width < n {
            var i = 0
            while i < n {
                let mid = min(i + width, n), hi = min(i + 2 * width, n)
                var l = i, r = mid, k = i
                while l < mid && r < hi { if cmp.less(src[r], src[l]) { dst[k] = src[r]; r += 1 } else { dst[k] = src[l]; l += 1 }; k += 1 }
                while l < mid { dst[k] = src[l]; l += 1; k += 1 }
                while r < hi { dst[k] = src[r]; r += 1; k += 1 }
                i += 2 * width
            }
            swap(&src, &dst)
            width *= 2
        }
        return src
    }
}

/// Compares rows by typed sort keys without boxing for int, real and string columns.
struct RowComparator {
    enum Key {
        case ints([Int64], [Bool]?, Bool, Bool)
        case doubles([Double], [Bool]?, Bool, Bool)
        case strings([String], Bool)
        case values(Column, Bool, Bool)
    }
    let keys: [Key]

    init(keys: [(Column, Bool, Bool)]) {
        self.keys = keys.map { c, desc, nullsFirst in
            switch c.data {
            case .int64(let a): return .ints(a, c.nulls, desc, nullsFirst)
            case .double(let a): return .doubles(a, c.nulls, desc, nullsFirst)
            case .string(let a) where c.type == .string: return .strings(a, desc)
            case .dict(let codes, let values) where c.type == .string && codes.count * 2 < values.count:
                // Fewer rows than dictionary entries: compare the rows' strings, not a ranked dictionary.
                return .strings(codes.map { values[Int($0)] }, desc)
            case .dict(let codes, let values) where c.type == .string:
                // Sort the dictionary once; rows then compare by integer rank.
                let order = values.indices.sorted { values[$0] < values[$1] }
                var rank = [Int64](repeating: 0, count: values.count)
                for (r, i) in order.enumerated() { rank[i] = Int64(r) }
                return .ints(codes.map { rank[Int($0)] }, nil, desc, nullsFirst)
            default: return .values(c, desc, nullsFirst)
            }
        }
    }

    /// The decision for one typed key, or nil when the rows tie on it.
    @inline(__always) static func order<T: Comparable>(_ a: [T], _ nulls: [Bool]?, _ desc: Bool, _ nullsFirst: Bool, _ x: Int, _ y: Int) -> Bool? {
        if let nulls, nulls[x] || nulls[y] {
            return nulls[x] && nulls[y] ? nil : nulls[x] == nullsFirst
        }
        if a[x] == a[y] { return nil }
        return desc ? a[x] > a[y] : a[x] < a[y]
    }

    @inline(__always) func less(_ x: Int, _ y: Int) -> Bool {
        for k in keys {
            let c: Int
            switch k {
            case .ints(let a, let nulls, let desc, let nf):
                if let r = RowComparator.order(a, nulls, desc, nf, x, y) { return r }
            case .doubles(let a, let nulls, let desc, let nf):
                if let r = RowComparator.order(a, nulls, desc, nf, x, y) { return r }
            case .strings(let a, let desc):
                c = a[x] < a[y] ? -1 : (a[x] > a[y] ? 1 : 0)
                if c != 0 { return desc ? c > 0 : c < 0 }
            case .values(let col, let desc, let nf):
                let vx = col.value(at: x), vy = col.value(at: y)
                if vx.isNull || vy.isNull {
                    if vx.isNull && vy.isNull { continue }
                    return vx.isNull == nf
                }
                c = Value.compare(vx, vy)
                if c != 0 { return desc ? c > 0 : c < 0 }
            }
        }
        return false
    }
}
