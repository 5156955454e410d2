/// Assigns each row a dense group id from its key columns: each key is dictionary-encoded, then the
/// per-key codes are combined pairwise, so grouping never boxes values for typed columns.
enum Grouping {
    struct Result {
        var groups: [Int32]
        var count: Int
        /// The first row of each group, to gather the key values.
        var firstRow: [Int]
    }

    static func codes(_ c: Column) -> ([Int32], Int) {
        let n = c.count
        var codes = [Int32](repeating: 0, count: n)
        switch c.data {
        case .string(let s):
            var d = [String: Int32](minimumCapacity: 1024)
            s.withUnsafeBufferPointer { p in
                for i in 0..<n {
                    if let k = d[p[i]] { codes[i] = k } else { let k = Int32(d.count); d[p[i]] = k; codes[i] = k }
                }
            }
            if let nulls = c.nulls {
                let nullCode = Int32(d.count)
                for i in 0..<n where nulls[i] { codes[i] = nullCode }
                return (codes, d.count + 1)
            }
            return (codes, d.count)
        case .dict(let dc, let values):
            // Renumber dictionary codes densely in order of first appearance (unused entries get no group).
            var remap = [Int32](repeating: -1, count: values.count)
            var next: Int32 = 0
            for i in 0..<n {
                let k = Int(dc[i])
                if remap[k] < 0 { remap[k] = next; next += 1 }
                codes[i] = remap[k]
            }
            if let nulls = c.nulls {
                for i in 0..<n where nulls[i] { codes[i] = next }
                return (codes, Int(next) + 1)
            }
            return (codes, Int(next))
        case .int64(let xs):
            var d = U64Map()
            let nullMask = c.nulls
            xs.withUnsafeBufferPointer { p in
                if let nullMask {
                    for i in 0..<n where !nullMask[i] { codes[i] = d.id(UInt64(bitPattern: p[i])) }
                } else {
                    for i in 0..<n { codes[i] = d.id(UInt64(bitPattern: p[i])) }
                }
            }
            // Nulls form their own group, after every value's code.
            if let nulls = c.nulls {
                let nullCode = Int32(d.count)
                for i in 0..<n where nulls[i] { codes[i] = nullCode }
                return (codes, d.count + 1)
            }
            return (codes, d.count)
        default:
            var d = [Value: Int32]()
            for i in 0..<n {
                let v = c.value(at: i)
                if let k = d[v] { codes[i] = k } else { let k = Int32(d.count); d[v] = k; codes[i] = k }
            }
            return (codes, d.count)
        }
    }

    static func group(_ keys: [Column], count n: Int) -> Result {
        if keys.isEmpty {
            return Result(groups: [Int32](repeating: 0, count: n), count: 1, firstRow: [n > 0 ? 0 : -1])
        }
        var (acc, card) = codes(keys[0])
        for k in keys.dropFirst() {
            let (c, kc) = codes(k)
            var next = [Int32](repeating: 0, count: n)
            if card * kc <= 1 << 22 {
                // A small product of cardinalities (168 hours by 2,000 computers): a direct table
                // from the pair to its dense id beats hashing every row.
                var ids = [Int32](repeating: -1, count: card * kc)
                var count: Int32 = 0
                for i in 0..<n {
                    let slot = Int(acc[i]) * kc + Int(c[i])
                    var id = ids[slot]
                    if id < 0 { id = count; ids[slot] = id; count += 1 }
                    next[i] = id
                }
                card = Int(count)
            } else {
                var d = U64Map(capacity: min(n, 1 << 16))
                for i in 0..<n { next[i] = d.id(UInt64(UInt32(acc[i])) << 32 | UInt64(UInt32(c[i]))) }
                card = d.count
            }
            acc = next
        }
        var first = [Int](repeating: -1, count: card)
        for i in 0..<n where first[Int(acc[i])] < 0 { first[Int(acc[i])] = i }
        return Result(groups: acc, count: card, firstRow: first)
    }
}
