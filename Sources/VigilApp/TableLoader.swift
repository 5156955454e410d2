public import Foundation
public import KQL
import OrderedCollections

/// Loads a CSV or JSON-lines/JSON-array file into a typed table: types come from the schema catalog
/// when the table is known, else are inferred per column. Bad cells become nulls and are reported.
public enum TableLoader {
    public struct Report: Sendable {
        public var rows: Int
        public var problems: [String]
    }

    public static func load(path: String, table: String, schema known: Schema?) throws -> (Table, Report) {
        // Mapped, not read: a multi-gigabyte export is parsed in place without a second copy.
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        var problems: [String] = []
        let first = data.first { !($0 == 0xEF || $0 == 0xBB || $0 == 0xBF || $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13) }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            var text = String(decoding: data, as: UTF8.self)
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            let (records, order) = jsonRecords(String(text.drop { $0.isWhitespace }), &problems, path: path)
            return (build(records, order: order, known: known, problems: &problems, path: path), Report(rows: records.count, problems: problems))
        }
        let t = CSVLoader.load(data, known: known, path: path, problems: &problems)
        return (t, Report(rows: t.count, problems: problems))
    }

    static func jsonRecords(_ text: String, _ problems: inout [String], path: String) -> ([[String: Value]], [String]) {
        var out: [[String: Value]] = []
        var order: [String] = []
        var seen = Set<String>()
        func add(_ v: Value) {
            guard let b = v.asBagPublic else { return }
            var r: [String: Value] = [:]
            for (k, x) in b { r[k] = x; if seen.insert(k).inserted { order.append(k) } }
            out.append(r)
        }
        let whole = Value.parseJSON(text)
        if case .array(let a) = whole { a.forEach(add); return (out, order) }
        if let b = whole.asBagPublic, b.count == 1, case .array(let a)? = b.values.first { a.forEach(add); return (out, order) }
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let v = Value.parseJSON(String(line))
            if v.asBagPublic == nil { problems.append("\(path):\(i + 1): not a JSON object; skipped") ; continue }
            add(v)
        }
        return (out, order)
    }

    static func build(_ records: [[String: Value]], order: [String], known: Schema?, problems: inout [String], path: String) -> Table {
        let present = Set(order)
        var columns = (known?.columns ?? []).filter { present.contains($0.name) }
        let knownNames = Set(columns.map(\.name))
        for n in order where !knownNames.contains(n) { columns.append(ColumnSchema(n, infer(records.map { $0[n] ?? .null }))) }
        let schema = Schema(columns)
        var builders = columns.map { ColumnBuilder(type: $0.type, capacity: records.count) }
        for (ri, r) in records.enumerated() {
            for (ci, c) in columns.enumerated() {
                let raw = r[c.name] ?? .null
                var v: Value
                if c.type == .dynamic, case .string(let s) = raw { v = s.isEmpty ? .null : Value.parseJSON(s) }
                else if case .string(let s) = raw, s.isEmpty, c.type != .string { v = .null }
                else { v = raw.converted(to: c.type) }
                if v.isNull && !raw.isNull && c.type != .dynamic, !(raw.asStringPublic?.isEmpty ?? false) {
                    if problems.count < 50 { problems.append("\(path): row \(ri + 1): '\(raw.kqlString.prefix(40))' is not a \(c.type.rawValue) for \(c.name); stored as null") }
                    v = .null
                }
                builders[ci].append(v)
            }
        }
        return Table(schema: schema, columns: builders.map { $0.finish() }, count: records.count)
    }

    /// The narrowest type all non-empty values of a column fit.
    static func infer(_ values: [Value]) -> KQLType {
        var kinds = Set<KQLType>()
        for v in values.prefix(2000) {
            switch v {
            case .null: continue
            case .string(let s):
                if s.isEmpty { continue }
                if Int64(s) != nil { kinds.insert(.long) }
                else if Double(s) != nil { kinds.insert(.real) }
                else if s.count >= 8, s.first?.isNumber == true, Value.string(s).converted(to: .datetime).isNull == false { kinds.insert(.datetime) }
                else if s.lowercased() == "true" || s.lowercased() == "false" { kinds.insert(.bool) }
                else { kinds.insert(.string) }
            case .array, .bag: kinds.insert(.dynamic)
            default: kinds.insert(v.kqlType)
            }
        }
        if kinds.isEmpty { return .string }
        if kinds.count == 1 { return kinds.first! }
        if kinds.isSubset(of: [.long, .real]) { return .real }
        if kinds.contains(.dynamic) { return .dynamic }
        return .string
    }
}

