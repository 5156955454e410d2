import OrderedCollections

/// Array shifts and rotations, `bag_zip` and `jaccard_index`.
enum ArrayFunctions {
    static func shift(_ name: String, left: Bool) -> FunctionDef {
        F.row(name, 2...3, .dynamic) { a, _ in
            guard let x = a[0].asArray, let k = a[1].int else { return .null }
            let fill: Value = a.count > 2 ? a[2] : .null
            let n = x.count
            guard n > 0 else { return .array([]) }
            let c = max(-n, min(n, k))
            let s = left ? c : -c
            return .array((0..<n).map { i in let j = i + s; return j >= 0 && j < n ? x[j] : fill })
        }
    }

    static func rotate(_ name: String, left: Bool) -> FunctionDef {
        F.row(name, 2...2, .dynamic) { a, _ in
            guard let x = a[0].asArray, let k = a[1].int else { return .null }
            let n = x.count
            guard n > 0 else { return .array([]) }
            let r = k % n
            let s = ((left ? r : -r) + n) % n
            return .array(Array(x[s...] + x[..<s]))
        }
    }

    static var all: [FunctionDef] {
        [
            shift("array_shift_left", left: true), shift("array_shift_right", left: false),
            rotate("array_rotate_left", left: true), rotate("array_rotate_right", left: false),
            F.row("bag_zip", 2...2, .dynamic) { a, _ in
                guard let keys = a[0].asArray, let values = a[1].asArray else { return .null }
                var d = OrderedDictionary<String, Value>()
                for (i, k) in keys.enumerated() { if case .string(let s) = k { d[s] = i < values.count ? values[i] : .null } }
                return .bag(d)
            },
            F.row("jaccard_index", 2...2, .real) { a, _ in
                guard let x = a[0].asArray, let y = a[1].asArray else { return .null }
                let sx = Set(x), sy = Set(y)
                let union = sx.union(sy).count
                return .real(union == 0 ? 0 : Double(sx.intersection(sy).count) / Double(union))
            },
        ]
    }
}
