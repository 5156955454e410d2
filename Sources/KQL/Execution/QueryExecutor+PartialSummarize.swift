import KQLSyntax

/// `T | where ... | summarize ...` over a table kept in parts (a store's extents): each part is
/// filtered and summarized on its own, and the small per-part results are merged (counts and sums
/// add, minima and maxima compare). The rows that pass the filter are never gathered into
/// table-wide columns, whose dictionaries a hundred extents would have to merge.
extension QueryExecutor {
    /// Aggregates whose per-part results merge with another aggregate.
    static let mergedBy: [String: String] = [
        "count": "sum", "countif": "sum", "sum": "sum", "sumif": "sum",
        "min": "min", "max": "max", "minif": "min", "maxif": "max",
    ]

    struct PartialSummarize {
        /// Per part: the query's aggregates under hidden names.
        var partial: [NamedExprSyntax]
        /// Over the parts' results: the merging aggregates under the query's names, by the keys' names.
        var merge: [NamedExprSyntax]
        var mergeBy: [NamedExprSyntax]
    }

    /// The two steps of a summarize, or nil when an aggregate does not merge (dcount, make_set, avg...)
    /// or a name is not one the plain summarize would give without renaming.
    static func partialSummarize(_ aggs: [NamedExprSyntax], _ by: [NamedExprSyntax]) -> PartialSummarize? {
        var partial: [NamedExprSyntax] = [], merge: [NamedExprSyntax] = [], mergeBy: [NamedExprSyntax] = []
        var names = Set<String>()
        for k in by {
            guard k.names.count <= 1, let name = k.names.first ?? Naming.derived(k.expr), names.insert(name).inserted else { return nil }
            mergeBy.append(NamedExprSyntax(names: [name], expr: .name(name, k.span), span: k.span))
        }
        for (i, a) in aggs.enumerated() {
            guard a.names.count <= 1, case .call(let fn, let args, let cspan) = a.expr, let m = mergedBy[fn],
                  let def = Aggregates.lookup(fn), def.args.contains(args.count) else { return nil }
            let name = a.names.first ?? Naming.aggregate(def, args)
            guard names.insert(name).inserted else { return nil }
            let hidden = "$partial\(i)"
            partial.append(NamedExprSyntax(names: [hidden], expr: a.expr, span: a.span))
            merge.append(NamedExprSyntax(names: [name], expr: .call(name: m, args: [ArgumentSyntax(value: .name(hidden, cspan))], cspan), span: a.span))
        }
        return aggs.isEmpty ? nil : PartialSummarize(partial: partial, merge: merge, mergeBy: mergeBy)
    }

    /// Runs `filters` then the summarize's first step on each part of stored table `n`, then merges.
    func summarizeInParts(_ n: String, _ req: ScanRequest, filters: ArraySlice<(OperatorSyntax, Span)>, needed: [Set<String>?],
                          _ plan: PartialSummarize, by: [NamedExprSyntax], _ scope: Scope, _ span: Span) throws -> Table {
        // Each part's result joins the merged columns on another core, while this one goes on.
        let merger = PartMerger()
        try provider.scanEach(n, request: req) { part in
            merger.add(try summarize(try filterPart(part, filters, needed: needed, scope), plan.partial, by, scope, span))
        }
        guard let all = try merger.finish() else { return try summarize(Table.empty(Schema([])), plan.merge, plan.mergeBy, scope, span) }
        return try summarize(all, plan.merge, plan.mergeBy, scope, span)
    }
}
