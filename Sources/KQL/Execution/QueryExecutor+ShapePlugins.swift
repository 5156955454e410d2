import KQLSyntax
import OrderedCollections

/// Plugins that reshape rows: `narrow`, `rows_near`, `schema_merge`, `dcount_intersect`, and
/// `ipv6_lookup` (the IPv6 twin of `ipv4_lookup`).
extension QueryExecutor {
    /// `narrow()`: one row per cell, as (Row, Column, Value) with the value as text.
    func narrow(_ input: Table) -> Table {
        var rows: [[Value]] = []
        for r in 0..<input.count {
            for (i, c) in input.schema.columns.enumerated() {
                let v = input.columns[i].value(at: r)
                rows.append([.long(Int64(r)), .string(c.name), .string(v.isNull ? "" : v.kqlString)])
            }
        }
        return Table.from(schema: Schema([ColumnSchema("Row", .long), ColumnSchema("Column", .string), ColumnSchema("Value", .string)]), rows: rows)
    }

    /// `rows_near(predicate, before [, after])`: the rows matching, with `before` rows ahead of each
    /// and `after` rows following it (the input in its serialized order).
    func rowsNear(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        guard args.count >= 2 else { throw KQLError.bind(DiagnosticCode.wrongArguments, "rows_near(predicate, rows_before [, rows_after])", span) }
        let mask = try filterMask(input, args[0].value, scope)
        let before = max(0, try constant(args[1].value, scope).int ?? 0)
        let after = args.count > 2 ? max(0, try constant(args[2].value, scope).int ?? 0) : before
        var keep = [Bool](repeating: false, count: input.count)
        for i in 0..<input.count where mask[i] {
            for j in max(0, i - before)...min(input.count - 1, i + after) { keep[j] = true }
        }
        return input.gather((0..<input.count).filter { keep[$0] })
    }

    /// `schema_merge([PreserveOrder])` over `getschema` rows of several tables: each column once, in
    /// the order first seen (or by name), a column whose types differ becoming dynamic.
    func schemaMerge(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        let preserve = try args.first.map { try constant($0.value, scope).asBool ?? true } ?? true
        guard let names = input.column(named: "ColumnName"), let types = input.column(named: "ColumnType") else {
            throw KQLError.bind(DiagnosticCode.badArgument, "schema_merge reads getschema output (ColumnName, ColumnType)", span)
        }
        var merged = OrderedDictionary<String, String>()
        for r in 0..<input.count {
            let n = names.value(at: r).kqlString, t = types.value(at: r).kqlString
            if let old = merged[n], old != t { merged[n] = "dynamic" } else if merged[n] == nil { merged[n] = t }
        }
        var keys = Array(merged.keys)
        if !preserve { keys.sort() }
        let rows: [[Value]] = keys.enumerated().map { i, k in
            let t = KQLType(name: merged[k]!) ?? .dynamic
            return [.string(k), .long(Int64(i)), .string("System." + Explain.dotnetType(t)), .string(t.rawValue)]
        }
        return Table.from(schema: Schema([ColumnSchema("ColumnName", .string), ColumnSchema("ColumnOrdinal", .long),
                                          ColumnSchema("DataType", .string), ColumnSchema("ColumnType", .string)]), rows: rows)
    }

    /// `dcount_intersect(hll1, hll2, ...)`: per row, `dcount0` the first set's size, `dcountN` the
    /// size of the intersection of the first N+1 sets. (Vigil's hll values hold the distinct values.)
    func dcountIntersect(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        guard (2...16).contains(args.count) else { throw KQLError.bind(DiagnosticCode.wrongArguments, "dcount_intersect takes 2 to 16 hll columns", span) }
        let sets = try args.map { try compile($0.value, input, scope).evaluate(input, ctx) }
        var t = input
        var outs = [[Value]](repeating: [], count: args.count)
        for r in 0..<input.count {
            var acc: Set<Value>? = nil
            for (k, s) in sets.enumerated() {
                let items = Set(s.value(at: r).asArray ?? [])
                acc = acc.map { $0.intersection(items) } ?? items
                outs[k].append(.long(Int64(acc!.count)))
            }
        }
        for k in 0..<args.count {
            t.schema.columns.append(ColumnSchema("dcount\(k)", .long))
            t.columns.append(Column.from(values: outs[k], type: .long))
        }
        return t
    }

    /// `ipv6_lookup(Ranges, IpColumn, RangeColumn [, return_unmatched])`: the longest matching prefix.
    func ipv6Lookup(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, _ span: Span) throws -> Table {
        guard args.count >= 3 else { throw KQLError.bind(DiagnosticCode.wrongArguments, "ipv6_lookup(LookupTable, SourceIPv6Column, IPv6RangeColumn [, return_unmatched])", span) }
        let lookup = try tabular(args[0].value, scope)
        let ips = try compile(args[1].value, input, scope).evaluate(input, ctx)
        guard case .name(let rangeName, _) = args[2].value, let ri = lookup.schema.index(of: rangeName) else {
            throw KQLError.bind(DiagnosticCode.unknownColumn, "ipv6_lookup: the third argument must be a column of the lookup table", args[2].value.span)
        }
        let keepUnmatched = args.count > 3 ? (try constant(args[3].value, scope).asBool ?? false) : false
        let ranges: [(([UInt16], Int), Int)] = (0..<lookup.count).compactMap { r in
            IPFunctions.v6Prefix(lookup.columns[ri].value(at: r).kqlString).map { ($0, r) }
        }.sorted { $0.0.1 > $1.0.1 }
        var li: [Int] = [], rows: [Int] = []
        for i in 0..<input.count {
            var hit = -1
            if let ip = IPFunctions.v6Prefix(ips.value(at: i).kqlString) {
                for (range, r) in ranges where IPFunctions.compare6(ip, range, range.1) == 0 { hit = r; break }
            }
            if hit >= 0 || keepUnmatched { li.append(i); rows.append(hit) }
        }
        let extra = lookup.schema.columns.indices.filter { input.schema.index(of: lookup.schema.columns[$0].name) == nil }
        return combine(input, li, selectColumns(lookup, extra), rows)
    }
}

extension QueryExecutor {
    /// `geo_polygon_lookup(Polygons, PolygonColumn, Lon, Lat [, kind])`: each row joined with the polygons
    /// containing its point (`kind=leftouter` keeps rows no polygon contains).
    func geoLookup(_ args: [ArgumentSyntax], _ input: Table, _ scope: Scope, lines: Bool, _ span: Span) throws -> Table {
        let usage = lines ? "geo_line_lookup(Lines, LineColumn, Lon, Lat, Radius [, kind])" : "geo_polygon_lookup(Polygons, PolygonColumn, Lon, Lat [, kind])"
        guard args.count >= (lines ? 5 : 4) else { throw KQLError.bind(DiagnosticCode.wrongArguments, usage, span) }
        let lookup = try tabular(args[0].value, scope)
        guard case .name(let shapeName, _) = args[1].value, let si = lookup.schema.index(of: shapeName) else {
            throw KQLError.bind(DiagnosticCode.unknownColumn, "\(usage): the second argument is a column of the lookup table", args[1].value.span)
        }
        let lon = try compile(args[2].value, input, scope).evaluate(input, ctx), lat = try compile(args[3].value, input, scope).evaluate(input, ctx)
        let radius = lines ? (try constant(args[4].value, scope).asDouble ?? 0) : 0
        let kindArg = args.dropFirst(lines ? 5 : 4).first
        let keepUnmatched = try kindArg.map { try constant($0.value, scope).kqlString.lowercased() == "leftouter" } ?? false
        let shapes = (0..<lookup.count).map { GeoShape.parse(lookup.columns[si].value(at: $0)) }
        var li: [Int] = [], ri: [Int] = []
        for r in 0..<input.count {
            var matched = false
            if let p = GeoFunctions.point(lon.value(at: r), lat.value(at: r)) {
                let v = Sphere.vec(p)
                for (k, s) in shapes.enumerated() {
                    guard let s else { continue }
                    let hit: Bool
                    if lines {
                        hit = (s.lines ?? []).contains { l in GeoFunctions.edges(l.map(Sphere.vec), closed: false).contains { Sphere.distanceToArc(v, $0.0, $0.1) <= radius } }
                    } else {
                        hit = s.polygons.map { GeoFunctions.inPolygons(v, $0.map { $0.map { $0.map(Sphere.vec) } }) } ?? false
                    }
                    if hit { li.append(r); ri.append(k); matched = true }
                }
            }
            if !matched && keepUnmatched { li.append(r); ri.append(-1) }
        }
        let extra = lookup.schema.columns.indices.filter { input.schema.index(of: lookup.schema.columns[$0].name) == nil }
        return combine(input, li, selectColumns(lookup, extra), ri)
    }
}
