/// `iff`, `case`, `coalesce`, `isempty`... Types unify to the first non-dynamic branch type.
enum ConditionalFunctions {
    static func unify(_ ts: ArraySlice<KQLType>) -> KQLType {
        var t: KQLType? = nil
        for x in ts {
            if t == nil { t = x; continue }
            if t == x { continue }
            if t!.isNumeric && x.isNumeric { t = (t == .real || x == .real) ? .real : .long; continue }
            if t == .dynamic { t = x }
        }
        return t ?? .dynamic
    }

    static let iffDef = FunctionDef("iff", args: 3...3, returns: { unify([$0[1], $0[2]]) },
        row: { a, _ in a[0].asBool == true ? a[1] : a[2] },
        vector: { v, t, n, _ in
            guard case .column(let c) = v[0], case .bool(let cond) = c.data else { return nil }
            let rt = unify([t[1], t[2]])
            let a = v[1].materialize(type: rt, count: n), b = v[2].materialize(type: rt, count: n)
            var mask = [Bool](repeating: false, count: n)
            for i in 0..<n { mask[i] = cond[i] && !(c.nulls?[i] ?? false) }
            // Typed merge without boxing for the common buffer types.
            switch (a.data, b.data) {
            case (.int64(let x), .int64(let y)):
                var out = [Int64](repeating: 0, count: n)
                var nulls: [Bool]? = (a.nulls != nil || b.nulls != nil) ? [Bool](repeating: false, count: n) : nil
                for i in 0..<n { out[i] = mask[i] ? x[i] : y[i]; if nulls != nil { nulls![i] = mask[i] ? a.isNull(i) : b.isNull(i) } }
                return .column(Column(type: rt, data: .int64(out), nulls: nulls))
            case (.string(let x), .string(let y)) where rt == .string:
                return .column(Column(type: rt, data: .string((0..<n).map { mask[$0] ? x[$0] : y[$0] })))
            default:
                var bld = ColumnBuilder(type: rt, capacity: n)
                for i in 0..<n { bld.append(mask[i] ? a.value(at: i) : b.value(at: i)) }
                return .column(bld.finish())
            }
        })

    static var all: [FunctionDef] {
        [
            iffDef, F.alias(iffDef, "iif"),
            FunctionDef("case", args: 3...65_535, returns: { ts in
                var branch: [KQLType] = []
                var i = 1
                while i < ts.count { branch.append(ts[i]); i += 2 }
                branch.append(ts[ts.count - 1])
                return unify(branch[...])
            }, row: { a, _ in
                var i = 0
                while i + 1 < a.count { if a[i].asBool == true { return a[i + 1] }; i += 2 }
                return a[a.count - 1]
            }),
            FunctionDef("coalesce", args: 1...65_535, returns: { unify($0[...]) }, row: { a, _ in
                a.first { v in if case .string(let s) = v { return !s.isEmpty }; return !v.isNull } ?? (a.last ?? .null)
            }),
            FunctionDef("max_of", args: 1...65_535, returns: { unify($0[...]) }, row: { a, _ in a.filter { !$0.isNull }.max() ?? .null }),
            FunctionDef("min_of", args: 1...65_535, returns: { unify($0[...]) }, row: { a, _ in a.filter { !$0.isNull }.min() ?? .null }),
            FunctionDef("isnull", args: 1...1, returns: FunctionDef.fixed(.bool), row: { a, _ in .bool(a[0].isNull) },
                        vector: { v, t, n, _ in
                            guard case .column(let c) = v[0] else { return nil }
                            if t[0] == .string { return .column(Column.constant(.bool(false), type: .bool, count: n)) }
                            return .column(Column(type: .bool, data: .bool((0..<n).map { c.isNull($0) })))
                        }),
            F.row("isnotnull", 1...1, .bool) { a, _ in .bool(!a[0].isNull) },
            isEmptyDef(negated: false), isEmptyDef(negated: true),
            F.alias(isEmptyDef(negated: false), "empty"), F.alias(isEmptyDef(negated: true), "notempty"),
            F.alias(F.row("isnotnull", 1...1, .bool) { a, _ in .bool(!a[0].isNull) }, "notnull"),
        ]
    }

    static func isEmptyDef(negated: Bool) -> FunctionDef {
        FunctionDef(negated ? "isnotempty" : "isempty", args: 1...1, returns: FunctionDef.fixed(.bool),
                    row: { a, _ in .bool(isEmpty(a[0]) != negated) },
                    vector: { v, _, _, _ in
                        guard case .column(let c) = v[0], c.type == .string, let out = c.perString({ $0.isEmpty != negated }) else { return nil }
                        return .column(Column(type: .bool, data: .bool(out)))
                    })
    }

    static func isEmpty(_ v: Value) -> Bool {
        switch v {
        case .null: return true
        case .string(let s): return s.isEmpty
        default: return false
        }
    }
}
