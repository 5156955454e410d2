/// Functions over the serialized row order: `row_number`, `prev`, `next`, `row_cumsum`.
/// They see the whole ordered column, so the executor never splits their input.
enum WindowFunctions {
    static func shift(_ name: String, _ dir: Int) -> FunctionDef {
        FunctionDef(name, args: 1...3, returns: { $0[0] }, isWindow: true, vector: { v, t, n, _ in
            let col = v[0].materialize(type: t[0], count: n)
            let off = v.count > 1 ? (v[1].value(at: 0).int ?? 1) : 1
            let def: Value = v.count > 2 ? v[2].value(at: 0) : .null
            var idx = [Int](repeating: -1, count: n)
            let step = max(-n - 1, min(n + 1, off))  // clamped: offsets past the table never match a row
            for i in 0..<n { let j = i + dir * step; if j >= 0 && j < n { idx[i] = j } }
            var out = col.gather(idx)
            if !def.isNull { out = Column.from(values: (0..<n).map { idx[$0] < 0 ? def : out.value(at: $0) }, type: t[0]) }
            return .column(out)
        })
    }

    static var all: [FunctionDef] {
        [
            FunctionDef("row_number", args: 0...2, returns: FunctionDef.fixed(.long), isWindow: true, vector: { v, _, n, _ in
                let start = v.count > 0 ? (v[0].value(at: 0).asInt64 ?? 1) : 1
                var out = [Int64](repeating: 0, count: n)
                var k = start
                for i in 0..<n {
                    if v.count > 1, case .bool(true) = v[1].value(at: i) { k = start }
                    out[i] = k
                    k &+= 1
                }
                return .column(Column(type: .long, data: .int64(out)))
            }),
            shift("prev", -1), shift("next", 1),
            FunctionDef("row_cumsum", args: 1...2, returns: { $0[0] }, isWindow: true, vector: { v, t, n, _ in
                var b = ColumnBuilder(type: t[0], capacity: n)
                var accL: Int64 = 0, accD: Double = 0
                for i in 0..<n {
                    if v.count > 1, case .bool(true) = v[1].value(at: i) { accL = 0; accD = 0 }
                    let x = v[0].value(at: i)
                    if t[0] == .real { accD += x.asDouble ?? 0; b.append(.real(accD)) }
                    else { accL &+= x.asInt64 ?? 0; b.append(t[0] == .timespan ? .timespan(accL) : .long(accL)) }
                }
                return .column(b.finish())
            }),
            // The first value of each row's session: a session ends when a value is more than
            // `maxFromFirst` after its first, more than `maxGap` after the previous, or `restart` holds.
            FunctionDef("row_window_session", args: 3...4, returns: { $0[0] }, isWindow: true, vector: { v, t, n, _ in
                let maxFromFirst = v[1].value(at: 0).asInt64 ?? 0, maxGap = v[2].value(at: 0).asInt64 ?? 0
                var b = ColumnBuilder(type: t[0], capacity: n)
                var first: Int64? = nil, prev: Int64? = nil
                var firstValue: Value = .null
                for i in 0..<n {
                    let x = v[0].value(at: i)
                    guard let cur = x.asInt64 else { b.append(.null); continue }
                    var restart = first == nil
                    if v.count > 3, case .bool(true) = v[3].value(at: i) { restart = true }
                    if let f = first, let p = prev, cur.subtractingReportingOverflow(f).partialValue > maxFromFirst
                        || cur.subtractingReportingOverflow(p).partialValue > maxGap { restart = true }
                    if restart { first = cur; firstValue = x }
                    prev = cur
                    b.append(firstValue)
                }
                return .column(b.finish())
            }),
            // Equal neighbours share the rank of the first of them (1, 2, 2, 4).
            FunctionDef("row_rank_min", args: 1...2, returns: FunctionDef.fixed(.long), isWindow: true, vector: { v, _, n, _ in
                var out = [Int64](repeating: 0, count: n)
                var start = 0
                for i in 0..<n {
                    if v.count > 1, case .bool(true) = v[1].value(at: i) { start = i }
                    out[i] = i > start && v[0].value(at: i) == v[0].value(at: i - 1) ? out[i - 1] : Int64(i - start + 1)
                }
                return .column(Column(type: .long, data: .int64(out)))
            }),
            FunctionDef("row_rank_dense", args: 1...2, returns: FunctionDef.fixed(.long), isWindow: true, vector: { v, _, n, _ in
                var out = [Int64](repeating: 0, count: n)
                var k: Int64 = 0
                for i in 0..<n {
                    if i == 0 || v[0].value(at: i) != v[0].value(at: i - 1) { k += 1 }
                    out[i] = k
                }
                return .column(Column(type: .long, data: .int64(out)))
            }),
        ]
    }
}
