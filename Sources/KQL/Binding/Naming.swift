import KQLSyntax

/// Kusto's default result-column names.
enum Naming {
    static let nameKeeping: Set<String> = [
        "bin", "bin_at", "floor", "tostring", "toint", "tolong", "toreal", "todouble", "todatetime", "tobool",
        "toboolean", "todynamic", "toguid", "totimespan", "todecimal", "tolower", "toupper",
    ]

    static func derived(_ e: ExprSyntax) -> String? {
        switch e {
        case .name(let n, _): return n.hasPrefix("$") ? nil : n
        case .member(let b, let k, _):
            if case .name(let n, _) = b, n == "$left" || n == "$right" { return k }
            return derived(b).map { $0 + "_" + k }
        case .index(let b, .literal(.int(let i), _), _): return derived(b).map { $0 + "_" + String(i) }
        case .call(let f, let args, _) where nameKeeping.contains(f) && !args.isEmpty: return derived(args[0].value)
        default: return nil
        }
    }

    /// `count_`, `sum_Bytes`, `dcount_IPAddress`...
    static func aggregate(_ def: AggregateDef, _ args: [ArgumentSyntax]) -> String {
        // count() and countif(p) name no column; count(x) names its argument (the summarize page's count_x).
        if def.prefix == "countif_" || (def.prefix == "count_" && args.isEmpty) { return def.prefix }
        guard let a = args.first, let d = derived(a.value) else { return def.prefix }
        return def.prefix + d
    }
}

/// Human-readable plan steps for `--explain`.
enum Explain {
    static func describe(_ op: OperatorSyntax) -> String {
        switch op {
        case .whereOp: return "Filter"
        case .project: return "Project"
        case .extend: return "Extend"
        case .summarize(let a, let b, _): return "HashAggregate aggregates=\(a.count) keys=\(b.count)"
        case .top: return "TopK (heap)"
        case .sort: return "Sort"
        case .join(let j): return "HashJoin kind=\(j.kind)"
        case .take: return "Limit"
        default: return String(describing: op).split(separator: "(").first.map(String.init) ?? "Operator"
        }
    }

    static func dotnetType(_ t: KQLType) -> String {
        switch t {
        case .bool: return "Boolean"
        case .int: return "Int32"
        case .long: return "Int64"
        case .real: return "Double"
        case .decimal: return "Data.SqlTypes.SqlDecimal"
        case .string: return "String"
        case .datetime: return "DateTime"
        case .timespan: return "TimeSpan"
        case .guid: return "Guid"
        case .dynamic: return "Object"
        }
    }
}

/// `search "term"` and `search Col:"x"` rewritten to ordinary predicates over all string columns.
enum SearchPredicate {
    static func rewrite(_ e: ExprSyntax) -> ExprSyntax {
        switch e {
        case .literal(.string(let s), let span):
            return .call(name: "__search_any", args: [ArgumentSyntax(value: .literal(.string(s), span))], span)
        case .binary(let op, let l, let r, let span) where op == "and" || op == "or":
            return .binary(op, rewrite(l), rewrite(r), span)
        default: return e
        }
    }
}
