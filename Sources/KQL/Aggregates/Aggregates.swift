import OrderedCollections

/// The inputs of a grouped aggregation: evaluated arguments and a group id per row.
struct AggInput {
    var args: [Vec]
    var types: [KQLType]
    var groups: [Int32]
    var ngroups: Int
    var n: Int
    /// Rows where the `*if` predicate (the last argument) holds; nil for plain aggregates.
    var mask: [Bool]?

    @inline(__always) func included(_ i: Int) -> Bool { mask?[i] ?? true }
}

/// An aggregation function: result naming, result type and a grouped kernel over whole columns.
struct AggregateDef: Sendable {
    let name: String
    let args: ClosedRange<Int>
    /// Default result column name from the first argument's derived name.
    let prefix: String
    let hasPredicate: Bool
    let resultType: @Sendable ([KQLType]) -> KQLType
    let run: @Sendable (AggInput) throws -> Column
    /// Value for a group with no rows when summarize has no `by` (count → 0, make_set → []).
    let emptyValue: Value
}

enum Aggregates {
    static let table: [String: AggregateDef] = {
        var d: [String: AggregateDef] = [:]
        func add(_ names: [String], _ def: (String) -> AggregateDef) { for n in names { d[n] = def(n) } }
        add(["count"]) { AggregateDef(name: $0, args: 0...1, prefix: "count_", hasPredicate: false, resultType: { _ in .long }, run: count, emptyValue: .long(0)) }
        add(["countif"]) { AggregateDef(name: $0, args: 1...1, prefix: "countif_", hasPredicate: true, resultType: { _ in .long }, run: count, emptyValue: .long(0)) }
        add(["dcount", "count_distinct"]) { AggregateDef(name: $0, args: 1...2, prefix: $0 + "_", hasPredicate: false, resultType: { _ in .long }, run: dcount, emptyValue: .long(0)) }
        add(["dcountif", "count_distinctif"]) { AggregateDef(name: $0, args: 2...3, prefix: $0 + "_", hasPredicate: true, resultType: { _ in .long }, run: dcount, emptyValue: .long(0)) }
        add(["sum"]) { AggregateDef(name: $0, args: 1...1, prefix: "sum_", hasPredicate: false, resultType: sumType, run: sum, emptyValue: .long(0)) }
        add(["sumif"]) { AggregateDef(name: $0, args: 2...2, prefix: "sumif_", hasPredicate: true, resultType: sumType, run: sum, emptyValue: .long(0)) }
        add(["avg"]) { AggregateDef(name: $0, args: 1...1, prefix: "avg_", hasPredicate: false, resultType: { _ in .real }, run: avg, emptyValue: .real(.nan)) }
        add(["avgif"]) { AggregateDef(name: $0, args: 2...2, prefix: "avgif_", hasPredicate: true, resultType: { _ in .real }, run: avg, emptyValue: .real(.nan)) }
        add(["min", "max"]) { n in AggregateDef(name: n, args: 1...1, prefix: n + "_", hasPredicate: false, resultType: { $0[0] }, run: { try minMax($0, isMax: n == "max") }, emptyValue: .null) }
        add(["minif", "maxif"]) { n in AggregateDef(name: n, args: 2...2, prefix: n + "_", hasPredicate: true, resultType: { $0[0] }, run: { try minMax($0, isMax: n == "maxif") }, emptyValue: .null) }
        add(["make_set", "makeset"]) { AggregateDef(name: $0, args: 1...2, prefix: "set_", hasPredicate: false, resultType: { _ in .dynamic }, run: { collect($0, distinct: true) }, emptyValue: .array([])) }
        add(["make_set_if"]) { AggregateDef(name: $0, args: 2...3, prefix: "set_", hasPredicate: true, resultType: { _ in .dynamic }, run: { collect($0, distinct: true) }, emptyValue: .array([])) }
        add(["make_list", "makelist"]) { AggregateDef(name: $0, args: 1...2, prefix: "list_", hasPredicate: false, resultType: { _ in .dynamic }, run: { collect($0, distinct: false) }, emptyValue: .array([])) }
        add(["make_list_if"]) { AggregateDef(name: $0, args: 2...3, prefix: "list_", hasPredicate: true, resultType: { _ in .dynamic }, run: { collect($0, distinct: false) }, emptyValue: .array([])) }
        add(["make_list_with_nulls"]) { AggregateDef(name: $0, args: 1...2, prefix: "list_", hasPredicate: false, resultType: { _ in .dynamic }, run: { collect($0, distinct: false, keepNulls: true) }, emptyValue: .array([])) }
        add(["binary_all_or", "binary_all_and", "binary_all_xor"]) { n in
            AggregateDef(name: n, args: 1...1, prefix: n + "_", hasPredicate: false, resultType: { _ in .long }, run: { binaryAll($0, n) }, emptyValue: .null)
        }
        add(["buildschema"]) { AggregateDef(name: $0, args: 1...1, prefix: "schema_", hasPredicate: false, resultType: { _ in .dynamic }, run: buildSchema, emptyValue: .null) }
        add(["make_bag", "make_dictionary"]) { AggregateDef(name: $0, args: 1...2, prefix: "bag_", hasPredicate: false, resultType: { _ in .dynamic }, run: bag, emptyValue: .bag([:])) }
        add(["make_bag_if"]) { AggregateDef(name: $0, args: 2...3, prefix: "bag_", hasPredicate: true, resultType: { _ in .dynamic }, run: bag, emptyValue: .bag([:])) }
        add(["take_any", "any"]) { AggregateDef(name: $0, args: 1...1, prefix: "any_", hasPredicate: false, resultType: { $0[0] }, run: takeAny, emptyValue: .null) }
        add(["take_anyif", "anyif"]) { AggregateDef(name: $0, args: 2...2, prefix: "any_", hasPredicate: true, resultType: { $0[0] }, run: takeAny, emptyValue: .null) }
        add(["stdev", "variance", "stdevp", "variancep"]) { n in
            AggregateDef(name: n, args: 1...1, prefix: n + "_", hasPredicate: false, resultType: { _ in .real }, run: { variance($0, sqrt: n.hasPrefix("stdev"), population: n.hasSuffix("p")) }, emptyValue: .real(0))
        }
        add(["stdevif", "varianceif"]) { n in
            AggregateDef(name: n, args: 2...2, prefix: n + "_", hasPredicate: true, resultType: { _ in .real }, run: { variance($0, sqrt: n == "stdevif", population: false) }, emptyValue: .real(0))
        }
        add(["percentile"]) { AggregateDef(name: $0, args: 2...2, prefix: "percentile_", hasPredicate: false, resultType: { $0[0] == .int ? .long : $0[0] }, run: { try percentile($0) }, emptyValue: .null) }
        add(["hll"]) { AggregateDef(name: $0, args: 1...2, prefix: $0 + "_", hasPredicate: false, resultType: { _ in .dynamic }, run: { collect($0, distinct: true, flatten: false) }, emptyValue: .null) }
        add(["hll_if"]) { AggregateDef(name: $0, args: 2...3, prefix: $0 + "_", hasPredicate: true, resultType: { _ in .dynamic }, run: { collect($0, distinct: true, flatten: false) }, emptyValue: .null) }
        add(["hll_merge"]) { AggregateDef(name: $0, args: 1...1, prefix: $0 + "_", hasPredicate: false, resultType: { _ in .dynamic }, run: hllMerge, emptyValue: .array([])) }
        add(["tdigest"]) { AggregateDef(name: $0, args: 1...2, prefix: $0 + "_", hasPredicate: false, resultType: { _ in .dynamic }, run: tdigest, emptyValue: .null) }
        add(["tdigest_merge", "merge_tdigest"]) { AggregateDef(name: $0, args: 1...1, prefix: $0 + "_", hasPredicate: false, resultType: { _ in .dynamic }, run: tdigestMerge, emptyValue: .array([])) }
        return d
    }()

    /// Names handled by the summarize executor itself because they produce several columns.
    static let multiColumn: Set<String> = Set(["arg_max", "arg_min"]).union(percentileFamily)
    /// Percentiles computed by the summarize executor (their percentages are constants, not columns).
    static let percentileFamily: Set<String> = ["percentiles", "percentiles_array", "percentilew", "percentilesw", "percentilesw_array"]

    static func lookup(_ name: String) -> AggregateDef? { table[name] }
    static func isAggregate(_ name: String) -> Bool { table[name] != nil || multiColumn.contains(name) }

    static func sumType(_ t: [KQLType]) -> KQLType {
        switch t[0] { case .int, .long, .bool: return .long; case .timespan: return .timespan; case .decimal: return .decimal; default: return .real }
    }

    /// The union of a group's hll values.
    static func hllMerge(_ a: AggInput) -> Column {
        var sets = [Set<Value>](repeating: [], count: a.ngroups), lists = [[Value]](repeating: [], count: a.ngroups)
        for i in 0..<a.n where a.included(i) {
            let g = Int(a.groups[i])
            for v in a.args[0].value(at: i).asArray ?? [] where sets[g].insert(v).inserted { lists[g].append(v) }
        }
        return Column(type: .dynamic, data: .value(lists.map { .array($0) }))
    }

    /// A group's values with their counts, sorted: `[[value, count], ...]`.
    static func tdigest(_ a: AggInput) -> Column {
        var counts = [[Value: Int64]](repeating: [:], count: a.ngroups)
        for i in 0..<a.n where a.included(i) {
            let v = a.args[0].value(at: i)
            if !v.isNull { counts[Int(a.groups[i])][v, default: 0] += 1 }
        }
        return Column(type: .dynamic, data: .value(counts.map { DigestFunctions.digest($0) }))
    }

    static func tdigestMerge(_ a: AggInput) -> Column {
        var parts = [[Value]](repeating: [], count: a.ngroups)
        for i in 0..<a.n where a.included(i) { parts[Int(a.groups[i])].append(a.args[0].value(at: i)) }
        return Column(type: .dynamic, data: .value(parts.map { DigestFunctions.merge($0) }))
    }

    /// Bitwise OR / AND / XOR of a group's non-null integers.
    static func binaryAll(_ a: AggInput, _ name: String) -> Column {
        var acc = [Int64?](repeating: nil, count: a.ngroups)
        for i in 0..<a.n where a.included(i) {
            guard let v = a.args[0].value(at: i).asInt64 else { continue }
            let g = Int(a.groups[i])
            if let cur = acc[g] {
                acc[g] = name == "binary_all_or" ? cur | v : name == "binary_all_and" ? cur & v : cur ^ v
            } else { acc[g] = v }
        }
        return Column.from(values: acc.map { $0.map { .long($0) } ?? .null }, type: .long)
    }

    static func count(_ a: AggInput) -> Column {
        var c = [Int64](repeating: 0, count: a.ngroups)
        a.groups.withUnsafeBufferPointer { g in
            if let m = a.mask { for i in 0..<a.n where m[i] { c[Int(g[i])] += 1 } }
            else { for i in 0..<a.n { c[Int(g[i])] += 1 } }
        }
        return Column(type: .long, data: .int64(c))
    }

    static func sum(_ a: AggInput) -> Column {
        let rt = sumType(a.types)
        if rt == .long || rt == .timespan {
            var s = [Int64](repeating: 0, count: a.ngroups)
            switch a.args[0] {
            case .column(let col):
                if case .int64(let xs) = col.data {
                    for i in 0..<a.n where a.included(i) && !col.isNull(i) { s[Int(a.groups[i])] &+= xs[i] }
                } else {
                    for i in 0..<a.n where a.included(i) { s[Int(a.groups[i])] &+= col.value(at: i).asInt64 ?? 0 }
                }
            case .scalar(let v):
                let x = v.asInt64 ?? 0
                for i in 0..<a.n where a.included(i) { s[Int(a.groups[i])] &+= x }
            }
            return Column(type: rt, data: .int64(s))
        }
        var s = [Double](repeating: 0, count: a.ngroups)
        for i in 0..<a.n where a.included(i) { if let x = a.args[0].value(at: i).asDouble { s[Int(a.groups[i])] += x } }
        return Column(type: rt, data: .double(s))
    }

    static func avg(_ a: AggInput) -> Column {
        var s = [Double](repeating: 0, count: a.ngroups), c = [Int](repeating: 0, count: a.ngroups)
        for i in 0..<a.n where a.included(i) {
            if let x = a.args[0].value(at: i).asDouble { s[Int(a.groups[i])] += x; c[Int(a.groups[i])] += 1 }
        }
        return Column(type: .real, data: .double((0..<a.ngroups).map { c[$0] == 0 ? 0 : s[$0] / Double(c[$0]) }), nulls: c.map { $0 == 0 })
    }

    static func minMax(_ a: AggInput, isMax: Bool) throws -> Column {
        let t = a.types[0]
        if case .column(let col) = a.args[0], case .int64(let xs) = col.data {
            var best = [Int64](repeating: isMax ? .min : .max, count: a.ngroups), seen = [Bool](repeating: false, count: a.ngroups)
            for i in 0..<a.n where a.included(i) && !col.isNull(i) {
                let g = Int(a.groups[i])
                if !seen[g] || (isMax ? xs[i] > best[g] : xs[i] < best[g]) { best[g] = xs[i]; seen[g] = true }
            }
            return Column(type: t, data: .int64(best), nulls: seen.map { !$0 })
        }
        var best = [Value](repeating: .null, count: a.ngroups)
        for i in 0..<a.n where a.included(i) {
            let v = a.args[0].value(at: i)
            if v.isNull { continue }
            if case .string(let s) = v, s.isEmpty, t == .string { continue }
            let g = Int(a.groups[i])
            if best[g].isNull || (isMax ? Value.compare(v, best[g]) > 0 : Value.compare(v, best[g]) < 0) { best[g] = v }
        }
        return Column.from(values: best, type: t)
    }

    /// Distinct count, exact (Kusto's is an HLL estimate within ~1%; exact is within that error).
    static func dcount(_ a: AggInput) -> Column {
        let codes = dictionaryCodes(a.args[0], a.n)
        let distinct = Int(codes.max() ?? -1) + 1
        // Dense (group, value) space: one bitmap is cheaper than hashing every pair.
        if a.ngroups * distinct <= 1 << 28 { return Column(type: .long, data: .int64(dcountGroups(a, codes, distinct: distinct, groups: 0..<a.ngroups))) }
        // Too big for one bitmap (20k users by 31k addresses): a few passes over the rows, each with a
        // cache-sized bitmap for one range of groups, on both cores; a hash of 100M pairs misses the
        // cache on nearly every insert.
        let groupsPerPass = (1 << 27) / distinct
        let passes = groupsPerPass > 0 ? (a.ngroups + groupsPerPass - 1) / groupsPerPass : .max
        if passes <= 16 {
            let parts = Parallel.map(passes, work: a.n * passes) { p in
                dcountGroups(a, codes, distinct: distinct, groups: (p * groupsPerPass)..<min(a.ngroups, (p + 1) * groupsPerPass))
            }
            return Column(type: .long, data: .int64(parts.flatMap { $0 }))
        }
        var c = [Int64](repeating: 0, count: a.ngroups)
        var pairs = U64Map(capacity: min(a.n, 1 << 22))
        for i in 0..<a.n where a.included(i) && codes[i] >= 0 {
            if pairs.insert(UInt64(UInt32(a.groups[i])) << 32 | UInt64(UInt32(codes[i]))) { c[Int(a.groups[i])] += 1 }
        }
        return Column(type: .long, data: .int64(c))
    }

    /// Distinct counts of the groups in `range`, over every row, with a (group, value) bitmap.
    static func dcountGroups(_ a: AggInput, _ codes: [Int32], distinct: Int, groups range: Range<Int>) -> [Int64] {
        var c = [Int64](repeating: 0, count: range.count)
        var seen = [UInt64](repeating: 0, count: (range.count * distinct + 63) / 64)
        let lo = Int32(range.lowerBound), width = UInt32(range.count)
        seen.withUnsafeMutableBufferPointer { bits in
            a.groups.withUnsafeBufferPointer { groups in
                codes.withUnsafeBufferPointer { codes in
                    for i in 0..<a.n {
                        let g = UInt32(bitPattern: groups[i] &- lo)
                        guard g < width, codes[i] >= 0, a.included(i) else { continue }
                        let bit = Int(g) * distinct + Int(codes[i])
                        let w = bit >> 6, m = UInt64(1) << UInt64(bit & 63)
                        if bits[w] & m == 0 { bits[w] |= m; c[Int(g)] += 1 }
                    }
                }
            }
        }
        return c
    }

    /// Dense codes for a vector's values; -1 for null (and empty strings, which dcount skips like nulls).
    static func dictionaryCodes(_ v: Vec, _ n: Int) -> [Int32] {
        guard case .column(let c) = v else { return [Int32](repeating: 0, count: n) }
        var (codes, _) = Grouping.codes(c)
        if c.type == .string, let empty = c.perString({ $0.isEmpty }) {
            for i in 0..<n where empty[i] { codes[i] = -1 }
        } else {
            for i in 0..<n where c.isNull(i) { codes[i] = -1 }
        }
        return codes
    }

    /// make_list / make_set: an array value contributes its elements (the reference pages' make_set
    /// of an array column, and make_list over `geo_h3cell_rings`, give flat lists).
    static func collect(_ a: AggInput, distinct: Bool, keepNulls: Bool = false, flatten: Bool = true) -> Column {
        let limit = a.args.count > 1 && !a.args[1].isScalar ? Int.max : (a.args.count > 1 ? (a.args[1].value(at: 0).int ?? 1_048_576) : 1_048_576)
        var lists = [[Value]](repeating: [], count: a.ngroups)
        var seen = [Set<Value>](repeating: [], count: distinct ? a.ngroups : 0)
        func add(_ v: Value, _ g: Int) {
            if lists[g].count >= limit { return }
            if distinct {
                if seen[g].insert(v).inserted { lists[g].append(v) }
            } else {
                lists[g].append(v)
            }
        }
        for i in 0..<a.n where a.included(i) {
            let g = Int(a.groups[i])
            let v = a.args[0].value(at: i)
            if v.isNull && !keepNulls { continue }
            if flatten, case .array(let xs) = v {
                for x in xs { add(x, g) }
            } else {
                add(v, g)
            }
        }
        return Column(type: .dynamic, data: .value(lists.map { .array($0) }))
    }

    static func bag(_ a: AggInput) -> Column {
        var bags = [OrderedDictionary<String, Value>](repeating: [:], count: a.ngroups)
        for i in 0..<a.n where a.included(i) {
            guard let b = a.args[0].value(at: i).asBag else { continue }
            let g = Int(a.groups[i])
            for (k, v) in b where bags[g][k] == nil { bags[g][k] = v }
        }
        return Column(type: .dynamic, data: .value(bags.map { .bag($0) }))
    }

    static func takeAny(_ a: AggInput) -> Column {
        var rows = [Int](repeating: -1, count: a.ngroups)
        for i in 0..<a.n where a.included(i) && rows[Int(a.groups[i])] < 0 { rows[Int(a.groups[i])] = i }
        return a.args[0].materialize(type: a.types[0], count: a.n).gather(rows)
    }

    static func variance(_ a: AggInput, sqrt: Bool, population: Bool) -> Column {
        var s = [Double](repeating: 0, count: a.ngroups), s2 = s, c = s
        for i in 0..<a.n where a.included(i) {
            guard let x = a.args[0].value(at: i).asDouble else { continue }
            let g = Int(a.groups[i])
            s[g] += x; s2[g] += x * x; c[g] += 1
        }
        let out = (0..<a.ngroups).map { g -> Double in
            let d = population ? c[g] : c[g] - 1
            guard d > 0 else { return 0 }
            let v = max(0, (s2[g] - s[g] * s[g] / c[g]) / d)
            return sqrt ? v.squareRoot() : v
        }
        return Column(type: .real, data: .double(out))
    }

    static func percentile(_ a: AggInput) throws -> Column {
        let p = a.args[1].value(at: 0).asDouble ?? 50
        let vals = nearestRank(a, [p])
        return Column.from(values: vals.map { $0[0] }, type: a.types[0] == .int ? .long : a.types[0])
    }

    /// Nearest-rank percentiles per group, as Kusto computes them; `weighted`: the second argument
    /// counts each row's value that many times (a row of weight 0, negative or null counts none).
    static func nearestRank(_ a: AggInput, _ ps: [Double], weighted: Bool = false) -> [[Value]] {
        var groups = [[(Value, Int64)]](repeating: [], count: a.ngroups)
        for i in 0..<a.n where a.included(i) {
            let v = a.args[0].value(at: i)
            let w = weighted ? (a.args[1].value(at: i).asInt64 ?? 0) : 1
            if !v.isNull && w > 0 { groups[Int(a.groups[i])].append((v, w)) }
        }
        return groups.map { g in
            let s = g.sorted { $0.0 < $1.0 }
            let total = s.reduce(Int64(0)) { $0 + $1.1 }
            return ps.map { p in
                guard total > 0 else { return .null }
                let rank = max(1, intIfFinite((min(100, max(0, p)) / 100 * Double(total)).rounded(.up)) ?? 1)
                var seen: Int64 = 0
                for (v, w) in s {
                    seen += w
                    if seen >= Int64(rank) { return v }
                }
                return s[s.count - 1].0
            }
        }
    }
}
