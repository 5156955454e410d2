import KQLSyntax

/// `scan`: a state machine over the serialized rows. Each step holds the state of a match in
/// progress: the declared variables and the rows its steps matched (read as `step.Column`). For
/// each row the steps are checked from last to first: a row that meets step k's condition while
/// step k-1 holds a match advances that match to step k; otherwise a row meeting step k's condition
/// while step k holds a match (or, for the first step, always) updates it, the first step starting a
/// new match. Rows matched by steps with `output=all` (the default) are output with the variables.
extension QueryExecutor {
    struct ScanState {
        var active = false
        var vars: [Value]
        var snapshots: [String: Value] = [:]
        var matchId: Int64 = 0
    }

    func scan(_ input: Table, _ s: ScanSyntax, _ scope: Scope, _ span: Span) throws -> Table {
        let stepNames = Set(s.steps.map(\.name))
        let declared = s.declared.map { ColumnSchema($0.0.name, KQLType(name: $0.0.type) ?? .string) }
        let defaults = try s.declared.enumerated().map { i, d in try d.1.map { try constant($0, scope).converted(to: declared[i].type) } ?? .null }
        // `s1.Col` references become columns of the evaluation table.
        var stepRefs: [String] = []
        func rewrite(_ e: ExprSyntax) -> ExprSyntax {
            e.rewritten { node in
                guard case .member(.name(let step, _), let col, let sp) = node, stepNames.contains(step) else { return nil }
                let n = "\(step).\(col)"
                if !stepRefs.contains(n) { stepRefs.append(n) }
                return .name(n, sp)
            }
        }
        let conditions = s.steps.map { rewrite($0.condition) }
        let assignments = s.steps.map { $0.assignments.map { ($0.0, rewrite($0.1)) } }
        let refTypes: [ColumnSchema] = stepRefs.map { r in
            let col = String(r.split(separator: ".", maxSplits: 1).last ?? "")
            return ColumnSchema(r, input.schema.columns.first { $0.name == col }?.type ?? declared.first { $0.name == col }?.type ?? .string)
        }
        for (_, a) in assignments.enumerated() {
            for (c, _) in a where !declared.contains(where: { $0.name == c }) {
                throw KQLError.bind(DiagnosticCode.unknownColumn, "scan: '\(c)' is assigned but not declared", span)
            }
        }
        let evalSchema = Schema(input.schema.columns.filter { c in !declared.contains { $0.name == c.name } } + declared + refTypes)
        let probe = Table.empty(evalSchema)
        let condExprs = try conditions.map { try compile($0, probe, scope) }
        let assignExprs = try assignments.map { try $0.map { ($0.0, try compile($0.1, probe, scope)) } }
        let inputCols = input.schema.columns.indices.filter { i in !declared.contains { $0.name == input.schema.columns[i].name } }

        func row(_ r: Int, _ st: ScanState) -> Table {
            var cols = inputCols.map { input.columns[$0].gather([r]) }
            for (i, d) in declared.enumerated() { cols.append(Column.from(values: [st.vars[i]], type: d.type)) }
            // Before a step has matched, `step.Var` reads the variable's declared default.
            for ref in refTypes {
                let col = String(ref.name.split(separator: ".", maxSplits: 1).last ?? "")
                let initial = declared.firstIndex { $0.name == col }.map { defaults[$0] } ?? .null
                cols.append(Column.from(values: [st.snapshots[ref.name] ?? initial], type: ref.type))
            }
            return Table(schema: evalSchema, columns: cols, count: 1)
        }
        func holds(_ k: Int, _ r: Int, _ st: ScanState) throws -> Bool {
            if case .scalar(let v) = try condExprs[k].evaluate(row(r, st), ctx) { return v.asBool == true }
            return try condExprs[k].evaluate(row(r, st), ctx).materialize(type: .bool, count: 1).value(at: 0).asBool == true
        }
        func advance(_ k: Int, _ r: Int, _ from: ScanState) throws -> ScanState {
            var st = from
            st.active = true
            let t = row(r, from)
            for (c, b) in assignExprs[k] {
                let i = declared.firstIndex { $0.name == c }!
                st.vars[i] = try b.evaluate(t, ctx).materialize(type: b.type, count: 1).value(at: 0).converted(to: declared[i].type)
            }
            let step = s.steps[k].name
            for ref in refTypes where ref.name.hasPrefix(step + ".") {
                let col = String(ref.name.dropFirst(step.count + 1))
                if let i = declared.firstIndex(where: { $0.name == col }) { st.snapshots[ref.name] = st.vars[i] }
                else if let c = input.column(named: col) { st.snapshots[ref.name] = c.value(at: r) }
            }
            return st
        }

        var states = [ScanState](repeating: ScanState(vars: defaults), count: s.steps.count)
        var matchCounter: Int64 = 0
        var outRows: [Int] = [], outVars: [[Value]] = [], outMatch: [Int64] = [], outStep: [Int] = []
        for r in 0..<input.count {
            for k in stride(from: s.steps.count - 1, through: 0, by: -1) {
                if k > 0, states[k - 1].active, try holds(k, r, states[k - 1]) {
                    let st = try advance(k, r, states[k - 1])
                    states[k] = st
                    states[k - 1] = ScanState(vars: defaults)
                    if s.steps[k].output != "none" { outRows.append(r); outVars.append(st.vars); outMatch.append(st.matchId); outStep.append(k) }
                    continue
                }
                if k == 0 || states[k].active, try holds(k, r, k == 0 && !states[0].active ? ScanState(vars: defaults) : states[k]) {
                    var base = states[k]
                    if k == 0 && !base.active { base = ScanState(vars: defaults); matchCounter += 1; base.matchId = matchCounter - 1 }
                    let st = try advance(k, r, base)
                    states[k] = st
                    if s.steps[k].output != "none" { outRows.append(r); outVars.append(st.vars); outMatch.append(st.matchId); outStep.append(k) }
                }
            }
            try checkBudget(outRows.count, "scan", span)
        }
        // `output=last`: only the last row each match produced for that step.
        var keep = [Bool](repeating: true, count: outRows.count)
        var seen = Set<String>()
        for i in stride(from: outRows.count - 1, through: 0, by: -1) where s.steps[outStep[i]].output == "last" {
            keep[i] = seen.insert("\(outMatch[i])|\(outStep[i])").inserted
        }
        let picked = outRows.indices.filter { keep[$0] }
        var t = selectColumns(input, inputCols).gather(picked.map { outRows[$0] })
        for (i, d) in declared.enumerated() {
            t.schema.columns.append(d)
            t.columns.append(Column.from(values: picked.map { outVars[$0][i] }, type: d.type))
        }
        if let m = s.matchId {
            t.schema.columns.append(ColumnSchema(m, .long))
            t.columns.append(Column.from(values: picked.map { .long(outMatch[$0]) }, type: .long))
        }
        return t
    }
}
