import KQLSyntax
import OrderedCollections

/// Graph semantics: `make-graph` builds a graph from an edge table (and node tables), `graph-match`
/// finds the pattern's matches and projects them, `graph-shortest-paths` keeps the shortest,
/// `graph-to-table` turns nodes or edges back into rows. A graph travels between operators as a
/// one-row `$graph` table naming it in the executor.
extension QueryExecutor {
    final class Graph {
        var nodeKeys: [Value] = []
        var nodeProps: [OrderedDictionary<String, Value>] = []
        var index: [Value: Int] = [:]
        var edgeProps: [OrderedDictionary<String, Value>] = []
        var edgeEnds: [(Int, Int)] = []
        var out: [[Int]] = [], inc: [[Int]] = []
        var sourceName = "", targetName = "", nodeIdName: String?

        /// The nodes a walk passes through between its first and last node.
        func innerNodes(from start: Int, along edges: [Int]) -> [Int] {
            var at = start, inner: [Int] = []
            for e in edges.dropLast() {
                at = edgeEnds[e].0 == at ? edgeEnds[e].1 : edgeEnds[e].0
                inner.append(at)
            }
            return inner
        }

        /// A node's properties with its degrees under hidden keys, for `node_degree_in()` inside `all(inner_nodes(p), ...)`.
        func nodeWithDegrees(_ n: Int) -> Value {
            .bag(nodeProps[n].merging(["$in": .long(Int64(inc[n].count)), "$out": .long(Int64(out[n].count))]) { a, _ in a })
        }

        func node(_ key: Value) -> Int {
            if let i = index[key] { return i }
            index[key] = nodeKeys.count
            nodeKeys.append(key); nodeProps.append([:]); out.append([]); inc.append([])
            return nodeKeys.count - 1
        }
    }

    static let graphColumn = "$graph"

    func graph(of input: Table, _ span: Span) throws -> Graph {
        guard input.schema.names == [Self.graphColumn], input.count == 1, let id = input.columns[0].value(at: 0).asInt64, let g = graphs[Int(id)] else {
            throw KQLError.bind(DiagnosticCode.badArgument, "graph operators take the output of make-graph", span)
        }
        return g
    }

    func makeGraph(_ input: Table, _ m: MakeGraphSyntax, _ scope: Scope, _ span: Span) throws -> Table {
        guard let src = input.column(named: m.source), let dst = input.column(named: m.target) else {
            throw KQLError.bind(DiagnosticCode.unknownColumn, "make-graph: the edges have no column '\(input.column(named: m.source) == nil ? m.source : m.target)'"
                                + NameSuggestion.didYouMean(input.column(named: m.source) == nil ? m.source : m.target, among: input.schema.names), span)
        }
        let g = Graph()
        g.sourceName = m.source; g.targetName = m.target; g.nodeIdName = m.nodeIdName
        for (t, key) in m.nodes {
            let nodes = try tabular(t, scope)
            guard let k = nodes.column(named: key) else { throw KQLError.bind(DiagnosticCode.unknownColumn, "make-graph: the nodes have no column '\(key)'", span) }
            for r in 0..<nodes.count {
                let n = g.node(k.value(at: r))
                for (i, c) in nodes.schema.columns.enumerated() { g.nodeProps[n][c.name] = nodes.columns[i].value(at: r) }
            }
        }
        for r in 0..<input.count {
            let a = g.node(src.value(at: r)), b = g.node(dst.value(at: r))
            var props = OrderedDictionary<String, Value>()
            for (i, c) in input.schema.columns.enumerated() { props[c.name] = input.columns[i].value(at: r) }
            g.out[a].append(g.edgeProps.count); g.inc[b].append(g.edgeProps.count)
            g.edgeProps.append(props); g.edgeEnds.append((a, b))
        }
        // Nodes known only from edges carry their id under the `with_node_id` name (if any).
        if let idName = m.nodeIdName { for n in 0..<g.nodeKeys.count where g.nodeProps[n][idName] == nil { g.nodeProps[n][idName] = g.nodeKeys[n] } }
        let id = graphs.count
        graphs[id] = g
        return Table.from(schema: Schema([ColumnSchema(Self.graphColumn, .long)]), rows: [[.long(Int64(id))]])
    }

    func graphToTable(_ input: Table, _ what: String, _ opts: [String: String], _ span: Span) throws -> Table {
        let g = try graph(of: input, span)
        var rows: [OrderedDictionary<String, Value>] = []
        if what.lowercased().hasPrefix("node") {
            for n in 0..<g.nodeKeys.count {
                var r = g.nodeProps[n]
                if let idc = opts["with_node_id"] { r[idc] = g.nodeKeys[n] }
                rows.append(r)
            }
        } else {
            for (e, (a, b)) in g.edgeEnds.enumerated() {
                var r = g.edgeProps[e]
                if let s = opts["with_source_id"] { r[s] = g.nodeKeys[a] }
                if let t = opts["with_target_id"] { r[t] = g.nodeKeys[b] }
                rows.append(r)
            }
        }
        return Self.tableOfBags(rows)
    }

    /// Rows of property bags as a table: a column per key, typed when its values agree.
    static func tableOfBags(_ rows: [OrderedDictionary<String, Value>]) -> Table {
        var keys = OrderedDictionary<String, Set<KQLType>>()
        for r in rows { for (k, v) in r { keys[k, default: []].formUnion(v.isNull ? [] : [v.kqlType]) } }
        let schema = keys.map { ColumnSchema($0.key, $0.value.count == 1 ? $0.value.first! : ($0.value.isEmpty ? .string : .dynamic)) }
        return Table.from(schema: Schema(schema), rows: rows.map { r in schema.map { c in (r[c.name] ?? .null).converted(to: c.type) } })
    }

    /// One match: the node index of each pattern node, the edges of each pattern edge.
    struct GraphBinding { var nodes: [Int]; var edges: [[Int]] }

    func graphMatch(_ input: Table, _ m: GraphMatchSyntax, _ scope: Scope, _ span: Span) throws -> Table {
        let g = try graph(of: input, span)
        let cycles = (m.options["cycles"] ?? "unique_edges").lowercased()
        // Matches of each path, then their combinations agreeing on shared node names.
        var perPath: [[GraphBinding]] = []
        for p in m.paths {
            var found: [GraphBinding] = []
            func extend(_ k: Int, _ cur: GraphBinding) throws {
                if k == p.edges.count { found.append(cur); try checkBudget(found.count, "graph-match", span); return }
                let e = p.edges[k]
                // Walks of minHops...maxHops edges from the current node.
                func walk(_ at: Int, _ hops: [Int], _ visited: Set<Int>) throws {
                    if hops.count >= e.minHops {
                        var next = cur
                        next.nodes.append(at)
                        next.edges.append(hops)
                        let name = p.nodes[k + 1]
                        let earlier = name.flatMap { n in p.nodes[0...k].firstIndex(of: n) }
                        if earlier == nil || next.nodes[earlier!] == at {
                            let usedEdges = next.edges.flatMap { $0 }
                            let okEdges = cycles == "all" || Set(usedEdges).count == usedEdges.count
                            let okNodes = cycles != "none" || Set(next.nodes).count == next.nodes.count || earlier != nil
                            if okEdges && okNodes { try extend(k + 1, next) }
                        }
                    }
                    guard hops.count < e.maxHops else { return }
                    var steps: [(Int, Int)] = []
                    if e.direction != .backward { steps += g.out[at].map { ($0, g.edgeEnds[$0].1) } }
                    if e.direction != .forward { steps += g.inc[at].map { ($0, g.edgeEnds[$0].0) } }
                    for (edge, to) in steps where !visited.contains(edge) { try walk(to, hops + [edge], visited.union([edge])) }
                }
                try walk(cur.nodes[k], [], [])
            }
            for start in 0..<g.nodeKeys.count { try extend(0, GraphBinding(nodes: [start], edges: [])) }
            perPath.append(found)
        }
        // Columns: each named node and edge (a bag; a variable-length edge is an array of bags).
        var names: [String] = [], isEdge: [Bool] = [], variable: [Bool] = []
        for p in m.paths {
            for n in p.nodes { if let n, !names.contains(n) { names.append(n); isEdge.append(false); variable.append(false) } }
            for e in p.edges { if let n = e.name, !names.contains(n) { names.append(n); isEdge.append(true); variable.append(e.variable) } }
        }
        var combos: [[String: Value]] = [[:]]
        var shortestKeys: [String] = []
        for (pi, p) in m.paths.enumerated() {
            var next: [[String: Value]] = []
            for base in combos {
                for b in perPath[pi] {
                    var row = base
                    var ok = true
                    for (k, n) in p.nodes.enumerated() {
                        guard let n else { continue }
                        let node = b.nodes[k]
                        if let prev = row["$node_" + n], prev != .long(Int64(node)) { ok = false; break }
                        row[n] = .bag(g.nodeProps[node])
                        row["$node_" + n] = .long(Int64(node))
                        row["$in_" + n] = .long(Int64(g.inc[node].count))
                        row["$out_" + n] = .long(Int64(g.out[node].count))
                    }
                    guard ok else { continue }
                    for (k, e) in p.edges.enumerated() {
                        let bags = b.edges[k].map { Value.bag(g.edgeProps[$0]) }
                        if let n = e.name {
                            row[n] = e.variable ? .array(bags) : bags[0]
                            if e.variable { row["$inner_" + n] = .array(g.innerNodes(from: b.nodes[k], along: b.edges[k]).map(g.nodeWithDegrees)) }
                        }
                        row["$hops\(pi)_\(k)"] = .long(Int64(b.edges[k].count))
                    }
                    next.append(row)
                    try checkBudget(next.count, "graph-match", span)
                }
            }
            combos = next
            shortestKeys = p.nodes.compactMap { $0 }
        }
        // Hidden columns: each node's index and degrees (`node_degree_in(n)`), each variable-length
        // edge's inner nodes (`inner_nodes(e)`), and the match's hop count.
        var hidden: [ColumnSchema] = []
        for (n, edge) in zip(names, isEdge) {
            if !edge { hidden += ["$node_", "$in_", "$out_"].map { ColumnSchema($0 + n, .long) } }
        }
        for (n, v) in zip(names, variable) where v { hidden.append(ColumnSchema("$inner_" + n, .dynamic)) }
        let schema = Schema(names.map { ColumnSchema($0, .dynamic) } + hidden + [ColumnSchema("$hops", .long)])
        var t = Table.from(schema: schema, rows: combos.map { r in
            (names + hidden.map(\.name)).map { r[$0] ?? .null } + [.long(r.filter { $0.key.hasPrefix("$hops") }.values.reduce(0) { $0 + ($1.asInt64 ?? 0) })]
        })
        let s = scope.child()
        if let pred = m.predicate { t = try filter(t, GraphFunctions.rewrite(pred), s) }
        if m.shortest {
            // Per pair of end nodes, the matches with the fewest edges (one of them with output=any).
            let all = (m.options["output"] ?? "any").lowercased() == "all"
            let ends = [shortestKeys.first, shortestKeys.last].compactMap { $0 }.compactMap { t.schema.index(of: "$node_" + $0) }
            var best: [[Value]: Int64] = [:]
            let hops = t.schema.index(of: "$hops")!
            for r in 0..<t.count {
                let k = ends.map { t.columns[$0].value(at: r) }, h = t.columns[hops].value(at: r).asInt64 ?? 0
                best[k] = min(best[k] ?? .max, h)
            }
            var seen = Set<[Value]>()
            let keep = (0..<t.count).filter { r in
                let k = ends.map { t.columns[$0].value(at: r) }
                guard t.columns[hops].value(at: r).asInt64 == best[k] else { return false }
                return all || seen.insert(k).inserted
            }
            t = t.gather(keep)
        }
        guard !m.project.isEmpty else { return selectColumns(t, t.schema.columns.indices.filter { !t.schema.columns[$0].name.hasPrefix("$") }) }
        return Self.settleTypes(try project(t, m.project.map { NamedExprSyntax(names: $0.names, expr: GraphFunctions.rewrite($0.expr), span: $0.span) }, s))
    }

    /// Dynamic columns whose values all share one scalar type take that type (`a.name` is a string).
    static func settleTypes(_ t: Table) -> Table {
        var out = t
        for (i, c) in t.schema.columns.enumerated() where c.type == .dynamic {
            let values = (0..<t.count).map { t.columns[i].value(at: $0) }
            let types = Set(values.filter { !$0.isNull }.map(\.kqlType))
            guard types.count == 1, let ty = types.first, ty != .dynamic else { continue }
            out.schema.columns[i] = ColumnSchema(c.name, ty)
            out.columns[i] = Column.from(values: values, type: ty)
        }
        return out
    }
}

/// graph-match's functions of a match, rewritten to its hidden columns: `node_degree_in(n)` and
/// `node_degree_out(n)` (edges counted with multiplicity, a self-loop once each way), their no-argument
/// form on an element of `inner_nodes(e)`, and `inner_nodes(e)` (the nodes between a variable-length
/// edge's ends, for `map`, `all` and `any`).
enum GraphFunctions {
    static func rewrite(_ e: ExprSyntax) -> ExprSyntax {
        e.rewritten { node in
            guard case .call(let f, let args, let span) = node else { return nil }
            let fn = f.lowercased()
            if fn == "node_degree_in" || fn == "node_degree_out" {
                let key = fn == "node_degree_in" ? "$in" : "$out"
                if args.isEmpty { return .name(key, span) }
                if args.count == 1, case .name(let n, _) = args[0].value { return .name(key + "_" + n, span) }
            }
            if fn == "inner_nodes", args.count == 1, case .name(let n, _) = args[0].value { return .name("$inner_" + n, span) }
            return nil
        }
    }
}
