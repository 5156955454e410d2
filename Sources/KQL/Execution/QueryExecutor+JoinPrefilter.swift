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
