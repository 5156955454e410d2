import KQLSyntax

/// A streamed join's right side whose operators are `where` filters followed by plain projections
/// (`SigninLogs | where ResultType == "0" | project IPAddress, SuccessTime = TimeGenerated, ...`):
/// its filters become a mask over the part and its projections rename columns, so no row moves
/// before the join. The filter keeps nine rows in ten of a month and gathering them cost more than
/// the join; now only the joined pairs are gathered.
extension QueryExecutor {
    /// The right side's operators split into row filters and projections, when rows can be dropped
    /// after the projections without changing anything: the first filter sees the part as the
    /// pipeline would; later filters have no window function (`row_number()` would count the rows
    /// the first one dropped); projections only pick and rename columns. Nil otherwise.
    func maskedRightSide(_ ops: [(OperatorSyntax, Span)], _ part: Table, _ scope: Scope) -> (filters: [ExprSyntax], projections: [(OperatorSyntax, Span)])? {
        var filters: [ExprSyntax] = [], projections: [(OperatorSyntax, Span)] = []
        for (op, span) in ops {
            switch op {
            case .whereOp(let pred):
                guard projections.isEmpty else { return nil }
                if !filters.isEmpty { guard let b = try? compile(pred, part, scope), !b.columnRefs().window else { return nil } }
                filters.append(pred)
            case .project(let items):
                guard items.allSatisfy({ if case .name = $0.expr { return $0.names.count <= 1 }; return false }) else { return nil }
                projections.append((op, span))
            case .projectAway, .projectKeep, .projectRename: projections.append((op, span))
            default: return nil
            }
        }
        return filters.isEmpty ? nil : (filters, projections)
    }

    /// Whether each row of `input` passes every filter (a null is not true), as `where` would keep it.
    func passMask(_ filters: [ExprSyntax], _ input: Table, _ scope: Scope) throws -> [Bool] {
        var mask = [Bool](repeating: true, count: input.count)
        for pred in filters {
            switch try predicate(pred, input, scope) {
            case .scalar(let v): if v.asBool != true { return [Bool](repeating: false, count: input.count) }
            case .column(let c):
                if case .bool(let m) = c.data {
                    let nulls = c.nulls
                    for i in mask.indices where mask[i] { mask[i] = m[i] && !(nulls?[i] ?? false) }
                } else {
                    for i in mask.indices where mask[i] { mask[i] = c.value(at: i).asBool == true }
                }
            }
        }
        return mask
    }
}

/// Where each row of a part joins: its left row, or its dictionary code and each code's left row.
enum JoinProbe {
    case rows([Int])
    case coded([UInt32], [Int])
}

/// A part's rows' left rows, read in the pairs' loops (specialised per kind, no call per row).
protocol LeftRowProbe: Sendable {
    func leftRow(_ i: Int) -> Int
}

/// Read only, while the buffer's array is alive (inside `pairs`).
struct RowsProbe: LeftRowProbe, @unchecked Sendable {
    let rows: UnsafeBufferPointer<Int>
    @inline(__always) func leftRow(_ i: Int) -> Int { rows[i] }
}

struct CodedProbe: LeftRowProbe, @unchecked Sendable {
    let codes: UnsafeBufferPointer<UInt32>
    let rowOf: UnsafeBufferPointer<Int>
    @inline(__always) func leftRow(_ i: Int) -> Int { rowOf[Int(codes[i])] }
}

/// The left side's string keys, coded once for every part of a streamed join: each part then looks
/// up its own distinct values (an extent's dictionary) instead of coding both sides again (twice
/// 30,000 hashes a part at 100M rows, a sixth of the join).
struct LeftKeys: Sendable {
    var interner: StringInterner
    /// The left row of each key's code (keys are unique on a streamed join's left side).
    var row: [Int]
}

extension QueryExecutor {
    /// The left side's single string key, nil when the join needs the general coding.
    func leftKeys(_ left: Table, _ j: JoinSyntax, _ scope: Scope) throws -> LeftKeys? {
        guard j.on.count == 1 else { return nil }
        let lb = try compile(sideKey(j.on[0].0), left, scope)
        guard lb.type == .string else { return nil }
        let lc = try lb.evaluate(left, ctx).materialize(type: .string, count: left.count)
        var d = StringInterner(capacity: left.count)
        guard let codes = lc.perString({ d.code($0) }) else { return nil }
        var row = [Int](repeating: -1, count: d.count)
        for (i, c) in codes.enumerated() {
            if row[Int(c)] >= 0 { return nil }
            row[Int(c)] = i
        }
        return LeftKeys(interner: d, row: row)
    }

    /// The left row each row of `right` joins (-1 for none), nil when its key is not a string. A
    /// dictionary column is looked up once per distinct value and its codes kept: a row's left row is
    /// then read through its code (a per-row array of left rows was built and copied once more).
    func leftRows(_ keys: LeftKeys, _ right: Table, _ j: JoinSyntax, _ scope: Scope) throws -> JoinProbe? {
        let rb = try compile(sideKey(j.on[0].1), right, scope)
        guard rb.type == .string else { return nil }
        let rc = try rb.evaluate(right, ctx).materialize(type: .string, count: right.count)
        let lookup: @Sendable (String) -> Int = { s in keys.interner.existingCode(s).map { keys.row[Int($0)] } ?? -1 }
        if case .dict(let codes, let values) = rc.data, !Column.fewRows(codes.count, of: values.count) {
            return .coded(codes, Parallel.chunkedMap(values.count, work: values.count * 16) { r in values[r].map(lookup) })
        }
        return rc.perStringParallel(lookup).map { .rows($0) }
    }

    /// The (left row, right row) pairs of a part: rows with a left row that pass the mask. Nine rows
    /// in ten of q4's parts pair, so the pairs are counted first and written in place (growing and
    /// then concatenating two halves moved each pair three times: a fifth of the join's time).
    static func pairs(_ probe: JoinProbe, _ pass: [Bool]?) -> (li: [Int], ri: [Int]) {
        switch probe {
        case .rows(let lrow):
            return lrow.withUnsafeBufferPointer { pairs(lrow.count, pass, RowsProbe(rows: $0)) }
        case .coded(let codes, let rowOf):
            return codes.withUnsafeBufferPointer { c in rowOf.withUnsafeBufferPointer { pairs(codes.count, pass, CodedProbe(codes: c, rowOf: $0)) } }
        }
    }

    static func pairs(_ lrow: [Int], _ pass: [Bool]?) -> (li: [Int], ri: [Int]) { pairs(.rows(lrow), pass) }

    static func pairs<P: LeftRowProbe>(_ n: Int, _ pass: [Bool]?, _ probe: P) -> (li: [Int], ri: [Int]) {
        let halves = n >= Parallel.threshold ? 2 : 1
        let bounds = (0...halves).map { $0 * n / halves }
        let counts = Parallel.map(halves, work: n) { h -> Int in
            Self.withOptionalBuffer(pass) { p in
                var c = 0
                for i in bounds[h]..<bounds[h + 1] where probe.leftRow(i) >= 0 && (p?[i] ?? true) { c += 1 }
                return c
            }
        }
        let total = counts.reduce(0, +)
        var li = [Int](repeating: 0, count: total), ri = [Int](repeating: 0, count: total)
        li.withUnsafeMutableBufferPointer { lo in
            ri.withUnsafeMutableBufferPointer { ro in
                nonisolated(unsafe) let lOut = lo, rOut = ro
                _ = Parallel.map(halves, work: n) { h -> Int in
                    var k = counts[..<h].reduce(0, +)
                    Self.withOptionalBuffer(pass) { p in
                        for i in bounds[h]..<bounds[h + 1] {
                            let l = probe.leftRow(i)
                            if l >= 0 && (p?[i] ?? true) { lOut[k] = l; rOut[k] = i; k += 1 }
                        }
                    }
                    return k
                }
            }
        }
        return (li, ri)
    }

    static func withOptionalBuffer<R>(_ a: [Bool]?, _ body: (UnsafeBufferPointer<Bool>?) -> R) -> R {
        guard let a else { return body(nil) }
        return a.withUnsafeBufferPointer { body($0) }
    }
}
