public import KQL
import KQLSyntax

/// Reads Sentinel's parser files, unchanged, into workspace functions: the ASIM YAML
/// (`ParserName` / `FunctionName`, `EquivalentBuiltInParser`, `ParserParams`, `ParserQuery`) and the
/// Solutions' `.txt` / `.kql` files, whose header comment says which alias to save them under. Never
/// throws: a file that cannot become a function is a `ParserFileDiagnostic` with its line.
public enum ParserFile {
    public static func read(_ text: String, path: String) -> Result<WorkspaceFunction, ParserFileDiagnostic> {
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return readYAML(text, path: path) }
        return readText(text, path: path)
    }

    /// Whether a file name is one `read` takes (directories hold READMEs and licences too).
    public static func isParserFile(_ name: String) -> Bool {
        let n = name.lowercased()
        guard !n.hasPrefix("license"), !n.hasPrefix("readme") else { return false }
        return n.hasSuffix(".yaml") || n.hasSuffix(".yml") || n.hasSuffix(".kql") || n.hasSuffix(".txt")
    }

    /// Checks a function given directly (the API, `vigil functions install` of JSON): its names, and
    /// that its body parses and ends with a query.
    public static func validate(_ f: WorkspaceFunction) -> ParserFileDiagnostic? {
        for n in f.names where !isIdentifier(n) {
            return ParserFileDiagnostic(file: f.source.isEmpty ? f.name : f.source, line: 1, message: "'\(n)' is not a function name (letters, digits and underscores)")
        }
        for p in f.parameters where !isIdentifier(p.name) {
            return ParserFileDiagnostic(file: f.source.isEmpty ? f.name : f.source, line: 1, message: "'\(p.name)' is not a parameter name")
        }
        return check(f, path: f.source.isEmpty ? f.name : f.source, firstLine: 1)
    }

    /// Checks that a body parses and ends in a query; the error's line is counted from `firstLine`,
    /// the line of the file where the body starts.
    static func check(_ f: WorkspaceFunction, path: String, firstLine: Int) -> ParserFileDiagnostic? {
        let wrapped = "let __f = \(f.parameterList) { \(f.body) };"
        let parsed = Parser.parse(wrapped)
        if let d = parsed.diagnostics.first(where: { $0.severity == .error }) {
            var (line, _) = parsed.source.location(of: d.span.start)
            // An error found at the wrapper's closing brace (an unfinished query) is on the body's last line.
            let bodyLines = f.body.trimmingTrailingWhitespaceAndSemicolons.split(separator: "\n", omittingEmptySubsequences: false).count
            line = min(line, max(1, bodyLines))
            return ParserFileDiagnostic(file: path, line: firstLine + line - 1, message: "the query does not parse: \(d.code) \(d.message)")
        }
        guard let st = parsed.statements.first, case .letBinding(_, .lambda(let l, _)) = st.kind,
              let last = l.body.last, case .query = last.kind else {
            return ParserFileDiagnostic(file: path, line: firstLine, message: "the function body does not end with a query")
        }
        return nil
    }

    /// `Name` from a file name: the stem without extensions (`afad_parser.kql.txt` -> `afad_parser`).
    static func stem(_ path: String) -> String {
        var name = Substring(path.split(separator: "/").last ?? Substring(path))
        while let dot = name.lastIndex(of: "."), [".txt", ".kql", ".yaml", ".yml"].contains(name[dot...].lowercased()) { name = name[..<dot] }
        return String(name)
    }

    static func isIdentifier(_ s: String) -> Bool { SchemaCatalog.isTableName(s) }
}
