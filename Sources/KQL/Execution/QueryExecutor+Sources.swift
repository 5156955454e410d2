import KQLSyntax

extension QueryExecutor {
    func source(_ s: SourceSyntax, _ scope: Scope, _ span: Span) throws -> Table {
        switch s {
        case .datatable(let cols, let values):
            let schema = Schema(try cols.map { c in
                guard let t = KQLType(name: c.type) else { throw KQLError.bind(DiagnosticCode.badLiteral, "unknown type '\(c.type)'", c.span) }
                return ColumnSchema(c.name, t)
            })
            guard !cols.isEmpty else { return Table.empty(schema) }
            guard values.count % cols.count == 0 else {
                throw KQLError.bind(DiagnosticCode.badArgument, "datatable has \(values.count) values, not a multiple of its \(cols.count) columns", span)
            }
            var rows: [[Value]] = []
            var row: [Value] = []
            for (i, v) in values.enumerated() {
                let c = try constant(v, scope)
                let t = schema.columns[i % cols.count].type
                let conv = c.converted(to: t)
                if !c.isNull && conv.isNull && t != .dynamic {
                    throw KQLError.bind(DiagnosticCode.typeMismatch, "datatable value does not match column type \(t.rawValue)", v.span)
                }
                row.append(conv)
                if row.count == cols.count { rows.append(row); row = [] }
            }
            return Table.from(schema: schema, rows: rows)
        case .print(let items):
            // Unnamed print expressions are `print_<position>` unless they name a column themselves; a
            // function's parameter is not a column (`print list | mv-apply l = print_0 ...`, ASIM's parsers).
            let named = items.enumerated().map { i, it in
                var bare = false
                if case .name(let n, _) = it.expr, scope.isParameter(n) { bare = true }
                return it.names.isEmpty && (bare || Naming.derived(it.expr) == nil) && !MultiOutput.isMultiple(it.expr) ? NamedExprSyntax(names: ["print_\(i)"], expr: it.expr, span: it.span) : it
            }
            return try project(Table(schema: Schema([]), columns: [], count: 1), named, scope)
        case .range(let col, let from, let to, let step):
            let a = try constant(from, scope), b = try constant(to, scope), st = try constant(step, scope)
            var vals: [Value] = []
            // Refuse before allocating: the row budget bounds what a source may create.
            if let lo = a.asDouble, let hi = b.asDouble, let d = st.asDouble, d != 0, (hi - lo) / d > Double(ctx.maxRows) {
                throw KQLError.runtime("range would produce more than \(ctx.maxRows) rows", span, code: DiagnosticCode.budgetExceeded)
            }
            switch (a, b) {
            case (.datetime(var t), .datetime(let e)):
                guard case .timespan(let d) = st, d > 0 else { throw KQLError.bind(DiagnosticCode.badArgument, "range step must be a positive timespan", span) }
                while t <= e { vals.append(.datetime(t)); let (nt, o) = t.addingReportingOverflow(d); if o { break }; t = nt; if vals.count > ctx.maxRows { throw KQLError.runtime("range exceeds the row budget", span, code: DiagnosticCode.budgetExceeded) } }
            case (.timespan(var x), .timespan(let e)):
                guard case .timespan(let d) = st, d != 0 else { throw KQLError.bind(DiagnosticCode.badArgument, "range step must be a non-zero timespan", span) }
                while d > 0 ? x <= e : x >= e { vals.append(.timespan(x)); let (nx, o) = x.addingReportingOverflow(d); if o { break }; x = nx; if vals.count > ctx.maxRows { throw KQLError.runtime("range exceeds the row budget", span, code: DiagnosticCode.budgetExceeded) } }
            case (.long(var x), .long(let e)) where st.kqlType == .long:
                let d = st.asInt64 ?? 1
                guard d != 0 else { throw KQLError.bind(DiagnosticCode.badArgument, "range step must not be zero", span) }
                while d > 0 ? x <= e : x >= e { vals.append(.long(x)); let (nx, o) = x.addingReportingOverflow(d); if o { break }; x = nx; if vals.count > ctx.maxRows { throw KQLError.runtime("range exceeds the row budget", span, code: DiagnosticCode.budgetExceeded) } }
            default:
                guard var x = a.asDouble, let e = b.asDouble, let d = st.asDouble, d != 0 else { throw KQLError.bind(DiagnosticCode.badArgument, "range needs numeric or datetime bounds", span) }
                while d > 0 ? x <= e : x >= e { vals.append(.real(x)); x += d; if vals.count > ctx.maxRows { throw KQLError.runtime("range exceeds the row budget", span, code: DiagnosticCode.budgetExceeded) } }
            }
            let t = vals.first?.kqlType ?? a.kqlType
            return Table(schema: Schema([ColumnSchema(col, t)]), columns: [Column.from(values: vals, type: t)], count: vals.count)
        case .union(let u):
            return try union(u, first: nil, scope, span)
        case .search(let s):
            let names = s.tables.isEmpty ? provider.tableNames() : provider.tableNames().filter { n in s.tables.contains { Wildcard.matches(n, $0) } }
            let u = try union(UnionSyntax(kind: nil, withSource: "$table", isFuzzy: true, tables: names.map { .name($0, span) }), first: nil, scope, span)
            return try filter(u, SearchPredicate.rewrite(s.predicate), scope)
        case .externaldata(let cols, _) where bindOnly:
            return Table.empty(Schema(cols.map { ColumnSchema($0.name, KQLType(name: $0.type) ?? .string) }))
        case .externaldata:
            throw KQLError.runtime("externaldata is not executed: Vigil never fetches data from the network; load the file into a table or watchlist instead", span, code: DiagnosticCode.externalData)
        case .find(let f):
            return try find(f, scope, span)
        case .evaluate(let plugin, let args):
            return try evaluatePlugin(plugin, args, Table(schema: Schema([]), columns: [], count: 0), scope, span)
        }
    }
}
