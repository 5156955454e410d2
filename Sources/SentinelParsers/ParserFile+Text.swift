public import KQL
import Foundation
import KQLSyntax

extension ParserFile {
    /// The alias instructions Solutions' parser headers give, in the wordings they use; the first
    /// that matches names the function.
    static let aliasPatterns: [String] = [
        #"alias must be set to\s*-?\s*"?([A-Za-z_][A-Za-z0-9_]*)"#,
        #"function name must be set to\s*"([A-Za-z_][A-Za-z0-9_]*)""#,
        #"given the alias(?: of)?\s+([A-Za-z_][A-Za-z0-9_]*)"#,
        #"set the function alias to\s+([A-Za-z_][A-Za-z0-9_]*)"#,
        #"name the function alias,?\s+as\s+([A-Za-z_][A-Za-z0-9_]*)"#,
        #"function name and alias as\s+([A-Za-z_][A-Za-z0-9_]*)"#,
        #"alias\s*\(e\.g\.,?\s*([A-Za-z_][A-Za-z0-9_]*)\)"#,
        #"function name as\s+([A-Za-z_][A-Za-z0-9_]*)"#,
        #"enter\s+"([A-Za-z_][A-Za-z0-9_]*)"\s+in the "function name" field"#,
        #"type the function name\s+([A-Za-z_][A-Za-z0-9_]*)"#,
    ]

    /// The alias a header comment asks for, or nil.
    static func headerAlias(_ text: String) -> String? {
        let comments = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(80)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("//") }.joined(separator: "\n")
        for p in aliasPatterns {
            guard let re = try? NSRegularExpression(pattern: p, options: [.caseInsensitive]),
                  let m = re.firstMatch(in: comments, range: NSRange(comments.startIndex..., in: comments)),
                  let r = Range(m.range(at: 1), in: comments) else { continue }
            return String(comments[r])
        }
        return nil
    }

    /// A Solution's `.txt` / `.kql` parser: the whole text is the body (a query, with its `let`s).
    /// A file that only declares a function (`let F = (T:(IP:string), t:datetime=...) {...};`) becomes
    /// that function: its parameters, and a body that calls it with them.
    static func readText(_ text: String, path: String) -> Result<WorkspaceFunction, ParserFileDiagnostic> {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let parsed = Parser.parse(body)
        if let d = parsed.diagnostics.first(where: { $0.severity == .error }) {
            let (line, _) = parsed.source.location(of: d.span.start)
            return .failure(ParserFileDiagnostic(file: path, line: line, message: "the query does not parse: \(d.code) \(d.message)"))
        }
        let stem = Self.stem(path)
        var names: [String] = []
        if let a = headerAlias(body) { names.append(a) }
        var f = WorkspaceFunction(name: "", body: body, category: "Parser", source: path)
        if case .letBinding(let letName, .lambda(let l, _))? = parsed.statements.last?.kind {
            f.parameters = l.parameters.map { p in
                let type = p.tabularColumns.map { cols in "(" + (cols.isEmpty ? "*" : cols.map { "\($0.name):\($0.type)" }.joined(separator: ", ")) + ")" } ?? (p.type ?? "dynamic")
                return WorkspaceFunction.Parameter(name: p.name, type: type, defaultValue: p.defaultValue.map { parsed.source.slice($0.span) })
            }
            f.body = body.trimmingTrailingWhitespaceAndSemicolons + ";\n\(letName)(" + l.parameters.map(\.name).joined(separator: ", ") + ")"
            names.append(letName)
        }
        if isIdentifier(stem) { names.append(stem) }
        var unique: [String] = []
        for n in names where !unique.contains(n) { unique.append(n) }
        guard let first = unique.first else {
            return .failure(ParserFileDiagnostic(file: path, line: 1, message: "no function name: the header names no alias and '\(stem)' is not a name"))
        }
        f.name = first
        f.aliases = Array(unique.dropFirst())
        if let d = check(f, path: path, firstLine: 1) { return .failure(d) }
        return .success(f)
    }
}

extension String {
    var trimmingTrailingWhitespaceAndSemicolons: String {
        var s = Substring(self)
        while let l = s.last, l.isWhitespace || l == ";" { s = s.dropLast() }
        return String(s)
    }
}
