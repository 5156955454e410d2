extension Parser {
    /// Binary string and comparison operators, by the spelling the parser assembles (`!has`, `in~`...).
    static let keywordOperators: Set<String> = [
        "has", "!has", "has_cs", "!has_cs", "hasprefix", "!hasprefix", "hasprefix_cs", "!hasprefix_cs",
        "hassuffix", "!hassuffix", "hassuffix_cs", "!hassuffix_cs", "contains", "!contains", "contains_cs",
        "!contains_cs", "startswith", "!startswith", "startswith_cs", "!startswith_cs", "endswith",
        "!endswith", "endswith_cs", "!endswith_cs", "like", "!like", "like_cs", "!like_cs", "matches regex",
    ]
    static let listOperators: Set<String> = ["in", "!in", "in~", "!in~", "has_any", "has_all"]
    static let comparisonPuncts: Set<String> = ["==", "!=", "<>", "<", "<=", ">", ">=", "=~", "!~"]

    /// Left-deep chains (`a + b + c ...`, long pipelines) are parsed by loops, but binding and evaluation
    /// recurse over them: past this length the query is reported instead of risking the stack.
    static let maxChain = 1000

    mutating func withinChainLimit(_ length: inout Int) -> Bool {
        length += 1
        if length <= Parser.maxChain { return true }
        error(DiagnosticCode.tooDeep, "expression or pipeline longer than \(Parser.maxChain) operators", current.span)
        // Skip the rest of the statement so the error is reported once.
        while !at(.end) && !atPunct(";") { advance() }
        return false
    }

    /// An expression followed by any number of `| operator`.
    mutating func parseExpr() -> ExprSyntax {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth {
            error(DiagnosticCode.tooDeep, "expression nested too deeply", current.span)
            let s = current.span
            recover()
            return .missing(s)
        }
        var e = parseOr()
        var length = 0
        while atPunct("|") {
            if !withinChainLimit(&length) { break }
            advance()
            let op = parseOperator()
            e = .pipe(e, op, Span(e.span.start, lastEnd))
        }
        return e
    }

    mutating func parseOr() -> ExprSyntax {
        var l = parseAnd()
        var length = 0
        while atKeyword("or") {
            if !withinChainLimit(&length) { break }
            advance()
            let r = parseAnd()
            l = .binary("or", l, r, l.span.union(r.span))
        }
        return l
    }

    mutating func parseAnd() -> ExprSyntax {
        var l = parseComparison()
        var length = 0
        while atKeyword("and") {
            if !withinChainLimit(&length) { break }
            advance()
            let r = parseComparison()
            l = .binary("and", l, r, l.span.union(r.span))
        }
        return l
    }

    /// Reads a comparison-level operator spelling at the cursor without consuming it; returns its token count.
    func peekComparisonOperator() -> (String, Int)? {
        let t = current
        if t.kind == .punct && Parser.comparisonPuncts.contains(t.text) { return (t.text, 1) }
        if t.isPunct("!") {
            let n = peekToken()
            guard n.kind == .identifier, !n.spaceBefore else { return nil }
            if n.text == "in" && peekToken(2).isPunct("~") && !peekToken(2).spaceBefore { return ("!in~", 3) }
            if n.text == "between" { return ("!between", 2) }
            let s = "!" + n.text
            if Parser.keywordOperators.contains(s) || Parser.listOperators.contains(s) { return (s, 2) }
            return nil
        }
        guard t.kind == .identifier else { return nil }
        if t.text == "in" && peekToken().isPunct("~") && !peekToken().spaceBefore { return ("in~", 2) }
        if t.text == "matches" && peekToken().isKeyword("regex") { return ("matches regex", 2) }
        if t.text == "between" { return ("between", 1) }
        if Parser.keywordOperators.contains(t.text) || Parser.listOperators.contains(t.text) { return (t.text, 1) }
        return nil
    }

    mutating func parseComparison() -> ExprSyntax {
        var l = parseAdditive()
        var length = 0
        while let (op, n) = peekComparisonOperator() {
            if !withinChainLimit(&length) { break }
            for _ in 0..<n { advance() }
            if op == "between" || op == "!between" {
                expectPunct("(")
                let lo = parseAdditive()
                expectPunct("..")
                let hi = parseAdditive()
                expectPunct(")")
                l = .between(negated: op == "!between", l, lo, hi, Span(l.span.start, lastEnd))
            } else if Parser.listOperators.contains(op) {
                var items: [ExprSyntax] = []
                if eatPunct("(") {
                    while !atPunct(")") && !at(.end) {
                        items.append(parseExpr())
                        if !eatPunct(",") { break }
                    }
                    expectPunct(")")
                } else {
                    items.append(parseAdditive())
                }
                l = .inList(op, l, items, Span(l.span.start, lastEnd))
            } else {
                let r = parseAdditive()
                l = .binary(op, l, r, l.span.union(r.span))
            }
        }
        return l
    }

    mutating func parseAdditive() -> ExprSyntax {
        var l = parseMultiplicative()
        var length = 0
        while atPunct("+") || atPunct("-") {
            if !withinChainLimit(&length) { break }
            let op = advance().text
            let r = parseMultiplicative()
            l = .binary(op, l, r, l.span.union(r.span))
        }
        return l
    }

    mutating func parseMultiplicative() -> ExprSyntax {
        var l = parseUnary()
        var length = 0
        while atPunct("*") || atPunct("/") || atPunct("%") {
            if !withinChainLimit(&length) { break }
            // `project-away Col*` style wildcards never reach here; a trailing `*` with no operand is an error.
            let op = advance().text
            let r = parseUnary()
            l = .binary(op, l, r, l.span.union(r.span))
        }
        return l
    }

    mutating func parseUnary() -> ExprSyntax {
        if atPunct("-") || atPunct("+") {
            let t = advance()
            depth += 1
            defer { depth -= 1 }
            if depth > Parser.maxDepth { error(DiagnosticCode.tooDeep, "expression nested too deeply", t.span); return .missing(t.span) }
            let e = parseUnary()
            return .unary(t.text, e, Span(t.span.start, e.span.end))
        }
        return parsePostfix()
    }

    mutating func parsePostfix() -> ExprSyntax {
        var e = parsePrimary()
        while true {
            if atPunct(".") && (peekToken().kind == .identifier || peekToken().kind == .quotedIdentifier) {
                advance()
                let n = advance()
                e = .member(e, n.text, Span(e.span.start, n.span.end))
            } else if atPunct(".") && peekToken().isPunct("[") {
                advance() // `x.["key"]`, as written in several Sentinel rules
            } else if atPunct("[") {
                advance()
                let idx = parseExpr()
                expectPunct("]")
                if case .literal(.string(let key), _) = idx {
                    e = .member(e, key, Span(e.span.start, lastEnd))
                } else {
                    e = .index(e, idx, Span(e.span.start, lastEnd))
                }
            } else if at(.quotedIdentifier) && !current.spaceBefore {
                // `x['key']` lexes as a quoted identifier directly after `x`.
                let n = advance()
                e = .member(e, n.text, Span(e.span.start, n.span.end))
            } else {
                return e
            }
        }
    }

    static let literalTypeNames: Set<String> = ["int", "long", "real", "double", "bool", "boolean", "decimal", "string"]

    mutating func parsePrimary() -> ExprSyntax {
        let t = current
        switch t.kind {
        case .string:
            advance()
            var s = t.text
            var end = t.span.end
            while at(.string) { let n = advance(); s += n.text; end = n.span.end }
            return .literal(.string(s), Span(t.span.start, end))
        case .int:
            advance()
            if let v = Int64(t.text) { return .literal(.int(v), t.span) }
            return .literal(.real(Double(t.text) ?? 0), t.span)
        case .real:
            advance()
            return .literal(.real(Double(t.text) ?? 0), t.span)
        case .timespan:
            advance()
            return .literal(.timespan(t.text), t.span)
        case .typedLiteral:
            advance()
            let colon = t.text.firstIndex(of: ":")!
            return .literal(.typed(String(t.text[..<colon]), String(t.text[t.text.index(after: colon)...])), t.span)
        case .quotedIdentifier:
            advance()
            return .name(t.text, t.span)
        case .identifier:
            return parseIdentifierPrimary()
        case .punct where t.text == "(":
            advance()
            let e = parseExpr()
            if atPunct(",") {
                // A tuple appears only in `(a, b) = ...` targets, handled by callers; read and report.
                error(DiagnosticCode.expectedToken, "unexpected ','", current.span)
                recover()
            }
            expectPunct(")")
            return e
        case .punct where t.text == "*":
            advance()
            return .star(t.span)
        default:
            error(DiagnosticCode.expectedExpression, "expected an expression but found \(describe(t))", t.span)
            return .missing(Span(t.span.start, t.span.start))
        }
    }

    mutating func parseIdentifierPrimary() -> ExprSyntax {
        let t = current
        let name = t.text
        let next = peekToken()
        switch name {
        case "true", "false", "True", "False", "TRUE", "FALSE":
            advance()
            return .literal(.bool(name.lowercased() == "true"), t.span)
        case "null" where !next.isPunct("("):
            advance()
            return .literal(.null, t.span)
        case "dynamic" where next.isPunct("("):
            advance(); advance()
            let d = parseDynamicValue()
            expectPunct(")")
            return .dynamicLiteral(d, Span(t.span.start, lastEnd))
        case "datatable" where next.isPunct("("):
            return parseDatatable()
        case "externaldata" where next.isPunct("("):
            return parseExternalData()
        case "print":
            advance()
            let items = parseNamedExprList(stopAt: [])
            return .source(.print(items), Span(t.span.start, lastEnd))
        case "range" where next.kind == .identifier || next.kind == .quotedIdentifier:
            advance()
            let col = advance().text
            expectKeyword("from")
            let from = parseAdditive()
            expectKeyword("to")
            let to = parseAdditive()
            expectKeyword("step")
            let step = parseAdditive()
            return .source(.range(col, from, to, step), Span(t.span.start, lastEnd))
        case "union":
            advance()
            return .source(.union(parseUnionBody()), Span(t.span.start, lastEnd))
        case "search" where !next.isPunct("("):
            advance()
            return .source(.search(parseSearchBody()), Span(t.span.start, lastEnd))
        case "find" where !next.isPunct("("):
            advance()
            return .source(.find(parseFindBody()), Span(t.span.start, lastEnd))
        case "evaluate" where next.kind == .identifier:
            advance()
            let (plugin, args) = parseEvaluateCall()
            return .source(.evaluate(plugin, args), Span(t.span.start, lastEnd))
        default:
            break
        }
        if Parser.literalTypeNames.contains(name) && next.isPunct("(") && !next.spaceBefore {
            // `int(5)`, `real(nan)`, `long(null)`, `bool(true)`: a typed literal, kept as raw text.
            advance(); advance()
            var raw = ""
            var nest = 0
            while !at(.end) && !(atPunct(")") && nest == 0) {
                if atPunct("(") { nest += 1 }
                if atPunct(")") { nest -= 1 }
                raw += advance().text
            }
            expectPunct(")")
            return .literal(.typed(name, raw), Span(t.span.start, lastEnd))
        }
        advance()
        if atPunct("(") {
            advance()
            let args = parseArguments(closer: ")")
            expectPunct(")")
            return .call(name: name, args: args, Span(t.span.start, lastEnd))
        }
        return .name(name, t.span)
    }

    /// Call arguments; `name = value` is named unless it reads as a comparison.
    mutating func parseArguments(closer: String) -> [ArgumentSyntax] {
        var args: [ArgumentSyntax] = []
        while !atPunct(closer) && !at(.end) {
            if (at(.identifier) || at(.quotedIdentifier)) && peekToken().isPunct("=") {
                let n = advance().text
                advance()
                args.append(ArgumentSyntax(name: n, value: parseExpr()))
            } else {
                args.append(ArgumentSyntax(value: parseExpr()))
            }
            if !eatPunct(",") { break }
        }
        return args
    }

    mutating func parseDynamicValue() -> DynamicSyntax {
        if at(.quotedIdentifier) { return .array([.scalar(.string(advance().text))]) }
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth { error(DiagnosticCode.tooDeep, "dynamic literal nested too deeply", current.span); recover(); return .scalar(.null) }
        if eatPunct("[") {
            var items: [DynamicSyntax] = []
            while !atPunct("]") && !at(.end) {
                items.append(parseDynamicValue())
                if !eatPunct(",") { break }
            }
            expectPunct("]")
            return .array(items)
        }
        if eatPunct("{") {
            var pairs: [(String, DynamicSyntax)] = []
            while !atPunct("}") && !at(.end) {
                let key: String
                if at(.string) || at(.identifier) { key = advance().text } else {
                    error(DiagnosticCode.badLiteral, "expected a property name in dynamic literal", current.span)
                    recover(); break
                }
                expectPunct(":")
                pairs.append((key, parseDynamicValue()))
                if !eatPunct(",") { break }
            }
            expectPunct("}")
            return .object(pairs)
        }
        let e = parseUnary()
        switch e {
        case .literal(let l, _): return .scalar(l)
        case .unary("-", .literal(.int(let v), _), _): return .scalar(.int(-v))
        case .unary("-", .literal(.real(let v), _), _): return .scalar(.real(-v))
        case .unary("-", .literal(.timespan(let v), _), _): return .scalar(.timespan("-" + v))
        case .name(let n, _) where n == "null": return .scalar(.null)
        default:
            error(DiagnosticCode.badLiteral, "dynamic literals hold only constants", e.span)
            return .scalar(.null)
        }
    }

    mutating func parseDatatable() -> ExprSyntax {
        let start = current.span.start
        advance()
        expectPunct("(")
        let cols = parseColumnDecls(until: ")")
        expectPunct(")")
        var values: [ExprSyntax] = []
        if at(.quotedIdentifier) {
            let t = advance()
            return .source(.datatable(cols, [.literal(.string(t.text), t.span)]), Span(start, lastEnd))
        }
        expectPunct("[")
        // Kusto skips empty items: Sentinel's parsers write lists with a leading comma (`[ , "a", "b"`).
        while eatPunct(",") {}
        while !atPunct("]") && !at(.end) {
            values.append(parseOr())
            if !eatPunct(",") { break }
            while eatPunct(",") {}
        }
        expectPunct("]")
        return .source(.datatable(cols, values), Span(start, lastEnd))
    }

    mutating func parseExternalData() -> ExprSyntax {
        let start = current.span.start
        advance()
        expectPunct("(")
        let cols = parseColumnDecls(until: ")")
        expectPunct(")")
        var urls: [ExprSyntax] = []
        if at(.quotedIdentifier) {
            let t = advance()
            urls.append(.literal(.string(t.text), t.span))
        } else {
            expectPunct("[")
            while !atPunct("]") && !at(.end) {
                urls.append(parseOr())
                if !eatPunct(",") { break }
            }
            expectPunct("]")
        }
        if eatKeyword("with") {
            expectPunct("(")
            _ = parseArguments(closer: ")")
            expectPunct(")")
        }
        return .source(.externaldata(cols, urls), Span(start, lastEnd))
    }

    mutating func parseEvaluateCall() -> (String, [ArgumentSyntax]) {
        // Hints such as `hint.distribution = per_node` come before the plugin name.
        while current.kind == .identifier && current.text.hasPrefix("hint") && peekToken().isPunct(".") {
            advance(); advance(); advance(); expectPunct("="); advance()
        }
        let plugin = parseName() ?? ""
        var args: [ArgumentSyntax] = []
        if eatPunct("(") {
            args = parseArguments(closer: ")")
            expectPunct(")")
        }
        // `evaluate bag_unpack(x) : (a:string, b:long)`: the output schema, kept as a `$schema` argument.
        if atPunct(":") && peekToken().isPunct("(") {
            let start = current.span.start
            advance(); advance()
            // `(*, a:string)`: the input's columns too, kept as a column declared `*`.
            var cols: [ColumnDeclSyntax] = []
            if atPunct("*") { let s = current.span; advance(); cols.append(ColumnDeclSyntax(name: "*", type: "", span: s)); _ = eatPunct(",") }
            cols += parseColumnDecls(until: ")")
            expectPunct(")")
            args.append(ArgumentSyntax(name: "$schema", value: .source(.datatable(cols, []), Span(start, lastEnd))))
        }
        return (plugin, args)
    }
}
