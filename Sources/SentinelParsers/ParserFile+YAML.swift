public import KQL
import Foundation
import Yams

extension ParserFile {
    /// An ASIM parser or function file. The names it answers to are `ParserName` (or `FunctionName` /
    /// `FunctionAlias`) and `EquivalentBuiltInParser` (or `EquivalentBuiltInFunction`); 2022's files
    /// also glue the alias the unifying parsers call into the description (`...schema.ParserName: X`),
    /// which is kept as a third name so that those calls resolve as they do in Sentinel.
    static func readYAML(_ text: String, path: String) -> Result<WorkspaceFunction, ParserFileDiagnostic> {
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text) else {
                return .failure(ParserFileDiagnostic(file: path, line: 1, message: "the file is empty"))
            }
            root = n
        } catch let e as YamlError {
            return .failure(ParserFileDiagnostic(file: path, line: yamlLine(e), message: "not valid YAML: \(yamlMessage(e))"))
        } catch {
            return .failure(ParserFileDiagnostic(file: path, line: 1, message: "not valid YAML: \(error)"))
        }
        guard let m = root.mapping else { return .failure(ParserFileDiagnostic(file: path, line: 1, message: "a parser file is a mapping of fields")) }
        func string(_ keys: String...) -> String? {
            for k in keys { if let s = m[k]?.string?.trimmingCharacters(in: .whitespacesAndNewlines), !s.isEmpty { return s } }
            return nil
        }
        guard let name = string("ParserName", "FunctionName", "FunctionAlias") else {
            return .failure(ParserFileDiagnostic(file: path, line: 1, message: "no ParserName or FunctionName: the function needs a name"))
        }
        guard let queryNode = m["ParserQuery"] ?? m["FunctionQuery"], let query = queryNode.string, !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return .failure(ParserFileDiagnostic(file: path, line: 1, message: "no ParserQuery or FunctionQuery: the function has no body"))
        }
        var aliases: [String] = []
        for k in ["FunctionAlias", "EquivalentBuiltInParser", "EquivalentBuiltInFunction"] {
            if let a = m[k]?.string?.trimmingCharacters(in: .whitespaces), isIdentifier(a), a != name, !aliases.contains(a) { aliases.append(a) }
        }
        if let d = m["Description"]?.string, let r = d.range(of: #"ParserName:\s*([A-Za-z_][A-Za-z0-9_]*)"#, options: .regularExpression) {
            let glued = d[r].split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if isIdentifier(glued), glued != name, !aliases.contains(glued) { aliases.append(glued) }
        }
        // Sentinel's built-in unifying parsers are `_Im_<Schema>` and `_ASim_<Schema>`; 2022's files do
        // not all say so (imAuthentication.yaml names no EquivalentBuiltInParser).
        if aliases.allSatisfy({ !$0.hasPrefix("_") }), let r = name.range(of: #"^(im|ASim)[A-Z][A-Za-z]*$"#, options: .regularExpression), r == name.startIndex..<name.endIndex {
            let isIm = name.hasPrefix("im")
            let derived = (isIm ? "_Im_" : "_ASim_") + name.dropFirst(isIm ? 2 : 4)
            if !aliases.contains(derived) { aliases.append(derived) }
        }
        var params: [WorkspaceFunction.Parameter] = []
        for p in (m["ParserParams"] ?? m["FunctionParams"])?.sequence ?? [] {
            guard let pm = p.mapping, let pname = pm["Name"]?.string?.trimmingCharacters(in: .whitespaces), isIdentifier(pname) else {
                return .failure(ParserFileDiagnostic(file: path, line: (p.mark?.line ?? 1), message: "a parameter needs a Name"))
            }
            let type = (pm["Type"]?.string ?? "dynamic").trimmingCharacters(in: .whitespaces)
            guard KQLType(name: type) != nil else {
                return .failure(ParserFileDiagnostic(file: path, line: (pm["Type"]?.mark?.line ?? p.mark?.line ?? 1), message: "parameter '\(pname)' has an unknown type '\(type)'"))
            }
            params.append(.init(name: pname, type: type, defaultValue: pm["Default"].flatMap { kqlDefault($0, type: type) }))
        }
        let title = (m["Parser"] ?? m["Function"])?.mapping?["Title"]?.string ?? ""
        let version = (m["Parser"] ?? m["Function"])?.mapping?["Version"]?.string ?? ""
        let isASIM = m["Normalization"] != nil || ["im", "vim", "ASim", "_Im_", "_ASim_", "ASIM_", "_ASIM_"].contains(where: name.hasPrefix)
        let f = WorkspaceFunction(name: name, aliases: aliases, parameters: params, body: query, title: title, category: isASIM ? "ASIM" : "Parser",
                                  version: version, source: path)
        // A block scalar's text starts on the line after its key.
        let firstLine = (queryNode.mark?.line ?? 0) + 1
        if let d = check(f, path: path, firstLine: firstLine) { return .failure(d) }
        return .success(f)
    }

    /// A parameter default as KQL text. YAML has already unquoted `'*'`, so a string parameter's
    /// default is quoted again unless it is written as a KQL expression.
    static func kqlDefault(_ n: Node, type: String) -> String? {
        guard let s = n.scalar else { return nil }
        let text = s.string.trimmingCharacters(in: .whitespaces)
        if KQLType(name: type) == .string {
            let quoted = text.count >= 2 && ((text.hasPrefix("'") && text.hasSuffix("'")) || (text.hasPrefix("\"") && text.hasSuffix("\"")))
            if quoted || text.hasPrefix("@'") || text.hasPrefix("@\"") { return text }
            return "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        if text.isEmpty { return nil }
        return text
    }

    static func yamlLine(_ e: YamlError) -> Int {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): return mark.line
        default: return 1
        }
    }

    static func yamlMessage(_ e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _): return problem
        default: return "\(e)"
        }
    }
}
