import KQLSyntax

/// The user-analytics plugins over an id and a timeline: `activity_counts_metrics`,
/// `active_users_count`, `sliding_window_counts`, `session_count` and `rolling_percentile` (the funnels are in
/// QueryExecutor+Funnels). Bins run from `Start` to `End` by the bin size; the optional
/// trailing arguments are dimensions the results are split by.
extension QueryExecutor {
    /// The evaluated id, time and dimension columns, and the constant parameters.
    struct Activity {
        var ids: [Value]
        var times: [Int64?]
        var dims: [[Value]]
        var dimNames: [String]
        var timeName: String
        /// Row indexes per dimension combination, in first-seen order.
        var groups: [(key: [Value], rows: [Int])]
    }

    func activity(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, constants: Int, _ name: String, _ span: Span) throws -> (Activity, [Value]) {
        guard args.count >= 2 + constants else { throw KQLError.bind(DiagnosticCode.wrongArguments, "\(name) needs \(2 + constants) arguments", span) }
        let ids = try compile(args[0].value, input, scope).evaluate(input, ctx)
        let tb = try compile(args[1].value, input, scope)
        let times = try tb.evaluate(input, ctx)
        let params = try args[2..<(2 + constants)].map { try constant($0.value, scope) }
        let dimArgs = Array(args[(2 + constants)...])
        let dims = try dimArgs.map { a -> [Value] in
            let v = try compile(a.value, input, scope).evaluate(input, ctx)
            return (0..<input.count).map { v.value(at: $0) }
        }
        var groups: [(key: [Value], rows: [Int])] = []
        var index: [[Value]: Int] = [:]
        for r in 0..<input.count {
            let k = dims.map { $0[r] }
            if let g = index[k] { groups[g].rows.append(r) } else { index[k] = groups.count; groups.append((k, [r])) }
        }
        if groups.isEmpty && dims.isEmpty { groups = [([], [])] }
        let a = Activity(ids: (0..<input.count).map { ids.value(at: $0) }, times: (0..<input.count).map { times.value(at: $0).asInt64 },
                         dims: dims, dimNames: dimArgs.enumerated().map { Naming.derived($0.element.value) ?? "Column\($0.offset + 1)" },
                         timeName: Naming.derived(args[1].value) ?? "Timestamp", groups: groups)
        return (a, params)
    }

    func bins(_ start: Value, _ end: Value, _ step: Value, _ span: Span) throws -> [Int64] {
        guard let s = start.asInt64, let e = end.asInt64, let d = step.asInt64, d > 0 else {
            throw KQLError.bind(DiagnosticCode.badArgument, "start, end and bin must be datetimes and a positive timespan", span)
        }
        let (span64, o) = e.subtractingReportingOverflow(s)
        guard !o, span64 / d < Int64(ctx.maxRows) else { throw KQLError.runtime("too many bins", span, code: DiagnosticCode.budgetExceeded) }
        var out: [Int64] = []
        var t = s &- ((s % d) &+ d) % d
        while t <= e { out.append(t); let (nt, of) = t.addingReportingOverflow(d); if of { break }; t = nt }
        return out
    }

    func activityTable(_ a: Activity, _ valueNames: [(String, KQLType)], _ rows: [[Value]]) -> Table {
        let schema = [ColumnSchema(a.timeName, .datetime)] + a.dimNames.enumerated().map { i, n in
            ColumnSchema(n, a.dims[i].first?.kqlType ?? .string)
        } + valueNames.map { ColumnSchema($0.0, $0.1) }
        return Table.from(schema: Schema(schema), rows: rows)
    }

    /// Per step: events (`count`), distinct ids (`dcount`), ids never seen in earlier steps
    /// (`new_dcount`) and ids seen from the start (`aggregated_dcount`).
    func activityCountsMetrics(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        let (a, p) = try activity(args, input, scope, constants: 3, "activity_counts_metrics", span)
        let steps = try bins(p[0], p[1], p[2], span)
        let step = p[2].asInt64!
        var rows: [[Value]] = []
        for g in a.groups {
            var seen = Set<Value>()
            var byBin = [Int64: [Int]]()
            for r in g.rows { if let t = a.times[r] { byBin[t &- ((t % step) &+ step) % step, default: []].append(r) } }
            for b in steps {
                let rs = byBin[b] ?? []
                let ids = Set(rs.map { a.ids[$0] }.filter { !$0.isNull })
                let new = ids.subtracting(seen)
                seen.formUnion(ids)
                rows.append([.datetime(b)] + g.key + [.long(Int64(rs.count)), .long(Int64(ids.count)), .long(Int64(new.count)), .long(Int64(seen.count))])
            }
        }
        return activityTable(a, [("count", .long), ("dcount", .long), ("new_dcount", .long), ("aggregated_dcount", .long)], rows)
    }

    /// Per bin: ids active in at least `ActivePeriodsCount` distinct periods of the lookback window ending with the bin.
    func activeUsersCount(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        let (a, p) = try activity(args, input, scope, constants: 6, "active_users_count", span)
        guard let lookback = p[2].asInt64, let period = p[3].asInt64, period > 0, let need = p[4].asInt64 else {
            throw KQLError.bind(DiagnosticCode.badArgument, "active_users_count(Id, Time, Start, End, LookbackWindow, Period, ActivePeriodsCount, Bin)", span)
        }
        let steps = try bins(p[0], p[1], p[5], span)
        let bin = p[5].asInt64!
        var rows: [[Value]] = []
        for g in a.groups {
            for b in steps {
                let hi = b &+ bin, lo = hi &- lookback
                var periods = [Value: Set<Int64>]()
                for r in g.rows { if let t = a.times[r], t >= lo, t < hi, !a.ids[r].isNull { periods[a.ids[r], default: []].insert(t &- ((t % period) &+ period) % period) } }
                rows.append([.datetime(b)] + g.key + [.long(Int64(periods.values.filter { Int64($0.count) >= need }.count))])
            }
        }
        return activityTable(a, [("dcount", .long)], rows)
    }

    /// Per bin: events and distinct ids in the lookback window ending with the bin.
    func slidingWindowCounts(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        let (a, p) = try activity(args, input, scope, constants: 4, "sliding_window_counts", span)
        guard let lookback = p[2].asInt64 else { throw KQLError.bind(DiagnosticCode.badArgument, "the lookback window is a timespan", span) }
        let steps = try bins(p[0], p[1], p[3], span)
        let bin = p[3].asInt64!
        var rows: [[Value]] = []
        for g in a.groups {
            for b in steps {
                let hi = b &+ bin, lo = hi &- lookback
                let rs = g.rows.filter { r in a.times[r].map { $0 >= lo && $0 < hi } ?? false }
                rows.append([.datetime(b)] + g.key + [.long(Int64(rs.count)), .long(Int64(Set(rs.map { a.ids[$0] }.filter { !$0.isNull }).count))])
            }
        }
        return activityTable(a, [("Count", .long), ("dcount", .long)], rows)
    }

    /// Per bin: ids in session, a session lasting while the id reappears within the lookback window.
    func sessionCount(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        let (a, p) = try activity(args, input, scope, constants: 4, "session_count", span)
        guard let lookback = p[3].asInt64 else { throw KQLError.bind(DiagnosticCode.badArgument, "the lookback window is a timespan", span) }
        let steps = try bins(p[0], p[1], p[2], span)
        let bin = p[2].asInt64!
        var rows: [[Value]] = []
        for g in a.groups {
            var byId = [Value: [Int64]]()
            for r in g.rows { if let t = a.times[r], !a.ids[r].isNull { byId[a.ids[r], default: []].append(t) } }
            for k in byId.keys { byId[k]!.sort() }
            for b in steps {
                let hi = b &+ bin
                // An id is in session at the bin when its last activity before the bin's end is within the lookback.
                var n: Int64 = 0
                for (_, ts) in byId {
                    var lo = 0, h = ts.count
                    while lo < h { let m = (lo + h) / 2; if ts[m] < hi { lo = m + 1 } else { h = m } }
                    if lo > 0, hi &- ts[lo - 1] <= lookback { n += 1 }
                }
                rows.append([.datetime(b)] + g.key + [.long(n)])
            }
        }
        return activityTable(a, [("count", .long)], rows)
    }

    /// `rolling_percentile(Value, Percentile, Index, BinSize, BinsPerWindow [, dims])`: per bin, the
    /// percentile of the values in the window of the bin and the bins before it.
    func rollingPercentile(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        guard args.count >= 5 else { throw KQLError.bind(DiagnosticCode.wrongArguments, "rolling_percentile(ValueColumn, Percentile, IndexColumn, BinSize, BinsPerWindow [, dims])", span) }
        let values = try compile(args[0].value, input, scope).evaluate(input, ctx)
        let pct = try constant(args[1].value, scope).asDouble ?? 50
        let idx = try compile(args[2].value, input, scope)
        let index = try idx.evaluate(input, ctx)
        let binSize = try constant(args[3].value, scope)
        let window = max(1, try constant(args[4].value, scope).int ?? 1)
        let dimArgs = Array(args[5...])
        let dims = try dimArgs.map { try compile($0.value, input, scope).evaluate(input, ctx) }
        var groups: [[Value]: [Value: [Double]]] = [:]
        var order: [[Value]] = []
        for r in 0..<input.count {
            let k = dims.map { $0.value(at: r) }
            if groups[k] == nil { groups[k] = [:]; order.append(k) }
            let b = DateTimeFunctions.binValue(index.value(at: r), binSize)
            if let v = values.value(at: r).asDouble { groups[k]![b, default: []].append(v) }
        }
        let indexName = Naming.derived(args[2].value) ?? "Index"
        let valueName = Naming.derived(args[0].value) ?? "Value"
        var rows: [[Value]] = []
        for k in order {
            let byBin = groups[k]!
            let keys = byBin.keys.sorted { Value.compare($0, $1) < 0 }
            for (i, b) in keys.enumerated() {
                let inWindow = keys[max(0, i - window + 1)...i].flatMap { byBin[$0]! }.sorted()
                rows.append([b] + k + [.real(SeriesFunctions.percentile(inWindow, pct))])
            }
        }
        let schema = [ColumnSchema(indexName, idx.type)] + dimArgs.enumerated().map { i, a in ColumnSchema(Naming.derived(a.value) ?? "Column\(i + 1)", dims[i].value(at: 0).kqlType) }
            + [ColumnSchema("rolling_\(intIfFinite(pct) ?? 50)_percentile_\(valueName)", .real)]
        return Table.from(schema: Schema(schema), rows: rows)
    }
}
