import KQLSyntax
import OrderedCollections

/// `graph-mark-components`: each node of the graph gets the index of its connected component (weak:
/// edges read both ways; strong: nodes that reach each other along the edges' directions) under
/// `with_component_id` (default `ComponentId`). Indexes are consecutive from 0 in the order the
/// components' first nodes entered the graph, so the same graph always numbers the same way.
extension QueryExecutor {
    func markComponents(_ input: Table, _ opts: [String: String], _ span: Span) throws -> Table {
        let g = try graph(of: input, span)
        let kind = (opts["kind"] ?? "weak").lowercased()
        guard kind == "weak" || kind == "strong" else {
            throw KQLError.bind(DiagnosticCode.badArgument, "graph-mark-components: kind is weak or strong, not '\(kind)'", span)
        }
        let name = opts["with_component_id"] ?? "ComponentId"
        let component = kind == "weak" ? Self.weakComponents(g) : Self.strongComponents(g)
        let marked = g.copy()
        for n in marked.nodeKeys.indices { marked.nodeProps[n][name] = .long(Int64(component[n])) }
        let id = graphs.count
        graphs[id] = marked
        return Table.from(schema: Schema([ColumnSchema(Self.graphColumn, .long)]), rows: [[.long(Int64(id))]])
    }

    /// Components ignoring direction (union-find), numbered by their first node.
    static func weakComponents(_ g: Graph) -> [Int] {
        var parent = Array(g.nodeKeys.indices)
        func root(_ x: Int) -> Int {
            var r = x
            while parent[r] != r { r = parent[r] }
            var y = x
            while parent[y] != r { let next = parent[y]; parent[y] = r; y = next }
            return r
        }
        for (a, b) in g.edgeEnds {
            let ra = root(a), rb = root(b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        return numbered(g.nodeKeys.indices.map(root))
    }

    /// Strongly connected components (Tarjan's, without recursion), numbered by their first node.
    static func strongComponents(_ g: Graph) -> [Int] {
        let n = g.nodeKeys.count
        var index = [Int](repeating: -1, count: n), low = [Int](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n), stack: [Int] = [], label = [Int](repeating: -1, count: n)
        var next = 0, labels = 0
        for start in 0..<n where index[start] < 0 {
            // Each frame: a node and how many of its out-edges were followed.
            var frames: [(node: Int, edge: Int)] = [(start, 0)]
            index[start] = next; low[start] = next; next += 1
            stack.append(start); onStack[start] = true
            while let (v, e) = frames.last {
                if e < g.out[v].count {
                    frames[frames.count - 1].edge += 1
                    let w = g.edgeEnds[g.out[v][e]].1
                    if index[w] < 0 {
                        index[w] = next; low[w] = next; next += 1
                        stack.append(w); onStack[w] = true
                        frames.append((w, 0))
                    } else if onStack[w] {
                        low[v] = min(low[v], index[w])
                    }
                    continue
                }
                frames.removeLast()
                if let parent = frames.last?.node { low[parent] = min(low[parent], low[v]) }
                if low[v] == index[v] {
                    while let w = stack.popLast() {
                        onStack[w] = false
                        label[w] = labels
                        if w == v { break }
                    }
                    labels += 1
                }
            }
        }
        return numbered(label)
    }

    /// Labels renumbered 0, 1, 2... in the order of the first node carrying each.
    static func numbered(_ labels: [Int]) -> [Int] {
        var map: [Int: Int] = [:]
        return labels.map { l in
            if let m = map[l] { return m }
            map[l] = map.count
            return map.count - 1
        }
    }
}

extension QueryExecutor.Graph {
    /// A graph with the same nodes and edges whose properties can change without touching this one.
    func copy() -> QueryExecutor.Graph {
        let c = QueryExecutor.Graph()
        c.nodeKeys = nodeKeys; c.nodeProps = nodeProps; c.index = index
        c.edgeProps = edgeProps; c.edgeEnds = edgeEnds; c.out = out; c.inc = inc
        c.sourceName = sourceName; c.targetName = targetName; c.nodeIdName = nodeIdName
        return c
    }
}
