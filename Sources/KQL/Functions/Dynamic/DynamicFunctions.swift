import Foundation
import OrderedCollections

/// Functions over arrays and property bags.
enum DynamicFunctions {
    static func arr(_ v: Value) -> [Value]? { v.asArray }

    static var all: [FunctionDef] {
        [
            F.row("array_length", 1...1, .long) { a, _ in arr(a[0]).map { .long(Int64($0.count)) } ?? .null },
            // Elements as their string forms (`tostring`), nulls as empty strings.
            F.row("strcat_array", 2...2, .string) { a, _ in
                arr(a[0]).map { .string($0.map { $0.isNull ? "" : $0.kqlString }.joined(separator: a[1].kqlString)) } ?? .string("")
            },
            F.row("array_concat", 1...65_535, .dynamic) { a, _ in .array(a.flatMap { arr($0) ?? [] }) },
            F.row("array_slice", 3...3, .dynamic) { a, _ in
                guard let x = arr(a[0]), var s = a[1].int, var e = a[2].int else { return .null }
                if s < 0 { s += x.count }; if e < 0 { e += x.count }
                s = max(0, s); e = min(x.count - 1, e)
                return s > e ? .array([]) : .array(Array(x[s...e]))
            },
            F.row("array_index_of", 2...5, .long) { a, _ in
                guard let x = arr(a[0]) else { return .null }
                // start (negative: from the end), length (-1: to the end) and occurrence (from 1).
                var start = a.count > 2 ? (a[2].int ?? 0) : 0
                let length = a.count > 3 ? (a[3].int ?? -1) : -1, occurrence = a.count > 4 ? (a[4].int ?? 1) : 1
                guard occurrence >= 0, length >= -1 else { return .null }
                if start < 0 { start = start < -x.count ? 0 : x.count + start }
                guard start < x.count else { return .long(-1) }
                let end = length == -1 || length >= x.count - start ? x.count : start + length
                var seen = 0
                for i in start..<max(start, end) where Comparison.compareValues(x[i], a[1], .eq).asBool == true {
                    seen += 1
                    if seen >= max(1, occurrence) { return .long(Int64(i)) }
                }
                return .long(-1)
            },
            F.row("array_sort_asc", 1...64, .dynamic) { a, _ in sortArrays(a, desc: false) },
            F.row("array_sort_desc", 1...64, .dynamic) { a, _ in sortArrays(a, desc: true) },
            F.row("array_reverse", 1...1, .dynamic) { a, _ in arr(a[0]).map { .array($0.reversed()) } ?? .null },
            F.row("array_sum", 1...1, .real) { a, _ in arr(a[0]).map { .real($0.compactMap(\.asDouble).reduce(0, +)) } ?? .null },
            F.row("array_iff", 3...3, .dynamic) { a, _ in
                guard let c = arr(a[0]) else { return .null }
                let x = arr(a[1]), y = arr(a[2])
                return .array(c.indices.map { i in
                    let t = c[i].asBool ?? (c[i].asDouble.map { $0 != 0 })
                    guard let t else { return .null }
                    let src = t ? x : y
                    return src.map { i < $0.count ? $0[i] : .null } ?? (t ? a[1] : a[2])
                })
            },
            F.row("array_split", 2...2, .dynamic) { a, _ in
                guard let x = arr(a[0]) else { return .null }
                let idx = (arr(a[1]) ?? [a[1]]).compactMap(\.int).sorted()
                var out: [Value] = [], start = 0
                for i in idx where i > start && i < x.count { out.append(.array(Array(x[start..<i]))); start = i }
                out.append(.array(Array(x[min(start, x.count)...])))
                return .array(out)
            },
            F.row("bag_keys", 1...1, .dynamic) { a, _ in a[0].asBag.map { .array($0.keys.map { .string($0) }) } ?? .null },
            F.row("bag_merge", 1...65_535, .dynamic) { a, _ in
                var out = OrderedDictionary<String, Value>()
                for v in a { for (k, x) in v.asBag ?? [:] where out[k] == nil { out[k] = x } }
                return .bag(out)
            },
            packDef("bag_pack"), packDef("pack"), packDef("pack_dictionary"),
            F.row("pack_array", 0...65_535, .dynamic) { a, _ in .array(a) },
            F.row("bag_has_key", 2...2, .bool) { a, _ in
                guard let b = a[0].asBag else { return .bool(false) }
                return .bool(lookupPath(.bag(b), a[1].kqlString) != nil)
            },
            F.row("bag_remove_keys", 2...2, .dynamic) { a, _ in
                guard var b = a[0].asBag else { return .null }
                for k in arr(a[1]) ?? [] { b.removeValue(forKey: k.kqlString) }
                return .bag(b)
            },
            F.row("set_union", 1...65_535, .dynamic) { a, _ in .array(distinct(a.flatMap { arr($0) ?? [] })) },
            F.row("set_intersect", 1...65_535, .dynamic) { a, _ in
                guard let first = arr(a[0]) else { return .null }
                let others = a.dropFirst().map { Set(arr($0) ?? []) }
                return .array(distinct(first.filter { v in others.allSatisfy { $0.contains(v) } }))
            },
            F.row("set_difference", 1...65_535, .dynamic) { a, _ in
                guard let first = arr(a[0]) else { return .null }
                let others = Set(a.dropFirst().flatMap { arr($0) ?? [] })
                return .array(distinct(first.filter { !others.contains($0) }))
            },
            F.row("set_has_element", 2...2, .bool) { a, _ in .bool((arr(a[0]) ?? []).contains { Comparison.compareValues($0, a[1], .eq).asBool == true }) },
            F.row("treepath", 1...1, .dynamic) { a, _ in .array(treePaths(a[0], "$").map { .string($0) }) },
            F.row("zip", 2...16, .dynamic) { a, _ in
                let arrays = a.map { arr($0) ?? [] }
                let n = arrays.map(\.count).max() ?? 0
                return .array((0..<n).map { i in .array(arrays.map { i < $0.count ? $0[i] : .null }) })
            },
            F.row("range", 2...3, .dynamic) { a, _ in
                var out: [Value] = []
                switch (a[0], a[1]) {
                case (.datetime(let s), .datetime(let e)):
                    let st = a.count > 2 ? (a[2].asInt64 ?? Ticks.perDay) : Ticks.perDay
                    guard st > 0 else { return .null }
                    var t = s
                    while t <= e && out.count < 1_048_576 { out.append(.datetime(t)); let (n, o) = t.addingReportingOverflow(st); if o { break }; t = n }
                case (.long(let s), .long(let e)) where a.count < 3 || a[2].kqlType == .long:
                    let st = a.count > 2 ? (a[2].asInt64 ?? 1) : 1
                    guard st != 0 else { return .null }
                    var t = s
                    while (st > 0 ? t <= e : t >= e) && out.count < 1_048_576 { out.append(.long(t)); let (n, o) = t.addingReportingOverflow(st); if o { break }; t = n }
                default:
                    guard let s = a[0].asDouble, let e = a[1].asDouble else { return .null }
                    let st = a.count > 2 ? (a[2].asDouble ?? 1) : 1
                    guard st != 0 else { return .null }
                    var t = s
                    while (st > 0 ? t <= e : t >= e) && out.count < 1_048_576 { out.append(.real(t)); t += st }
                }
                return .array(out)
            },
            F.row("repeat", 2...2, .dynamic) { a, _ in .array(Array(repeating: a[0], count: max(0, min(a[1].int ?? 0, 1_048_576)))) },
            F.row("bag_set_key", 3...3, .dynamic) { a, _ in
                guard var b = a[0].asBag else { return .null }
                b[a[1].kqlString] = a[2]
                return .bag(b)
            },
        ]
    }

    static func packDef(_ name: String) -> FunctionDef {
        F.row(name, 0...128, .dynamic) { a, _ in
            var out = OrderedDictionary<String, Value>()
            var i = 0
            while i + 1 < a.count { out[a[i].kqlString] = a[i + 1]; i += 2 }
            return .bag(out)
        }
    }

    static func distinct(_ v: [Value]) -> [Value] {
        var seen = Set<Value>(), out: [Value] = []
        for x in v where seen.insert(x).inserted { out.append(x) }
        return out
    }

    /// `array_sort_asc(a1 [, a2, ...] [, nulls_last])`: a1 sorted, the other arrays reordered alike (null
    /// where their length differs); several arrays give an array of the sorted arrays.
    static func sortArrays(_ a: [Value], desc: Bool) -> Value {
        var arrays = a
        var nullsLast = true
        if arrays.count > 1, arrays.last?.asArray == nil, let b = arrays.last?.asBool { nullsLast = b; arrays.removeLast() }
        guard let first = arr(arrays[0]) else { return .null }
        if arrays.count == 1 { return .array(sortValues(first, desc: desc, nullsLast: nullsLast)) }
        let nonNull = first.indices.filter { !first[$0].isNull }.sorted { i, j in
            desc ? (first[j] < first[i] || (!(first[i] < first[j]) && i < j)) : (first[i] < first[j] || (!(first[j] < first[i]) && i < j))
        }
        let nulls = first.indices.filter { first[$0].isNull }
        let order = nullsLast ? nonNull + nulls : nulls + nonNull
        return .array(arrays.map { v in
            guard let xs = arr(v), xs.count == first.count else { return .null }
            return .array(order.map { xs[$0] })
        })
    }

    static func sortValues(_ v: [Value], desc: Bool, nullsLast: Bool) -> [Value] {
        let nonNull = v.filter { !$0.isNull }.sorted { desc ? $1 < $0 : $0 < $1 }
        let nulls = v.filter(\.isNull)
        return nullsLast ? nonNull + nulls : nulls + nonNull
    }

    static func treePaths(_ v: Value, _ prefix: String) -> [String] {
        switch v {
        case .bag(let b):
            return b.flatMap { k, x -> [String] in
                let p = prefix + "['" + k + "']"
                return [p] + treePaths(x, p)
            }
        case .array(let a):
            return a.isEmpty ? [] : [prefix + "[0]"] + treePaths(a[0], prefix + "[0]")
        default: return []
        }
    }

    /// Resolves a JSONPath-like key (`a.b`, `['a'].b`, `$.a[0]`) or a plain key.
    static func lookupPath(_ v: Value, _ path: String) -> Value? {
        if let b = v.asBag, let x = b[path] { return x }
        var p = path
        if p.hasPrefix("$") { p.removeFirst() }
        var cur = v
        for comp in p.split(whereSeparator: { $0 == "." || $0 == "[" || $0 == "]" }) where !comp.isEmpty {
            let key = comp.trimmingCharacters(in: ["'", "\""])
            if let i = Int(key), let a = cur.asArray { guard i < a.count else { return nil }; cur = a[i] }
            else if let b = cur.asBag, let x = b[key] { cur = x }
            else { return nil }
        }
        return cur
    }
}
