import KQLSyntax

/// The funnel plugins: how many ids went through a sequence of states (`funnel_sequence_completion`)
/// and what came just before and after it (`funnel_sequence`).
extension QueryExecutor {
    /// Each id's (time, state) events within [start, end), in time order.
    func funnelEvents(_ idExpr: ExprSyntax, _ timeExpr: ExprSyntax, _ stateExpr: ExprSyntax, _ input: Table, _ scope: Scope,
                      from start: Int64 = .min, to end: Int64 = .max) throws -> [Value: [(Int64, String)]] {
        let ids = try compile(idExpr, input, scope).evaluate(input, ctx)
        let times = try compile(timeExpr, input, scope).evaluate(input, ctx)
        let states = try compile(stateExpr, input, scope).evaluate(input, ctx)
        var events = [Value: [(Int64, String)]]()
        for r in 0..<input.count {
            guard let t = times.value(at: r).asInt64, t >= start, t < end else { continue }
            events[ids.value(at: r), default: []].append((t, states.value(at: r).kqlString))
        }
        for k in events.keys { events[k]!.sort { $0.0 < $1.0 } }
        return events
    }

    /// `funnel_sequence_completion(Id, Time, Start, End, BinSize, State, Sequence, MaxWindows)`: per bin,
    /// step of the sequence and window, the ids that started the sequence in the bin and reached the
    /// step within the window.
    func funnelSequenceCompletion(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        guard args.count >= 8 else { throw KQLError.bind(DiagnosticCode.wrongArguments, "funnel_sequence_completion(Id, Time, Start, End, BinSize, StateColumn, Sequence, MaxSequenceStepWindows)", span) }
        let steps = try bins(try constant(args[2].value, scope), try constant(args[3].value, scope), try constant(args[4].value, scope), span)
        let bin = try constant(args[4].value, scope).asInt64!
        let sequence = (try constant(args[6].value, scope).asArray ?? []).map(\.kqlString)
        let windows = (try constant(args[7].value, scope).asArray ?? []).compactMap(\.asInt64)
        let events = try funnelEvents(args[0].value, args[1].value, args[5].value, input, scope)
        var rows: [[Value]] = []
        for b in steps {
            for w in windows {
                var reached = [Int](repeating: 0, count: sequence.count)
                for (_, evs) in events {
                    guard let first = evs.first(where: { $0.1 == sequence.first && $0.0 >= b && $0.0 < b &+ bin }) else { continue }
                    var step = 0, last = first.0
                    reached[0] += 1
                    for e in evs where e.0 > first.0 && step + 1 < sequence.count {
                        if e.1 == sequence[step + 1] && e.0 &- last <= w { step += 1; last = e.0; reached[step] += 1 }
                    }
                }
                for (i, s) in sequence.enumerated() { rows.append([.datetime(b), .string(s), .timespan(w), .long(Int64(reached[i]))]) }
            }
        }
        return Table.from(schema: Schema([ColumnSchema(Naming.derived(args[1].value) ?? "Timestamp", .datetime), ColumnSchema(Naming.derived(args[5].value) ?? "State", .string),
                                          ColumnSchema("Period", .timespan), ColumnSchema("dcount", .long)]), rows: rows)
    }

    /// `funnel_sequence(Id, Time, Start, End, MaxSequenceStepWindow, Step, State, Sequence)`: the
    /// distinct ids per (window, previous state, next state) around each occurrence of the sequence,
    /// then per previous state and per next state (further results). An occurrence is a run of an id's consecutive events whose
    /// states are the sequence, each within the step window of the one before; the state before and
    /// after it count when they are within the step window too (empty otherwise). The window is the
    /// Step bin, from Start, of the occurrence's first event. Up to 128 ids are kept as samples.
    func funnelSequence(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        guard args.count == 8 else {
            throw KQLError.bind(DiagnosticCode.wrongArguments, "funnel_sequence(Id, Time, Start, End, MaxSequenceStepWindow, Step, StateColumn, Sequence)", span)
        }
        guard let start = try constant(args[2].value, scope).asInt64, let end = try constant(args[3].value, scope).asInt64,
              let window = try constant(args[4].value, scope).asInt64, let step = try constant(args[5].value, scope).asInt64, step > 0 else {
            throw KQLError.bind(DiagnosticCode.badArgument, "funnel_sequence: Start and End are datetimes, the step window and Step positive timespans", span)
        }
        let sequence = (try constant(args[7].value, scope).asArray ?? []).map(\.kqlString)
        guard !sequence.isEmpty else { throw KQLError.bind(DiagnosticCode.badArgument, "funnel_sequence: the sequence is an array of states", args[7].value.span) }
        let events = try funnelEvents(args[0].value, args[1].value, args[6].value, input, scope, from: start, to: end)
        var occurrences: [(bin: Int64, prev: String, next: String, id: Value)] = []
        for (id, evs) in events.sorted(by: { Value.compare($0.key, $1.key) < 0 }) where evs.count >= sequence.count {
            for first in 0...(evs.count - sequence.count) {
                var ok = true
                for k in 0..<sequence.count {
                    let e = evs[first + k]
                    if e.1 != sequence[k] || (k > 0 && e.0 &- evs[first + k - 1].0 > window) { ok = false; break }
                }
                guard ok else { continue }
                let last = first + sequence.count - 1
                let prev = first > 0 && evs[first].0 &- evs[first - 1].0 <= window ? evs[first - 1].1 : ""
                let next = last + 1 < evs.count && evs[last + 1].0 &- evs[last].0 <= window ? evs[last + 1].1 : ""
                occurrences.append((start &+ (evs[first].0 &- start) / step &* step, prev, next, id))
            }
        }
        let time = Naming.derived(args[1].value) ?? "Timestamp"
        // The three tables: (prev, next), prev alone and next alone; the first is the operator's output.
        func table(_ keys: [String], _ key: ((bin: Int64, prev: String, next: String, id: Value)) -> [String]) -> Table {
            var ids: [[Value]: [Value]] = [:], seen = Set<[Value]>()
            for o in occurrences {
                let k = [Value.datetime(o.bin)] + key(o).map { Value.string($0) }
                if seen.insert(k + [o.id]).inserted { ids[k, default: []].append(o.id) }
            }
            let ordered = ids.sorted { a, b in
                a.value.count != b.value.count ? a.value.count > b.value.count
                    : zip(a.key, b.key).first { $0 != $1 }.map { Value.compare($0.0, $0.1) < 0 } ?? false
            }
            return Table.from(schema: Schema([ColumnSchema(time, .datetime)] + keys.map { ColumnSchema($0, .string) } + [ColumnSchema("dcount", .long), ColumnSchema("samples", .dynamic)]),
                              rows: ordered.map { $0.key + [.long(Int64($0.value.count)), .array(Array($0.value.prefix(128)))] })
        }
        laterResults += [(nil, table(["prev"]) { [$0.prev] }), (nil, table(["next"]) { [$0.next] })]
        return table(["prev", "next"]) { [$0.prev, $0.next] }
    }
}
