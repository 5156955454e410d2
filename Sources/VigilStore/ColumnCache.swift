import KQL

/// Decoded columns kept between queries, bounded by an estimate of their memory; the oldest go first.
struct ColumnCache {
    let budget: Int
    private var entries: [String: (Column, Int)] = [:]
    private var order: [String] = []
    private var head = 0
    private(set) var bytes = 0

    init(budgetBytes: Int) { budget = budgetBytes }

    func get(_ key: String) -> Column? { entries[key]?.0 }

    mutating func put(_ key: String, _ c: Column) {
        let size = Self.estimate(c)
        guard size <= budget else { return }
        if let old = entries[key] { bytes -= old.1 } else { order.append(key) }
        entries[key] = (c, size)
        bytes += size
        while bytes > budget, head < order.count {
            let k = order[head]
            head += 1
            if let e = entries.removeValue(forKey: k) { bytes -= e.1 }
        }
        if head > 4096 && head * 2 > order.count { order.removeFirst(head); head = 0 }
    }

    /// Drops every entry whose key starts with `prefix` (a table's or an extent's).
    mutating func removeAll(prefix: String) {
        for k in entries.keys where k.hasPrefix(prefix) { bytes -= entries.removeValue(forKey: k)!.1 }
    }

    static func estimate(_ c: Column) -> Int {
        let n = c.count + (c.nulls == nil ? 0 : c.count)
        switch c.data {
        case .bool: return n
        case .int64, .double: return n + c.count * 7
        case .dict(_, let v): return n + c.count * 3 + v.reduce(0) { $0 + $1.utf8.count + 16 }
        case .string(let a): return n + a.reduce(0) { $0 + $1.utf8.count + 16 }
        case .value: return n + c.count * 64
        }
    }
}
