extension Parser {
    /// Reads an operator name, joining dashed forms such as `project-away` and `mv-expand`.
    mutating func parseOperatorName() -> String {
        var name = advance().text
        while atPunct("-") && !current.spaceBefore && peekToken().kind == .identifier && !peekToken().spaceBefore {
            advance()
            name += "-" + advance().text
        }
        return name
    }

    /// Reads `name=value` options such as `kind=inner` or `hint.strategy=shuffle`.
    mutating func parseOptions(_ allowed: Set<String>) -> [String: String] {
        var out: [String: String] = [:]
        while current.kind == .identifier {
            var key = current.text
            var k = 1
            while peekToken(k).isPunct(".") && peekToken(k + 1).kind == .identifier {
                key += "." + peekToken(k + 1).text
                k += 2
            }
            guard peekToken(k).isPunct("="), allowed.contains(key) || key.hasPrefix("hint.") else { break }
            for _ in 0...k { advance() }
            var value = ""
            if at(.string) || at(.identifier) || at(.int) || at(.real) || at(.timespan) { value = advance().text }
            else { error(DiagnosticCode.expectedToken, "expected a value for \(key)", current.span) }
            out[key] = value
        }
        return out
    }

    mutating func parseOperator() -> OperatorSyntax {
        let t = current
        guard t.kind == .identifier else {
            error(DiagnosticCode.unknownOperator, "expected a query operator after '|' but found \(describe(t))", t.span)
            recover()
            return .consume
        }
        let name = parseOperatorName()
        switch name {
        case "where", "filter":
            return .whereOp(parseExpr1())
        case "project":
            return .project(parseNamedExprList(stopAt: []))
        case "extend":
            return .extend(parseNamedExprList(stopAt: []))
        case "project-away":
            return .projectAway(parseColumnPatterns())
        case "project-keep":
            return .projectKeep(parseColumnPatterns())
        case "project-by-names":
            var specs: [ExprSyntax] = []
            repeat { specs.append(parseExpr()) } while eatPunct(",")
            return .projectByNames(specs)
        case "project-rename":
            var pairs: [(String, String)] = []
            repeat {
                guard let n = parseName() else { break }
                expectPunct("=")
                guard let o = parseName() else { break }
                pairs.append((n, o))
            } while eatPunct(",")
            return .projectRename(pairs)
        case "project-reorder":
            var keys: [(ExprSyntax, String?)] = []
            repeat {
                guard let e = parseColumnPattern() else { break }
                var order: String?
                if eatKeyword("desc") { order = "desc" } else if eatKeyword("asc") { order = "asc" }
                else if atKeyword("granny") && peekToken().isPunct("-") {
                    advance(); advance()
                    order = eatKeyword("desc") ? "granny-desc" : (eatKeyword("asc") ? "granny-asc" : nil)
                }
                keys.append((e, order))
            } while eatPunct(",")
            return .projectReorder(keys)
        case "summarize":
            let hints = parseOptions([])
            var aggs: [NamedExprSyntax] = []
            if !atKeyword("by") { aggs = parseNamedExprList(stopAt: ["by"]) }
            var by: [NamedExprSyntax] = []
            if eatKeyword("by") { by = parseNamedExprList(stopAt: []) }
            return .summarize(aggregates: aggs, by: by, hints: hints)
        case "top":
            let n = parseAdditive()
            expectKeyword("by")
            return .top(count: n, by: parseSortKeys())
        case "top-nested":
            return .topNested(parseTopNested())
        case "take", "limit":
            return .take(parseAdditive())
        case "sort", "order":
            expectKeyword("by")
            return .sort(parseSortKeys())
        case "distinct":
            return .distinct(parseNamedExprList(stopAt: []))
        case "count":
            return .count
        case "join":
            return parseJoin()
        case "lookup":
            let opts = parseOptions(["kind"])
            let right = parsePostfix()
            expectKeyword("on")
            return .lookup(kind: opts["kind"] ?? "leftouter", right: right, on: parseJoinKeys())
        case "union":
            return .union(parseUnionBody())
        case "mv-expand", "mvexpand":
            return .mvExpand(parseMvExpand())
        case "mv-apply", "mvapply":
            let m = parseMvExpand(allowOn: true)
            expectKeyword("on")
            expectPunct("(")
            let sub = parseSubPipeline()
            expectPunct(")")
            return .mvApply(items: m.items, itemIndex: m.withItemIndex, limit: m.limit, subquery: sub)
        case "parse", "parse-where":
            return .parse(parseParseBody(isWhere: name == "parse-where"))
        case "parse-kv":
            let src = parseAdditive()
            expectKeyword("as")
            expectPunct("(")
            let cols = parseColumnDecls(until: ")")
            expectPunct(")")
            var with: [String: ExprSyntax] = [:]
            if eatKeyword("with") {
                expectPunct("(")
                for a in parseArguments(closer: ")") { if let n = a.name { with[n] = a.value } }
                expectPunct(")")
            }
            return .parseKV(source: src, columns: cols, with: with)
        case "make-series":
            return .makeSeries(parseMakeSeries())
        case "serialize":
            return .serialize(parseNamedExprList(stopAt: []))
        case "as":
            _ = parseOptions(["hint.materialized"])
            return .asOp(parseName() ?? "")
        case "invoke":
            return .invoke(parsePostfix())
        case "getschema":
            return .getschema
        case "reduce":
            let kind = parseOptions(["kind"])["kind"]
            expectKeyword("by")
            let by = parseOr()
            var options: [String: ExprSyntax] = [:]
            if eatKeyword("with") {
                repeat {
                    guard let key = parseName() else { break }
                    guard eatPunct("=") else { error(DiagnosticCode.expectedToken, "expected '=' after \(key)", current.span); break }
                    options[key.lowercased()] = parseAdditive()
                } while eatPunct(",")
            }
            return .reduce(by: by, kind: kind, options: options)
        case "sample":
            return .sample(parseAdditive())
        case "sample-distinct":
            let n = parseAdditive()
            expectKeyword("of")
            return .sampleDistinct(n, parseAdditive())
        case "search":
            return .search(parseSearchBody())
        case "evaluate":
            let (plugin, args) = parseEvaluateCall()
            return .evaluate(plugin, args)
        case "render":
            let chart = parseName() ?? ""
            var props: [String: String] = [:]
            if eatKeyword("with") {
                expectPunct("(")
                for a in parseArguments(closer: ")") { if let n = a.name { props[n] = "\(a.value)" } }
                expectPunct(")")
            }
            return .render(chart, props)
        case "consume":
            _ = parseOptions(["decodeblocks"])
            return .consume
        case "partition":
            let hints = parseOptions([])
            expectKeyword("by")
            let col = parseName() ?? ""
            let closer: String = atPunct("{") ? "}" : ")"
            if !eatPunct("{") { expectPunct("(") }
            let sub = parseSubPipeline(closer: closer)
            expectPunct(closer)
            return .partition(PartitionSyntax(column: col, subquery: sub, hints: hints))
        case "scan":
            return .scan(parseScanBody())
        case "top-hitters":
            let n = parseAdditive()
            expectKeyword("of")
            let of = parseNamedExpr()
            var by: ExprSyntax?
            if eatKeyword("by") { by = parseOr() }
            return .topHitters(count: n, of: of, by: by)
        case "make-graph":
            return .makeGraph(parseMakeGraph())
        case "graph-match", "graph-shortest-paths":
            return .graphMatch(parseGraphMatch(shortest: name == "graph-shortest-paths"))
        case "graph-mark-components":
            return .graphMarkComponents(parseOptions(["kind", "with_component_id"]))
        case "graph-to-table":
            let what = parseName() ?? "nodes"
            var opts = parseOptions(["with_node_id", "with_source_id", "with_target_id"])
            if eatKeyword("as") { opts["as"] = parseName() ?? "" }
            for (k, v) in parseOptions(["with_node_id", "with_source_id", "with_target_id"]) { opts[k] = v }
            // `graph-to-table nodes as N, edges as E`: the first table is the result.
            if eatPunct(",") { while !at(.end) && !atPunct("|") && !atPunct(";") && !atPunct(")") { advance() } }
            return .graphToTable(what, opts)
        case "fork":
            var legs: [(name: String?, pipe: ExprSyntax)] = []
            while atPunct("(") || (current.kind == .identifier && peekToken().isPunct("=")) {
                var name: String?
                if !atPunct("(") { name = parseName(); expectPunct("=") }
                guard eatPunct("(") else { error(DiagnosticCode.expectedToken, "expected '(' to open a fork leg", current.span); break }
                legs.append((name, parseSubPipeline()))
                if !eatPunct(")") { error(DiagnosticCode.expectedToken, "expected ')' to close a fork leg", current.span); break }
            }
            if legs.isEmpty { error(DiagnosticCode.expectedToken, "fork needs at least one (subquery)", current.span) }
            return .fork(legs)
        case "facet":
            expectKeyword("by")
            var cols: [String] = []
            repeat { if let n = parseName() { cols.append(n) } } while eatPunct(",")
            var with: ExprSyntax?
            if eatKeyword("with") {
                guard eatPunct("(") else { error(DiagnosticCode.expectedToken, "expected '(' after with", current.span); return .facet(cols, with: nil) }
                with = parseSubPipeline()
                if !eatPunct(")") { error(DiagnosticCode.expectedToken, "expected ')' to close facet's with", current.span) }
            }
            return .facet(cols, with: with)
        default:
            error(DiagnosticCode.unknownOperator, "unknown query operator '\(name)'", Span(t.span.start, lastEnd))
            recover()
            return .consume
        }
    }

    /// A `where` predicate; a missing predicate is reported and recovered from.
    mutating func parseExpr1() -> ExprSyntax { parseOr() }

    /// A pipeline inside brackets (`mv-apply ... on ( ... )`, `top-nested`): may start with `|`-less operator.
    mutating func parseSubPipeline(closer: String = ")") -> ExprSyntax {
        // Inside mv-apply the subquery starts with an operator applied to the expanded rows.
        let start = current.span.start
        var e: ExprSyntax = .name("$mvapply", Span(start, start))
        var first = true
        while first || atPunct("|") {
            if !first { advance() }
            first = false
            if atPunct(closer) { break }
            let op = parseOperator()
            e = .pipe(e, op, Span(start, lastEnd))
        }
        return e
    }

    /// `A = expr`, `(A, B) = expr` or `expr`, comma separated, stopping before any keyword in `stopAt`.
    mutating func parseNamedExprList(stopAt: Set<String>) -> [NamedExprSyntax] {
        var out: [NamedExprSyntax] = []
        repeat {
            if at(.end) || atPunct("|") || atPunct(";") || atPunct(")") { break }
            if current.kind == .identifier && stopAt.contains(current.text) { break }
            out.append(parseNamedExpr())
        } while eatPunct(",")
        return out
    }

    mutating func parseNamedExpr() -> NamedExprSyntax {
        let start = current.span.start
        if (at(.identifier) || at(.quotedIdentifier)) && peekToken().isPunct("=") {
            let n = advance().text
            advance()
            let e = parseOr()
            return NamedExprSyntax(names: [n], expr: e, span: Span(start, lastEnd))
        }
        if atPunct("(") {
            // `(A, B) = arg_max(...)`: look ahead for names, commas and `) =`.
            var k = 1, names: [String] = []
            while peekToken(k).kind == .identifier || peekToken(k).kind == .quotedIdentifier {
                names.append(peekToken(k).text)
                if peekToken(k + 1).isPunct(",") { k += 2; continue }
                k += 1
                break
            }
            if !names.isEmpty && peekToken(k).isPunct(")") && peekToken(k + 1).isPunct("=") {
                for _ in 0...(k + 1) { advance() }
                let e = parseOr()
                return NamedExprSyntax(names: names, expr: e, span: Span(start, lastEnd))
            }
        }
        let e = parseOr()
        return NamedExprSyntax(names: [], expr: e, span: Span(start, lastEnd))
    }

    /// Column names with optional `*` wildcards, as in `project-away Prefix*, Col`.
    mutating func parseColumnPatterns() -> [ExprSyntax] {
        var out: [ExprSyntax] = []
        repeat {
            guard let p = parseColumnPattern() else { break }
            out.append(p)
        } while eatPunct(",")
        return out
    }

    /// One column name or wildcard pattern (`a*`, `*_s`, `*`).
    mutating func parseColumnPattern() -> ExprSyntax? {
        let t = current
        var name: String
        if atPunct("*") {
            advance()
            name = "*"
            // `*_s`: a pattern may start with the wildcard.
            if (at(.identifier) || at(.quotedIdentifier)) && !current.spaceBefore { name += advance().text }
        } else {
            guard at(.identifier) || at(.quotedIdentifier) else {
                error(DiagnosticCode.expectedToken, "expected a column name but found \(describe(t))", t.span)
                return nil
            }
            name = advance().text
        }
        while atPunct("*") && !current.spaceBefore {
            advance(); name += "*"
            if at(.identifier) && !current.spaceBefore { name += advance().text }
        }
        return .name(name, Span(t.span.start, lastEnd))
    }

    mutating func parseSortKeys() -> [SortKeySyntax] {
        var keys: [SortKeySyntax] = []
        repeat {
            let e = parseOr()
            var desc = true
            if eatKeyword("asc") { desc = false } else if eatKeyword("desc") { desc = true }
            var nullsFirst: Bool?
            if eatKeyword("nulls") {
                if eatKeyword("first") { nullsFirst = true } else { expectKeyword("last"); nullsFirst = false }
            }
            keys.append(SortKeySyntax(expr: e, descending: desc, nullsFirst: nullsFirst))
        } while eatPunct(",")
        return keys
    }

    mutating func parseJoin() -> OperatorSyntax {
        let opts = parseOptions(["kind"])
        let right = parsePostfix()
        var on: [(ExprSyntax, ExprSyntax)] = []
        if eatKeyword("on") { on = parseJoinKeys() }
        else if eatKeyword("where") { _ = parseOr(); error(DiagnosticCode.unsupported, "join ... where is not supported; use 'on'", current.span) }
        else { error(DiagnosticCode.expectedToken, "expected 'on' after the right side of join", current.span) }
        return .join(JoinSyntax(kind: opts["kind"] ?? "innerunique", right: right, on: on, hints: opts))
    }

    /// `a, $left.b == $right.c and $left.d == $right.e`.
    mutating func parseJoinKeys() -> [(ExprSyntax, ExprSyntax)] {
        var out: [(ExprSyntax, ExprSyntax)] = []
        func add(_ e: ExprSyntax, _ p: inout Parser) {
            switch e {
            case .binary("and", let l, let r, _): add(l, &p); add(r, &p)
            case .binary("==", let l, let r, _): out.append((l, r))
            case .name: out.append((e, e))
            default: p.error(DiagnosticCode.badArgument, "join keys must be column names or $left.x == $right.y", e.span)
            }
        }
        repeat {
            var paren = false
            if atPunct("(") { advance(); paren = true }
            add(parseOr(), &self)
            if paren { expectPunct(")") }
        } while eatPunct(",")
        return out
    }

    mutating func parseUnionBody() -> UnionSyntax {
        let opts = parseOptions(["kind", "withsource", "isfuzzy"])
        var u = UnionSyntax(kind: opts["kind"], withSource: opts["withsource"], isFuzzy: opts["isfuzzy"] == "true", tables: [])
        repeat {
            let t = current
            if atPunct("(") {
                advance()
                u.tables.append(parseExpr())
                expectPunct(")")
            } else if at(.identifier) || at(.quotedIdentifier) || atPunct("*") {
                var name = atPunct("*") ? "" : advance().text
                if name.isEmpty { advance(); name = "*" }
                while atPunct("*") && !current.spaceBefore {
                    advance(); name += "*"
                    if at(.identifier) && !current.spaceBefore { name += advance().text }
                }
                if atPunct("(") && !name.contains("*") {
                    advance()
                    let args = parseArguments(closer: ")")
                    expectPunct(")")
                    u.tables.append(.call(name: name, args: args, Span(t.span.start, lastEnd)))
                } else {
                    u.tables.append(.name(name, Span(t.span.start, lastEnd)))
                }
            } else {
                error(DiagnosticCode.expectedToken, "expected a table in union but found \(describe(t))", t.span)
                break
            }
        } while eatPunct(",")
        return u
    }

    mutating func parseFindBody() -> FindSyntax {
        let opts = parseOptions(["withsource", "datascope"])
        var tables: [String] = []
        if atKeyword("in") && peekToken().isPunct("(") {
            advance(); advance()
            repeat {
                if var n = parseName() {
                    while atPunct("*") && !current.spaceBefore { advance(); n += "*"; if at(.identifier) && !current.spaceBefore { n += advance().text } }
                    tables.append(n)
                }
            } while eatPunct(",")
            expectPunct(")")
        }
        expectKeyword("where")
        let predicate = parseOr()
        var project: [ColumnDeclSyntax]?
        var packAll = false
        if atKeyword("project") {
            let name = parseOperatorName()
            if name == "project" {
                var cols: [ColumnDeclSyntax] = []
                repeat {
                    let start = current.span.start
                    if atKeyword("pack_all") && peekToken().isPunct("(") { advance(); advance(); expectPunct(")"); packAll = true; continue }
                    guard let n = parseName() else { break }
                    var type = ""
                    if eatPunct(":") { type = parseName() ?? "" }
                    cols.append(ColumnDeclSyntax(name: n, type: type, span: Span(start, lastEnd)))
                } while eatPunct(",")
                project = cols
            }
        }
        return FindSyntax(withSource: opts["withsource"], tables: tables, predicate: predicate, project: project, packAll: packAll)
    }

    /// `scan [with_match_id=Id] [declare (C:type [= default], ...)] with (step ...; ...)`.
    mutating func parseScanBody() -> ScanSyntax {
        let opts = parseOptions(["with_match_id"])
        var declared: [(ColumnDeclSyntax, ExprSyntax?)] = []
        if eatKeyword("declare") {
            expectPunct("(")
            repeat {
                let start = current.span.start
                guard let n = parseName() else { break }
                expectPunct(":")
                let type = parseName() ?? "string"
                var def: ExprSyntax?
                if eatPunct("=") { def = parseOr() }
                declared.append((ColumnDeclSyntax(name: n, type: type, span: Span(start, lastEnd)), def))
            } while eatPunct(",")
            expectPunct(")")
        }
        expectKeyword("with")
        expectPunct("(")
        var steps: [ScanStepSyntax] = []
        while atKeyword("step") {
            advance()
            let name = parseName() ?? ""
            var output = "all"
            if atKeyword("output") && peekToken().isPunct("=") { advance(); advance(); output = parseName() ?? "all" }
            expectPunct(":")
            let cond = parseOr()
            var assigns: [(String, ExprSyntax)] = []
            if eatPunct("=>") {
                repeat {
                    guard let c = parseName() else { break }
                    expectPunct("=")
                    assigns.append((c, parseOr()))
                } while eatPunct(",")
            }
            steps.append(ScanStepSyntax(name: name, output: output, condition: cond, assignments: assigns))
            if !eatPunct(";") { break }
        }
        expectPunct(")")
        return ScanSyntax(matchId: opts["with_match_id"], declared: declared, steps: steps)
    }

    mutating func parseMakeGraph() -> MakeGraphSyntax {
        let src = parseName() ?? ""
        // `-->` lexes as `-`, `-`, `>`.
        for p in ["-", "-", ">"] { expectPunct(p) }
        let dst = parseName() ?? ""
        var nodes: [(ExprSyntax, String)] = []
        var idName: String?
        if atKeyword("with_node_id") { idName = parseOptions(["with_node_id"])["with_node_id"] }
        if eatKeyword("with") {
            repeat {
                let t = parsePostfix()
                expectKeyword("on")
                nodes.append((t, parseName() ?? ""))
            } while eatPunct(",")
        }
        if atKeyword("with_node_id") { idName = parseOptions(["with_node_id"])["with_node_id"] }
        return MakeGraphSyntax(source: src, target: dst, nodes: nodes, nodeIdName: idName)
    }

    mutating func parseGraphNode() -> String? {
        expectPunct("(")
        var name: String?
        if at(.identifier) || at(.quotedIdentifier) { name = advance().text }
        expectPunct(")")
        return name
    }

    /// `-[e*1..3]->`, `<-[e]-`, `-[e]-`, `-->`, `<--`, `--`.
    mutating func parseGraphEdge() -> GraphPatternEdge {
        var backward = false
        if eatPunct("<") { backward = true }
        expectPunct("-")
        var name: String?
        var minHops = 1, maxHops = 1, variable = false
        if eatPunct("[") {
            if at(.identifier) || at(.quotedIdentifier) { name = advance().text }
            if eatPunct("*") {
                variable = true
                if at(.int) { minHops = Int(advance().text) ?? 1; maxHops = minHops }
                if eatPunct("..") { if at(.int) { maxHops = Int(advance().text) ?? minHops } }
            }
            expectPunct("]")
        }
        expectPunct("-")
        var forward = false
        if eatPunct(">") { forward = true }
        return GraphPatternEdge(name: name, direction: backward ? .backward : (forward ? .forward : .any), minHops: minHops, maxHops: max(minHops, maxHops), variable: variable)
    }

    mutating func parseGraphMatch(shortest: Bool) -> GraphMatchSyntax {
        let opts = parseOptions(["cycles", "output"])
        var paths: [GraphPath] = []
        repeat {
            var p = GraphPath(nodes: [parseGraphNode()], edges: [])
            while atPunct("-") || atPunct("<") {
                p.edges.append(parseGraphEdge())
                p.nodes.append(parseGraphNode())
            }
            paths.append(p)
        } while eatPunct(",")
        var pred: ExprSyntax?
        if eatKeyword("where") { pred = parseOr() }
        var proj: [NamedExprSyntax] = []
        if eatKeyword("project") { proj = parseNamedExprList(stopAt: []) }
        return GraphMatchSyntax(shortest: shortest, options: opts, paths: paths, predicate: pred, project: proj)
    }

    mutating func parseSearchBody() -> SearchSyntax {
        _ = parseOptions(["kind"])
        var tables: [String] = []
        if atKeyword("in") && peekToken().isPunct("(") {
            advance(); advance()
            repeat {
                if var n = parseName() {
                    while atPunct("*") && !current.spaceBefore { advance(); n += "*" }
                    tables.append(n)
                }
            } while eatPunct(",")
            expectPunct(")")
        }
        return SearchSyntax(tables: tables, predicate: parseOr())
    }

    mutating func parseMvExpand(allowOn: Bool = false) -> MvExpandSyntax {
        let opts = parseOptions(["bagexpansion", "with_itemindex", "kind"])
        var m = MvExpandSyntax(bagExpansion: opts["bagexpansion"] ?? opts["kind"], withItemIndex: opts["with_itemindex"], items: [], limit: nil)
        repeat {
            let ne = parseNamedExpr()
            var to: String?
            if eatKeyword("to") {
                expectKeyword("typeof")
                expectPunct("(")
                to = parseName()
                expectPunct(")")
            }
            m.items.append((ne, to))
        } while eatPunct(",")
        if eatKeyword("limit") { m.limit = parseAdditive() }
        return m
    }

    mutating func parseParseBody(isWhere: Bool) -> ParseSyntax {
        let opts = parseOptions(["kind", "flags"])
        let kind = ParseSyntax.Kind(rawValue: opts["kind"] ?? "simple") ?? .simple
        let source = parseAdditive()
        expectKeyword("with")
        var parts: [ParsePart] = []
        while !at(.end) && !atPunct("|") && !atPunct(";") && !atPunct(")") && !atPunct("}") {
            if at(.string) {
                parts.append(.text(advance().text))
            } else if atPunct("*") {
                advance()
                parts.append(.wildcard)
            } else if at(.identifier) || at(.quotedIdentifier) {
                let n = advance().text
                var type: String?
                if eatPunct(":") { type = parseName() }
                parts.append(.column(n, type))
            } else {
                error(DiagnosticCode.expectedToken, "unexpected \(describe(current)) in parse pattern", current.span)
                recover()
                break
            }
        }
        return ParseSyntax(kind: kind, flags: opts["flags"], source: source, pattern: parts, isWhere: isWhere)
    }

    mutating func parseMakeSeries() -> MakeSeriesSyntax {
        let opts = parseOptions(["kind"])
        var aggs: [(NamedExprSyntax, ExprSyntax?)] = []
        repeat {
            let ne = parseNamedExpr()
            var def: ExprSyntax?
            if atKeyword("default") && peekToken().isPunct("=") { advance(); advance(); def = parseUnary() }
            aggs.append((ne, def))
        } while eatPunct(",")
        expectKeyword("on")
        let on = parseAdditive()
        var m = MakeSeriesSyntax(aggregates: aggs, on: on, from: nil, to: nil, inRange: nil, step: .missing(.none), by: [])
        if eatKeyword("in") {
            expectKeyword("range")
            expectPunct("(")
            let a = parseAdditive(); expectPunct(",")
            let b = parseAdditive(); expectPunct(",")
            let c = parseAdditive()
            expectPunct(")")
            m.inRange = (a, b, c)
            m.step = c
        } else {
            if eatKeyword("from") { m.from = parseAdditive() }
            if eatKeyword("to") { m.to = parseAdditive() }
            expectKeyword("step")
            m.step = parseAdditive()
        }
        if eatKeyword("by") { m.by = parseNamedExprList(stopAt: []) }
        m.nonEmpty = opts["kind"]?.lowercased() == "nonempty"
        return m
    }

    mutating func parseTopNested() -> [TopNestedLevel] {
        var levels: [TopNestedLevel] = []
        repeat {
            // Levels after the first repeat the operator name: `top-nested 1 of a by x, top-nested 2 of b by y`.
            if !levels.isEmpty && atKeyword("top") && peekToken().isPunct("-") { _ = parseOperatorName() }
            var count: ExprSyntax?
            if !atKeyword("of") { count = parseAdditive() }
            expectKeyword("of")
            let of = parseNamedExpr()
            var others: ExprSyntax?
            if atKeyword("with") && peekToken().isKeyword("others") {
                advance(); advance(); expectPunct("=")
                others = parseUnary()
            }
            expectKeyword("by")
            let by = parseNamedExpr()
            var desc = true
            if eatKeyword("asc") { desc = false } else { _ = eatKeyword("desc") }
            levels.append(TopNestedLevel(count: count, of: of, withOthers: others, by: by, descending: desc))
        } while eatPunct(",")
        return levels
    }
}
