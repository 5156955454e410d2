public import KQL

/// Renders result tables: aligned text, the JSON shape of docs/architecture.md §3, CSV, or NDJSON.
public enum ResultFormatter {
    public enum Format: String, Sendable, CaseIterable { case table, json, csv, ndjson }

    public static func render(_ results: [ResultTable], as format: Format) -> String {
        switch format {
        case .json:
            if results.count == 1 { return json(results[0].table) + "\n" }
            return "{\"tables\":[" + results.map { "{\"name\":" + quote($0.name) + "," + json($0.table).dropFirst() }.joined(separator: ",") + "]}\n"
        case .csv: return results.map { csv($0.table) }.joined(separator: "\n")
        case .ndjson: return results.map { ndjson($0.table) }.joined()
        case .table: return results.map { text($0.table) + ($0.chart.map { "(render hint: \($0))\n" } ?? "") }.joined(separator: "\n")
        }
    }

    static func quote(_ s: String) -> String {
        var out = ""
        Value.writeJSONString(s, into: &out)
        return out
    }

    static func jsonValue(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .real(let d) where !d.isFinite: return "null"
        case .real(let d): return String(d)
        default: return v.jsonText
        }
    }

    public static func json(_ t: Table) -> String {
        var s = "{\"columns\":["
        s += t.schema.columns.map { "{\"name\":\(quote($0.name)),\"type\":\"\($0.type.rawValue)\"}" }.joined(separator: ",")
        s += "],\"rows\":["
        for r in 0..<t.count {
            if r > 0 { s += "," }
            s += "[" + t.columns.map { jsonValue($0.value(at: r)) }.joined(separator: ",") + "]"
        }
        return s + "]}"
    }

    static func ndjson(_ t: Table) -> String {
        var s = ""
        for r in 0..<t.count {
            s += "{" + zip(t.schema.columns, t.columns).map { quote($0.name) + ":" + jsonValue($1.value(at: r)) }.joined(separator: ",") + "}\n"
        }
        return s
    }

    /// Bytes, not Characters: "\r\n" is one Character that equals neither "\r" nor "\n".
    public static func csvField(_ s: String) -> String {
        s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) ? "\"" + s.replacingQuotes() + "\"" : s
    }

    static func csv(_ t: Table) -> String {
        var s = t.schema.names.map(csvField).joined(separator: ",") + "\n"
        for r in 0..<t.count { s += t.columns.map { csvField(cell($0.value(at: r))) }.joined(separator: ",") + "\n" }
        return s
    }

    /// A cell as text: nulls are empty, dynamic values are JSON.
    public static func cell(_ v: Value) -> String { v.isNull ? "" : v.kqlString }

    static func text(_ t: Table) -> String {
        let header = t.schema.names
        let rows = (0..<t.count).map { r in t.columns.map { String(cell($0.value(at: r)).prefix(120)) } }
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1 + String(repeating: " ", count: widths[$0] - $1.count) }.joined(separator: " | ").trimmingTrailing()
        }
        var s = line(header) + "\n" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "\n"
        for r in rows { s += line(r) + "\n" }
        return s + "(\(t.count) row\(t.count == 1 ? "" : "s"))\n"
    }
}

extension String {
    func replacingQuotes() -> String { split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") }
    func trimmingTrailing() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
