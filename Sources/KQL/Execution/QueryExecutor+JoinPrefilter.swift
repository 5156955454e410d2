import KQLSyntax

/// A streamed join's right side, cut to the rows whose key the left side has before its operators
/// run. `failures | join (SigninLogs | where ResultType == "0" | project IPAddress, ...) on IPAddress`
/// keeps nine rows in ten through the `where` and would gather them all; the few thousand addresses
/// on the left match a handful of them, and only those are gathered.
extension QueryExecutor {
    /// The right side's key as the stored part names it, when its operators are row-wise filters
    /// followed by plain projections (dropping rows early then changes nothing); nil otherwise.
    func prefilterKey(_ j: JoinSyntax, _ ops: [(OperatorSyntax, Span)], _ part: Table, _ scope: Scope) -> String? {
        guard j.on.count == 1, case .name(var key, _) = sideKey(j.on[0].1) else { return nil }
        var projections: [OperatorSyntax] = []
        for (op, _) in ops {
            switch op {
            case .whereOp(let pred):
                guard projections.isEmpty, let b = try? compile(pred, part, scope), !b.columnRefs().window else { return nil }
            case .project(let items):
                guard items.allSatisfy({ if case .name = $0.expr { return $0.names.count <= 1 }; return false }) else { return nil }
                projections.append(op)
            case .projectAway, .projectKeep, .projectRename: projections.append(op)
            default: return nil
            }
        }
        for op in projections.reversed() {
            switch op {
            case .project(let items):
                guard let item = items.last(where: { ($0.names.first ?? Naming.derived($0.expr)) == key }), case .name(let source, _) = item.expr else { return nil }
                key = source
            case .projectRename(let pairs):
                for (new, old) in pairs.reversed() {
                    if new == key { key = old } else if old == key { return nil }
                }
            default: continue
            }
        }
        return part.schema.index(of: key) != nil ? key : nil
    }

    /// The rows of `part` whose `key` some left row has (nulls never match), or nil when most do.
    func joinableRows(_ left: Table, _ part: Table, key: String, _ j: JoinSyntax, _ scope: Scope, _ span: Span) throws -> [Int]? {
        guard let k = part.schema.index(of: key) else { return nil }
        let keyOnly = Table(schema: Schema([part.schema.columns[k]]), columns: [part.columns[k]], count: part.count)
        let (lc, rc) = try joinCodes(left, keyOnly, [(j.on[0].0, .name(key, span))], scope)
        var known = [Bool](repeating: false, count: (lc.max().map { Int($0) } ?? -1) + 1)
        for c in lc where c >= 0 { known[Int(c)] = true }
        var rows: [Int] = []
        for (i, c) in rc.enumerated() where c >= 0 && Int(c) < known.count && known[Int(c)] { rows.append(i) }
        return rows.count * 2 < part.count ? rows : nil
    }
}
