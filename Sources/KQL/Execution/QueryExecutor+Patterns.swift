import KQLSyntax

extension QueryExecutor {
    /// `evaluate sequence_detect(Timeline, MaxStep, MaxSpan, name1=pred1, name2=pred2, ..., Dim1, Dim2...)`:
    /// per dimension group, in time order, each row matching pred1 followed by a row matching pred2
    /// within MaxStep (and so on), all within MaxSpan, is one sequence. Output: the dimensions, one
    /// `name_Timeline` column per step, and `Duration`.
    func sequenceDetect(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        guard args.count >= 5, case .name(let timeName, _) = args[0].value, let ti = input.schema.index(of: timeName) else {
            throw KQLError.bind(DiagnosticCode.wrongArguments, "sequence_detect(Timeline, MaxSequenceStepWindow, MaxSequenceSpan, Expr1, Expr2, ..., Dim1, ...)", span)
        }
        guard case .timespan(let maxStep) = try constant(args[1].value, scope), case .timespan(let maxSpan) = try constant(args[2].value, scope) else {
            throw KQLError.bind(DiagnosticCode.badArgument, "sequence_detect: the step window and span must be timespans", span)
        }
        let steps = args.dropFirst(3).filter { $0.name != nil }
        let dims = args.dropFirst(3).filter { $0.name == nil }
        guard steps.count >= 2 else { throw KQLError.bind(DiagnosticCode.wrongArguments, "sequence_detect needs at least two named predicates", span) }
        let masks = try steps.map { try filterMask(input, $0.value, scope) }
        let dimCols = try dims.map { d -> (String, Column) in
            let b = try compile(d.value, input, scope)
            return (Naming.derived(d.value) ?? "Column", try b.evaluate(input, ctx).materialize(type: b.type, count: input.count))
        }
        let times = input.columns[ti]
        guard case .int64(let t) = times.data else { throw KQLError.bind(DiagnosticCode.typeMismatch, "sequence_detect: the timeline must be a datetime", span) }
        let g = Grouping.group(dimCols.map(\.1), count: input.count)
        var rowsByGroup = [[Int]](repeating: [], count: g.count)
        for i in 0..<input.count where !times.isNull(i) { rowsByGroup[Int(g.groups[i])].append(i) }
        var firstRows: [Int] = [], stepTimes = [[Value]](repeating: [], count: steps.count), durations: [Value] = []
        for rows in rowsByGroup {
            let ordered = rows.sorted { t[$0] < t[$1] }
            for (pos, start) in ordered.enumerated() where masks[0][start] {
                var chain = [start], cursor = pos
                for s in 1..<steps.count {
                    let prev = t[chain.last!]
                    var next: Int?
                    var k = cursor + 1
                    while k < ordered.count, t[ordered[k]] - prev <= maxStep {
                        if masks[s][ordered[k]] && t[ordered[k]] >= prev { next = k; break }
                        k += 1
                    }
                    guard let nk = next, t[ordered[nk]] - t[start] <= maxSpan else { chain = []; break }
                    chain.append(ordered[nk]); cursor = nk
                }
                guard chain.count == steps.count else { continue }
                firstRows.append(start)
                for (s, r) in chain.enumerated() { stepTimes[s].append(.datetime(t[r])) }
                durations.append(.timespan(t[chain.last!] - t[start]))
            }
        }
        var schema = dimCols.map { ColumnSchema($0.0, $0.1.type) }
        var cols = dimCols.map { $0.1.gather(firstRows) }
        for (s, step) in steps.enumerated() {
            schema.append(ColumnSchema("\(step.name!)_\(timeName)", .datetime))
            cols.append(Column.from(values: stepTimes[s], type: .datetime))
        }
        schema.append(ColumnSchema("Duration", .timespan))
        cols.append(Column.from(values: durations, type: .timespan))
        return Table(schema: Schema(schema), columns: cols, count: firstRows.count)
    }

    /// `evaluate basket([Threshold])`: every combination of column values (a missing column is a
    /// wildcard) that occurs in at least Threshold of the rows, with its count and percentage.
    func basket(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        let threshold = try args.first.map { try constant($0.value, scope).asDouble ?? 0.05 } ?? 0.05
        let dims = input.schema.columns.indices.filter { input.schema.columns[$0].type != .dynamic }
        guard dims.count <= 12 else { throw KQLError.runtime("basket supports at most 12 columns; project the ones to analyse first", span) }
        let n = input.count
        var counts: [[Value?]: Int] = [:]
        for r in 0..<n {
            let values = dims.map { input.columns[$0].value(at: r) }
            for subset in 1..<(1 << dims.count) {
                var key = [Value?](repeating: nil, count: dims.count)
                for d in 0..<dims.count where subset & (1 << d) != 0 { key[d] = values[d] }
                counts[key, default: 0] += 1
            }
        }
        let minCount = max(1, Int((threshold * Double(n)).rounded(.up)))
        let frequent = counts.filter { $0.value >= minCount }.sorted { a, b in
            a.value != b.value ? a.value > b.value : a.key.compactMap { $0 }.count > b.key.compactMap { $0 }.count
        }
        var schema = [ColumnSchema("SegmentId", .long), ColumnSchema("Count", .long), ColumnSchema("Percent", .real)]
        schema += dims.map { input.schema.columns[$0] }
        let rows: [[Value]] = frequent.enumerated().map { i, e in
            [.long(Int64(i)), .long(Int64(e.value)), .real(Double(e.value) * 100 / Double(max(1, n)))] + e.key.map { $0 ?? .null }
        }
        return Table.from(schema: Schema(schema), rows: rows)
    }
}
