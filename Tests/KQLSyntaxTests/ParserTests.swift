import Testing
import KQLSyntax

@Suite struct ParserTests {
    @Test func lexesTimespansStringsAndTypedLiterals() {
        let (tokens, diags) = Lexer.tokenize(SourceText(#"1.5h @"c:\x" h'secret' datetime(2024-01-01 10:00) ['a b'] 10m"#))
        #expect(diags.isEmpty)
        #expect(tokens.map(\.kind) == [.timespan, .string, .string, .typedLiteral, .quotedIdentifier, .timespan, .end])
        #expect(tokens[1].text == #"c:\x"#)
        #expect(tokens[3].text == "datetime:2024-01-01 10:00")
        #expect(tokens[4].text == "a b")
    }

    @Test func joinsDashedOperatorNames() {
        let q = Parser.parse("T | project-away A | mv-expand B | parse-where C with * \"x\" D")
        #expect(q.diagnostics.isEmpty)
        guard case .query(.pipe(.pipe(.pipe(_, .projectAway, _), .mvExpand, _), .parse(let p), _)) = q.statements[0].kind else {
            Issue.record("unexpected tree"); return
        }
        #expect(p.isWhere)
    }

    @Test func reportsEverySyntaxErrorWithPosition() {
        let q = Parser.parse("T | where x = = 1\n| summarize by\n| frobnicate")
        #expect(q.diagnostics.count >= 2)
        #expect(q.diagnostics.contains { $0.code == DiagnosticCode.unknownOperator })
        let rendered = q.diagnostics[0].render(in: q.source)
        #expect(rendered.hasPrefix("error KQL1003 at 1:13:"))
        #expect(rendered.hasSuffix("^"))
    }

    @Test func refusesChainsThatWouldExhaustTheStack() {
        let q = Parser.parse("print x = 1" + String(repeating: " + 1", count: 5000))
        #expect(q.diagnostics.map(\.code) == [DiagnosticCode.tooDeep])
        let nested = Parser.parse("print x = " + String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500))
        #expect(nested.diagnostics.contains { $0.code == DiagnosticCode.tooDeep })
    }

    @Test func tupleAssignmentAndJoinKeys() {
        let q = Parser.parse("T | summarize (A, B) = arg_max(x, y) by k | join kind=leftouter (U) on $left.a == $right.b, c")
        #expect(q.diagnostics.isEmpty)
        guard case .query(.pipe(.pipe(_, .summarize(let aggs, _, _), _), .join(let j), _)) = q.statements[0].kind else {
            Issue.record("unexpected tree"); return
        }
        #expect(aggs[0].names == ["A", "B"])
        #expect(j.kind == "leftouter")
        #expect(j.on.count == 2)
    }
}
