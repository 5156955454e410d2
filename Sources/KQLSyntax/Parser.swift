/// Recursive-descent KQL parser. It never throws: every problem becomes a diagnostic and the parser
/// resynchronises at the next `|`, `;` or closing bracket, so one query reports all its errors.
public struct Parser {
    var tokens: [Token]
    var pos = 0
    var diagnostics: [Diagnostic] = []
    var depth = 0
    /// Nesting deeper than this is reported instead of recursing: hostile input must not overflow the stack.
    static let maxDepth = 120

    public static func parse(_ text: String) -> QuerySyntax {
        let source = SourceText(text)
        let (tokens, lexDiags) = Lexer.tokenize(source)
        var p = Parser(tokens: tokens.filter { $0.kind != .bad })
        p.diagnostics = lexDiags
        let statements = p.parseStatements(until: nil)
        if !p.at(.end) {
            p.error(DiagnosticCode.expectedToken, "unexpected '\(p.current.text)'", p.current.span)
        }
        return QuerySyntax(statements: statements, diagnostics: p.diagnostics, source: source)
    }

    /// Parses a single scalar expression (used for rule fields and tests).
    public static func parseExpression(_ text: String) -> (ExprSyntax, [Diagnostic]) {
        let source = SourceText(text)
        let (tokens, lexDiags) = Lexer.tokenize(source)
        var p = Parser(tokens: tokens.filter { $0.kind != .bad })
        p.diagnostics = lexDiags
        let e = p.parseExpr()
        if !p.at(.end) { p.error(DiagnosticCode.expectedToken, "unexpected '\(p.current.text)'", p.current.span) }
        return (e, p.diagnostics)
    }

    init(tokens: [Token]) { self.tokens = tokens }

    // MARK: token helpers

    var current: Token { tokens[pos] }
    func peekToken(_ k: Int = 1) -> Token { tokens[Swift.min(pos + k, tokens.count - 1)] }
    func at(_ kind: Token.Kind) -> Bool { current.kind == kind }
    func atPunct(_ p: String) -> Bool { current.isPunct(p) }
    func atKeyword(_ k: String) -> Bool { current.isKeyword(k) }
    var lastEnd: Int { pos > 0 ? tokens[pos - 1].span.end : 0 }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    mutating func eatPunct(_ p: String) -> Bool {
        if atPunct(p) { advance(); return true }
        return false
    }

    mutating func eatKeyword(_ k: String) -> Bool {
        if atKeyword(k) { advance(); return true }
        return false
    }

    mutating func expectPunct(_ p: String) {
        if !eatPunct(p) { error(DiagnosticCode.expectedToken, "expected '\(p)' but found \(describe(current))", current.span) }
    }

    mutating func expectKeyword(_ k: String) {
        if !eatKeyword(k) { error(DiagnosticCode.expectedToken, "expected '\(k)' but found \(describe(current))", current.span) }
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .end: return "end of query"
        case .string: return "a string literal"
        default: return "'\(t.text)'"
        }
    }

    mutating func error(_ code: String, _ message: String, _ span: Span) {
        // One error per position is enough; cascades at the same token add noise.
        if let last = diagnostics.last, last.span.start == span.start { return }
        if diagnostics.count < 100 { diagnostics.append(Diagnostic(code, message, at: span)) }
    }

    /// An identifier or a `['quoted name']`.
    mutating func parseName() -> String? {
        if at(.identifier) || at(.quotedIdentifier) { return advance().text }
        error(DiagnosticCode.expectedToken, "expected a name but found \(describe(current))", current.span)
        return nil
    }

    /// Skips to the next token that can restart parsing at this nesting level.
    mutating func recover() {
        var nest = 0
        while !at(.end) {
            if nest == 0 && (atPunct("|") || atPunct(";") || atPunct(")") || atPunct("]") || atPunct("}")) { return }
            if atPunct("(") || atPunct("[") || atPunct("{") { nest += 1 }
            if atPunct(")") || atPunct("]") || atPunct("}") { nest -= 1 }
            advance()
        }
    }

    // MARK: statements

    mutating func parseStatements(until closer: String?) -> [StatementSyntax] {
        var out: [StatementSyntax] = []
        while !at(.end) {
            if let c = closer, atPunct(c) { break }
            if eatPunct(";") { continue }
            let before = pos
            out.append(parseStatement())
            if !eatPunct(";") {
                if let c = closer, atPunct(c) { break }
                if at(.end) { break }
                error(DiagnosticCode.expectedToken, "expected ';' or end of query but found \(describe(current))", current.span)
                recover()
                if pos == before || atPunct(")") || atPunct("]") || (atPunct("}") && closer != "}") { advance() }
            }
        }
        return out
    }

    mutating func parseStatement() -> StatementSyntax {
        let start = current.span.start
        if atKeyword("let") {
            advance()
            let name = parseName() ?? ""
            expectPunct("=")
            let value = parseLetValue()
            return StatementSyntax(kind: .letBinding(name, value), span: Span(start, lastEnd))
        }
        if atKeyword("set") && (peekToken().kind == .identifier) {
            advance()
            var name = advance().text
            while atPunct(".") && !current.spaceBefore { advance(); name += "." + (advance().text) }
            var value: ExprSyntax?
            if eatPunct("=") { value = parseExpr() }
            return StatementSyntax(kind: .set(name, value), span: Span(start, lastEnd))
        }
        if atKeyword("declare") && peekToken().isKeyword("query_parameters") {
            advance(); advance()
            let params = parseParameterList()
            return StatementSyntax(kind: .declareParameters(params), span: Span(start, lastEnd))
        }
        if atKeyword("alias") && peekToken().isKeyword("database") {
            advance(); advance()
            let name = parseName() ?? ""
            expectPunct("=")
            _ = parseExpr()
            return StatementSyntax(kind: .alias(name), span: Span(start, lastEnd))
        }
        let e = parseExpr()
        return StatementSyntax(kind: .query(e), span: Span(start, lastEnd))
    }

    mutating func parseLetValue() -> ExprSyntax {
        let start = current.span.start
        if atKeyword("view") && peekToken().isPunct("(") {
            advance()
            if var l = tryParseLambda() { l.isView = true; return .lambda(l, Span(start, lastEnd)) }
        }
        if atPunct("("), let l = tryParseLambda() { return .lambda(l, Span(start, lastEnd)) }
        return parseExpr()
    }

    /// `(params) { body }`; restores the position and returns nil when this is a parenthesised expression.
    mutating func tryParseLambda() -> LambdaSyntax? {
        let save = pos, saveDiags = diagnostics
        guard atPunct("(") else { return nil }
        let isLambda = peekToken().isPunct(")") && peekToken(2).isPunct("{")
            || ((peekToken().kind == .identifier || peekToken().kind == .quotedIdentifier) && peekToken(2).isPunct(":"))
        guard isLambda else { return nil }
        let params = parseParameterList()
        guard atPunct("{") else { pos = save; diagnostics = saveDiags; return nil }
        advance()
        let body = parseStatements(until: "}")
        expectPunct("}")
        return LambdaSyntax(parameters: params, body: body, isView: false)
    }

    mutating func parseParameterList() -> [ParameterSyntax] {
        var out: [ParameterSyntax] = []
        expectPunct("(")
        while !atPunct(")") && !at(.end) {
            guard let name = parseName() else { recover(); break }
            expectPunct(":")
            var p = ParameterSyntax(name: name, type: nil, tabularColumns: nil, defaultValue: nil)
            if atPunct("(") {
                advance()
                var cols: [ColumnDeclSyntax] = []
                if eatPunct("*") { } else { cols = parseColumnDecls(until: ")") }
                expectPunct(")")
                p.tabularColumns = cols
            } else {
                p.type = parseName()
            }
            if eatPunct("=") { p.defaultValue = parseExpr() }
            out.append(p)
            if !eatPunct(",") { break }
        }
        expectPunct(")")
        return out
    }

    /// `a: string, b: long` (closing bracket not consumed).
    mutating func parseColumnDecls(until closer: String) -> [ColumnDeclSyntax] {
        var cols: [ColumnDeclSyntax] = []
        while !atPunct(closer) && !at(.end) {
            let s = current.span.start
            guard let name = parseName() else { recover(); break }
            expectPunct(":")
            let type = parseName() ?? "string"
            cols.append(ColumnDeclSyntax(name: name, type: type, span: Span(s, lastEnd)))
            if !eatPunct(",") { break }
        }
        return cols
    }
}
