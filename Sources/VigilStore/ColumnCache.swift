import KQL

/// Decoded columns kept between queries, bounded by an estimate of their memory; the least recently
/// used go first, but never to make room for the scan that used them last. A query over more extents
/// than the cache holds (a month-wide hunt) reads its columns in the same order every time: plain LRU
/// would evict each column just before the next run needs it and hit nothing; here the columns that
/// fitted stay, and only the rest are decoded again.
struct ColumnCache {
    let budget: Int
    private struct Entry {
        var column: Column
        var size: Int
        /// The latest use (a counter over gets and puts) and the scan it was in.
        var use: Int
        var scan: Int
    }
    private var entries: [String: Entry] = [:]
    /// Uses in order; a record whose use is not its entry's latest is stale and skipped.
    private var order: [(key: String, use: Int)] = []
    private var head = 0
    private var uses = 0
    private var scan = 0
    private(set) var bytes = 0

    init(budgetBytes: Int) { budget = budgetBytes }

    /// A new scan starts: what earlier scans used may make room for it.
    mutating func beginScan() { scan += 1 }

    mutating func get(_ key: String) -> Column? {
        guard let at = entries.index(forKey: key) else { return nil }
        uses += 1
        entries.values[at].use = uses
        entries.values[at].scan = scan
        let column = entries.values[at].column
        order.append((key, uses))
        compactIfStale()
        return column
    }

    /// Keeps `c` unless it is too big, or room could only be made by evicting what this scan used.
    mutating func put(_ key: String, _ c: Column) {
        let size = Self.estimate(c)
        guard size <= budget else { return }
        if let old = entries.removeValue(forKey: key) { bytes -= old.size }
        while bytes + size > budget, head < order.count {
            let (k, use) = order[head]
            guard let e = entries[k], e.use == use else { head += 1; continue }
            if e.scan == scan { break }
            head += 1
            entries[k] = nil
            bytes -= e.size
        }
        guard bytes + size <= budget else { return }
        uses += 1
        entries[key] = Entry(column: c, size: size, use: uses, scan: scan)
        order.append((key, uses))
        bytes += size
        compactIfStale()
    }

    /// Drops the records of uses that were superseded, once they outnumber the live ones.
    private mutating func compactIfStale() {
        guard order.count - head > 2 * entries.count + 4096 else { return }
        order = order[head...].filter { entries[$0.key]?.use == $0.use }
        head = 0
    }

    /// Drops every entry whose key starts with `prefix` (a table's or an extent's).
    mutating func removeAll(prefix: String) {
        for k in entries.keys where k.hasPrefix(prefix) { bytes -= entries.removeValue(forKey: k)!.size }
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
