import Foundation
import KQL
import KQLSyntax
import VigilApp

/// One `.kqltest` case. The format:
///
///     === name of the case
///     --- table T (a:string, b:long)
///     "x", 1,
///     "y", 2
///     --- query
///     T | where b > 1
///     --- expect (a:string, b:long)        (or `--- expect ordered (...)`, or `--- error KQL2002`)
///     "y", 2
///
/// Rows are KQL literals separated by commas, read with the engine's own datatable parser.
struct KQLCase: CustomStringConvertible, Sendable {
    var file: String
    var name: String
    var tables: [(name: String, schema: String, rows: String)] = []
    var query = ""
    var expectSchema: String?
    var expectRows = ""
    var ordered = false
    var expectError: String?
    var now = "2024-06-30T00:00:00Z"
    var description: String { "\(file): \(name)" }

    static func parse(_ text: String, file: String) -> [KQLCase] {
        var cases: [KQLCase] = []
        var cur: KQLCase?
        var section = ""
        func flush() { if let c = cur { cases.append(c) } }
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("=== ") {
                flush()
                cur = KQLCase(file: file, name: String(line.dropFirst(4)))
                section = ""
                continue
            }
            guard cur != nil else { continue }
            if line.hasPrefix("--- ") {
                let rest = String(line.dropFirst(4))
                if rest.hasPrefix("table ") {
                    let spec = rest.dropFirst(6)
                    let name = String(spec.prefix { $0 != " " && $0 != "(" })
                    let schema = String(spec.dropFirst(name.count)).trimmingCharacters(in: .whitespaces)
                    cur!.tables.append((name, schema, ""))
                    section = "table"
                } else if rest == "query" {
                    section = "query"
                } else if rest.hasPrefix("expect") {
                    var s = rest.dropFirst(6).trimmingCharacters(in: .whitespaces)
                    if s.hasPrefix("ordered") { cur!.ordered = true; s = s.dropFirst(7).trimmingCharacters(in: .whitespaces) }
                    cur!.expectSchema = s
                    section = "expect"
                } else if rest.hasPrefix("error ") {
                    cur!.expectError = String(rest.dropFirst(6)).trimmingCharacters(in: .whitespaces)
                    section = ""
                } else if rest.hasPrefix("now ") {
                    cur!.now = String(rest.dropFirst(4))
                }
                continue
            }
            switch section {
            case "table": cur!.tables[cur!.tables.count - 1].rows += line + "\n"
            case "query": cur!.query += line + "\n"
            case "expect": cur!.expectRows += line + "\n"
            default: break
            }
        }
        flush()
        return cases
    }

    static func datatable(_ schema: String, _ rows: String) -> String {
        var body = rows.trimmingCharacters(in: .whitespacesAndNewlines)
        // Rows may end with or without a trailing comma; join lines with commas.
        body = body.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { $0.hasSuffix(",") ? String($0.dropLast()) : $0 }.joined(separator: ",\n")
        return "datatable\(schema) [\n\(body)\n]"
    }

    /// Runs the case; returns nil on success or a failure message.
    func check(dictionaryEncoded: Bool = false) -> String? {
        var mem = InMemoryTables()
        let now = DateTimeParser.parse(self.now) ?? 0
        for t in tables {
            let r = QueryRunner(provider: mem, now: now).run(KQLCase.datatable(t.schema, t.rows))
            guard case .success(let res, _) = r, let tab = res.first?.table else { return "table \(t.name) does not load: \(r)" }
            mem.add(t.name, dictionaryEncoded ? KQLCase.encode(tab) : tab)
        }
        let outcome = QueryRunner(provider: mem, now: now).run(query)
        if let code = expectError {
            guard case .failure(_, let msg) = outcome else { return "expected error \(code), query succeeded" }
            return msg.contains(code) ? nil : "expected error \(code), got: \(msg)"
        }
        guard case .success(let res, _) = outcome, let got = res.first?.table else {
            if case .failure(_, let msg) = outcome { return "query failed: \(msg)" }
            return "query returned no table"
        }
        guard let schema = expectSchema else { return "case has no expectation" }
        let ex = QueryRunner(provider: InMemoryTables(), now: now).run(KQLCase.datatable(schema, expectRows))
        guard case .success(let eres, _) = ex, let want = eres.first?.table else { return "expectation does not parse: \(ex)" }
        let gotSchema = got.schema.columns.map { "\($0.name):\($0.type.rawValue)" }
        let wantSchema = want.schema.columns.map { "\($0.name):\($0.type.rawValue)" }
        if gotSchema != wantSchema { return "schema: got \(gotSchema), want \(wantSchema)\nrows: \(render(got.rows))" }
        var g = got.rows.map(render), w = want.rows.map(render)
        if !ordered { g.sort(); w.sort() }
        if g != w { return "rows:\n got  \(g)\n want \(w)" }
        return nil
    }

    /// The same table with every string column dictionary-encoded, to run the dictionary kernels.
    static func encode(_ t: Table) -> Table {
        var out = t
        for (i, c) in t.columns.enumerated() where c.type == .string {
            if let s = c.strings { out.columns[i] = Column.dictionaryEncoded(s) }
        }
        return out
    }

    func render(_ row: [Value]) -> String {
        row.map { v -> String in
            if case .real(let d) = v { return d.isNaN ? "NaN" : String(format: "%.9g", d) }
            return v.isNull ? "null" : v.jsonText
        }.joined(separator: ", ")
    }

    func render(_ rows: [[Value]]) -> String { rows.map { "[" + render($0) + "]" }.joined(separator: " ") }
}
