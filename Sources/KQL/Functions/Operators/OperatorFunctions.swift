/// The operators of the scalar language, registered as functions so the compiler treats them uniformly.
enum OperatorFunctions {
    static let stringOps: [(String, StringMatch.Mode, Bool, Bool)] = [
        // (name, mode, case-sensitive, negated)
        ("has", .has, false, false), ("!has", .has, false, true), ("has_cs", .has, true, false), ("!has_cs", .has, true, true),
        ("hasprefix", .hasPrefix, false, false), ("!hasprefix", .hasPrefix, false, true),
        ("hasprefix_cs", .hasPrefix, true, false), ("!hasprefix_cs", .hasPrefix, true, true),
        ("hassuffix", .hasSuffix, false, false), ("!hassuffix", .hasSuffix, false, true),
        ("hassuffix_cs", .hasSuffix, true, false), ("!hassuffix_cs", .hasSuffix, true, true),
        ("contains", .contains, false, false), ("!contains", .contains, false, true),
        ("contains_cs", .contains, true, false), ("!contains_cs", .contains, true, true),
        ("startswith", .startsWith, false, false), ("!startswith", .startsWith, false, true),
        ("startswith_cs", .startsWith, true, false), ("!startswith_cs", .startsWith, true, true),
        ("endswith", .endsWith, false, false), ("!endswith", .endsWith, false, true),
        ("endswith_cs", .endsWith, true, false), ("!endswith_cs", .endsWith, true, true),
        ("=~", .equals, false, false), ("!~", .equals, false, true),
    ]

    static var all: [FunctionDef] {
        var out: [FunctionDef] = [
            Comparison.def(.eq), Comparison.def(.ne), Comparison.def(.lt), Comparison.def(.le), Comparison.def(.gt), Comparison.def(.ge),
            Arithmetic.def("+"), Arithmetic.def("-"), Arithmetic.def("*"), Arithmetic.def("/"), Arithmetic.def("%"),
            FunctionDef("neg", args: 1...1, returns: { $0[0].isNumeric || $0[0] == .timespan || $0[0] == .dynamic ? ($0[0] == .dynamic ? .real : $0[0]) : nil },
                        row: { a, _ in
                            switch a[0] {
                            case .long(let v): return .long(0 &- v)
                            case .real(let d): return .real(-d)
                            case .timespan(let t): return .timespan(0 &- t)
                            default: return .null
                            }
                        }),
            FunctionDef("not", args: 1...1, returns: FunctionDef.fixed(.bool), row: { a, _ in
                switch a[0] { case .bool(let b): return .bool(!b); case .long(let v): return .bool(v == 0); default: return .null }
            }),
            FunctionDef("like", args: 2...2, returns: FunctionDef.fixed(.bool), row: { a, _ in .bool(StringMatch.like(a[0].kqlString, a[1].kqlString, caseSensitive: false)) }),
            FunctionDef("!like", args: 2...2, returns: FunctionDef.fixed(.bool), row: { a, _ in .bool(!StringMatch.like(a[0].kqlString, a[1].kqlString, caseSensitive: false)) }),
            FunctionDef("like_cs", args: 2...2, returns: FunctionDef.fixed(.bool), row: { a, _ in .bool(StringMatch.like(a[0].kqlString, a[1].kqlString, caseSensitive: true)) }),
            FunctionDef("!like_cs", args: 2...2, returns: FunctionDef.fixed(.bool), row: { a, _ in .bool(!StringMatch.like(a[0].kqlString, a[1].kqlString, caseSensitive: true)) }),
            FunctionDef("matches regex", args: 2...2, returns: FunctionDef.fixed(.bool),
                        row: { a, _ in .bool(try RegexCache.shared.regex(a[1].kqlString).isMatch(a[0].kqlString)) },
                        vector: { v, _, n, _ in
                            guard case .scalar(let p) = v[1], case .column(let c) = v[0] else { return nil }
                            let re = try RegexCache.shared.regex(p.kqlString)
                            guard let out = c.perString({ re.isMatch($0) }) else { return nil }
                            return .column(Column(type: .bool, data: .bool(out)))
                        }),
        ]
        for (name, mode, cs, neg) in stringOps { out.append(stringOp(name, mode, cs, neg)) }
        return out
    }

    static func stringOp(_ name: String, _ mode: StringMatch.Mode, _ cs: Bool, _ neg: Bool) -> FunctionDef {
        FunctionDef(name, args: 2...2, returns: FunctionDef.fixed(.bool),
                    row: { a, _ in
                        if name == "=~" || name == "!~", a[0].isNull || a[1].isNull, !(a[0].kqlType == .string) { return .null }
                        return .bool(StringMatch.Needle(a[1].kqlString, mode: mode, caseSensitive: cs).matches(a[0].kqlString) != neg)
                    },
                    vector: { v, _, n, _ in
                        guard case .scalar(let p) = v[1], case .column(let c) = v[0] else { return nil }
                        let needle = StringMatch.Needle(p.kqlString, mode: mode, caseSensitive: cs)
                        if let out = c.perStringParallel({ needle.matches($0) != neg }) {
                            return .column(Column(type: .bool, data: .bool(out)))
                        }
                        return .column(Column(type: .bool, data: .bool((0..<n).map { needle.matches(c.value(at: $0).kqlString) != neg })))
                    })
    }
}
