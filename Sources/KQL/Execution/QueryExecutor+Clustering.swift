import Foundation
import KQLSyntax

/// `autocluster` and `diffpatterns`: patterns of discrete values (a value per dimension, or any
/// value, shown as `*` in string columns and null otherwise), mined exactly over every subset of up
/// to 12 dimensions, then summarized: autocluster greedily picks patterns covering most of the rows,
/// preferring specific ones; diffpatterns keeps those whose share differs most between two splits.
extension QueryExecutor {
    struct Pattern: Hashable { var values: [Value?] }

    func dimensions(_ input: Table, excluding: Set<String> = [], _ span: Span) throws -> [Int] {
        var dims = input.schema.columns.indices.filter { input.schema.columns[$0].type != .dynamic && !excluding.contains(input.schema.columns[$0].name) }
        if dims.count > 12 {
            // A Sentinel table has ~200 columns, most of them empty for one source: a column with a
            // single value everywhere, or a different value in every row, forms no pattern.
            dims = dims.filter { i in
                let c = input.columns[i]
                var seen = Set<Value>()
                for r in 0..<input.count { seen.insert(c.value(at: r)); if seen.count > 1 && seen.count < r + 1 { return true } }
                return false
            }
        }
        guard dims.count <= 12 else { throw KQLError.runtime("\(dims.count) columns to analyse; project at most 12 first", span) }
        return dims
    }

    /// Every pattern's rows counted, per split (a single split when `split` is nil).
    func patternCounts(_ input: Table, _ dims: [Int], _ rows: [Int], weight: [Double]?) -> [Pattern: Double] {
        var counts: [Pattern: Double] = [:]
        for r in rows {
            let values = dims.map { input.columns[$0].value(at: r) }
            let w = weight?[r] ?? 1
            for subset in 1..<(1 << dims.count) {
                var key = [Value?](repeating: nil, count: dims.count)
                for d in 0..<dims.count where subset & (1 << d) != 0 { key[d] = values[d] }
                counts[Pattern(values: key), default: 0] += w
            }
        }
        return counts
    }

    func wildcardRow(_ p: Pattern, _ input: Table, _ dims: [Int], wildcard: String) -> [Value] {
        p.values.enumerated().map { i, v in v ?? (input.schema.columns[dims[i]].type == .string ? .string(wildcard) : .null) }
    }

    func matches(_ p: Pattern, _ input: Table, _ dims: [Int], _ r: Int) -> Bool {
        for (i, v) in p.values.enumerated() { if let v, input.columns[dims[i]].value(at: r) != v { return false } }
        return true
    }

    /// `autocluster([SizeWeight, WeightColumn, NumSeeds, CustomWildcard])`.
    func autocluster(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        let sizeWeight = try args.first.map { try constant($0.value, scope).asDouble ?? 0.5 } ?? 0.5
        var weightCol: String?
        if args.count > 1, case .name(let n, _) = args[1].value { weightCol = n }
        let wildcard = args.count > 3 ? try constant(args[3].value, scope).kqlString : "*"
        let dims = try dimensions(input, excluding: weightCol.map { [$0] } ?? [], span)
        let weights = weightCol.flatMap { input.column(named: $0) }.map { c in (0..<input.count).map { c.value(at: $0).asDouble ?? 0 } }
        let total = weights.map { $0.reduce(0, +) } ?? Double(input.count)
        let counts = patternCounts(input, dims, Array(0..<input.count), weight: weights)
        // Candidates with at least 5% of the rows, most specific first on ties.
        let candidates = counts.filter { $0.value >= max(1, total * 0.05) }.sorted { a, b in
            a.value != b.value ? a.value > b.value : a.key.values.compactMap { $0 }.count > b.key.values.compactMap { $0 }.count
        }
        var covered = [Bool](repeating: false, count: input.count)
        var picked: [(Pattern, Double)] = []
        while picked.count < 10 {
            var best: (Pattern, Double, Double)?
            for (p, c) in candidates.prefix(2_000) where !picked.contains(where: { $0.0 == p }) {
                var fresh = 0.0
                for r in 0..<input.count where !covered[r] && matches(p, input, dims, r) { fresh += weights?[r] ?? 1 }
                let size = Double(p.values.compactMap { $0 }.count)
                let score = fresh * pow(size / Double(max(1, dims.count)), sizeWeight)
                if fresh > 0, score > (best?.2 ?? 0) { best = (p, c, score) }
            }
            guard let b = best else { break }
            picked.append((b.0, b.1))
            for r in 0..<input.count where matches(b.0, input, dims, r) { covered[r] = true }
            if Double(covered.filter { $0 }.count) >= Double(input.count) * 0.95 { break }
        }
        let schema = [ColumnSchema("SegmentId", .long), ColumnSchema("Count", .long), ColumnSchema("Percent", .real)] + dims.map { input.schema.columns[$0] }
        let rows: [[Value]] = picked.enumerated().map { i, e in
            [.long(Int64(i)), .long(Int64(intIfFinite(e.1.rounded()) ?? 0)), .real(total > 0 ? e.1 * 100 / total : 0)] + wildcardRow(e.0, input, dims, wildcard: wildcard)
        }
        return Table.from(schema: Schema(schema), rows: rows)
    }

    /// `diffpatterns(SplitColumn, SplitValueA, SplitValueB [, WeightColumn, Threshold, MaxDimensions, CustomWildcard])`.
    func diffpatterns(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        guard args.count >= 3, case .name(let splitName, _) = args[0].value, let split = input.column(named: splitName) else {
            throw KQLError.bind(DiagnosticCode.wrongArguments, "diffpatterns(SplitColumn, SplitValueA, SplitValueB [, WeightColumn, Threshold, MaxDimensions, CustomWildcard])", span)
        }
        let a = try constant(args[1].value, scope).kqlString, b = try constant(args[2].value, scope).kqlString
        var weightCol: String?
        if args.count > 3, case .name(let n, _) = args[3].value, n != "~" { weightCol = n }
        let threshold = args.count > 4 ? (try constant(args[4].value, scope).asDouble ?? 0.05) : 0.05
        let maxDims = args.count > 5 ? (try constant(args[5].value, scope).int ?? 12) : 12
        let wildcard = args.count > 6 ? try constant(args[6].value, scope).kqlString : "*"
        let dims = try dimensions(input, excluding: Set([splitName] + (weightCol.map { [$0] } ?? [])), span)
        let weights = weightCol.flatMap { input.column(named: $0) }.map { c in (0..<input.count).map { c.value(at: $0).asDouble ?? 0 } }
        let rowsA = (0..<input.count).filter { split.value(at: $0).kqlString == a }, rowsB = (0..<input.count).filter { split.value(at: $0).kqlString == b }
        let totalA = weights.map { w in rowsA.reduce(0) { $0 + w[$1] } } ?? Double(rowsA.count)
        let totalB = weights.map { w in rowsB.reduce(0) { $0 + w[$1] } } ?? Double(rowsB.count)
        let ca = patternCounts(input, dims, rowsA, weight: weights), cb = patternCounts(input, dims, rowsB, weight: weights)
        var found: [(Pattern, Double, Double, Double)] = []
        for p in Set(ca.keys).union(cb.keys) where p.values.compactMap({ $0 }).count <= maxDims {
            let x = ca[p] ?? 0, y = cb[p] ?? 0
            let pa = totalA > 0 ? x * 100 / totalA : 0, pb = totalB > 0 ? y * 100 / totalB : 0
            if abs(pa - pb) >= threshold * 100 { found.append((p, x, y, pa - pb)) }
        }
        // A pattern is dropped when a more general one (it fixes a subset of its values) has the same
        // counts: the extra dimensions say nothing.
        found = found.filter { f in
            !found.contains { g in g.1 == f.1 && g.2 == f.2 && g.0 != f.0 && zip(g.0.values, f.0.values).allSatisfy { $0 == nil || $0 == $1 } }
        }
        found.sort { abs($0.3) != abs($1.3) ? abs($0.3) > abs($1.3) : $0.0.values.compactMap { $0 }.count < $1.0.values.compactMap { $0 }.count }
        let schema = [ColumnSchema("SegmentId", .long), ColumnSchema("CountA", .long), ColumnSchema("CountB", .long), ColumnSchema("PercentA", .real),
                      ColumnSchema("PercentB", .real), ColumnSchema("PercentDiffAB", .real)] + dims.map { input.schema.columns[$0] }
        let rows: [[Value]] = found.prefix(100).enumerated().map { i, f in
            [.long(Int64(i)), .long(Int64(intIfFinite(f.1.rounded()) ?? 0)), .long(Int64(intIfFinite(f.2.rounded()) ?? 0)), .real(totalA > 0 ? f.1 * 100 / totalA : 0),
             .real(totalB > 0 ? f.2 * 100 / totalB : 0), .real(abs(f.3))] + wildcardRow(f.0, input, dims, wildcard: wildcard)
        }
        return Table.from(schema: Schema(schema), rows: rows)
    }
}
