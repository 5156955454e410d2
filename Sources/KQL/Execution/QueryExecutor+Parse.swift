import Foundation
import KQLSyntax
import OrderedCollections

extension QueryExecutor {
    /// `parse` builds one regular expression from the pattern, as Kusto documents, then extracts typed
    /// columns. Columns are named groups, so groups written in a regex pattern's own text do not shift
    /// them. In regex mode captures and `*` are greedy unless the `U` flag (RE2's "ungreedy", which ICU
    /// lacks) makes them lazy; in simple mode `*` is lazy and the last string capture greedy.
    func parse(_ input: Table, _ p: ParseSyntax, _ scope: Scope, _ span: Span) throws -> Table {
        if p.kind != .regex, (p.flags ?? "").isEmpty, let literal = LiteralParsePattern(p.pattern) {
            return try parse(input, p, literal, scope)
        }
        var regex = ""
        var cols: [(String, KQLType)] = []
        let parts = p.pattern
        let flags = p.flags ?? ""
        let lazy = p.kind == .regex && flags.contains("U")
        for (i, part) in parts.enumerated() {
            switch part {
            case .text(let s):
                regex += p.kind == .regex ? s : KQLRegex.escape(s)
            case .wildcard:
                regex += p.kind == .regex ? (lazy ? ".*?" : ".*") : ".*?"
            case .column(let name, let type):
                let t = type.flatMap { KQLType(name: $0) } ?? .string
                cols.append((name, t))
                let isLast = !parts[(i + 1)...].contains { if case .text = $0 { return true }; return false }
                let body: String
                // relaxed mode lets a typed capture fall back to any text (null when it does not convert)
                if t.isNumeric {
                    let number = t.isIntegral ? "-?\\d+" : "-?\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?"
                    body = p.kind == .relaxed ? "(?:" + number + "|.*?)" : number
                }
                else if p.kind == .regex { body = lazy ? ".*?" : ".*" }
                else { body = isLast ? ".*" : ".*?" }
                regex += "(?<vigilcol\(cols.count - 1)>" + body + ")"
            }
        }
        if p.kind != .regex { regex = "^" + regex }
        let re = try RegexCache.shared.regex(regex, flags: flags.replacingOccurrences(of: "U", with: ""))
        let src = try compile(p.source, input, scope)
        let sv = try src.evaluate(input, ctx)
        var values = cols.map { _ in [Value]() }
        var keep: [Int] = []
        for r in 0..<input.count {
            let s = sv.value(at: r).kqlString
            if let m = re.firstMatch(in: s) {
                var ok = true
                var row: [Value] = []
                for (k, c) in cols.enumerated() {
                    let g = re.groupNumbers["vigilcol\(k)"].flatMap { $0 < m.groups.count ? m.groups[$0] : nil }
                    let text = g.map { String(s[$0]) } ?? ""
                    let v = c.1 == .string ? Value.string(text) : Value.string(text.trimmingCharacters(in: .whitespacesAndNewlines)).converted(to: c.1)
                    if v.isNull && c.1 != .string && p.kind != .relaxed { ok = false }
                    row.append(v)
                }
                if p.isWhere && !ok { continue }
                keep.append(r)
                for k in 0..<cols.count { values[k].append(row[k]) }
            } else {
                if p.isWhere { continue }
                keep.append(r)
                for (k, c) in cols.enumerated() { values[k].append(c.1 == .string ? .string("") : .null) }
            }
        }
        return Self.attach(cols, values, to: input, keeping: keep)
    }

    /// A pattern of string captures and texts, matched by one scan per row (`LiteralParsePattern`).
    func parse(_ input: Table, _ p: ParseSyntax, _ pattern: LiteralParsePattern, _ scope: Scope) throws -> Table {
        var names: [String] = []
        for part in p.pattern { if case .column(let name, _) = part { names.append(name) } }
        let sv = try compile(p.source, input, scope).evaluate(input, ctx)
        var values = names.map { _ in [Value]() }
        for k in values.indices { values[k].reserveCapacity(input.count) }
        var keep: [Int] = []
        keep.reserveCapacity(input.count)
        for r in 0..<input.count {
            let bytes = Array(sv.value(at: r).kqlString.utf8)
            if let ranges = pattern.match(bytes) {
                keep.append(r)
                for k in ranges.indices { values[k].append(.string(String(decoding: bytes[ranges[k]], as: UTF8.self))) }
            } else if !p.isWhere {
                keep.append(r)
                for k in values.indices { values[k].append(.string("")) }
            }
        }
        return Self.attach(names.map { ($0, .string) }, values, to: input, keeping: keep)
    }

    /// The kept rows with the captured columns (a column of the same name replaced).
    static func attach(_ cols: [(String, KQLType)], _ values: [[Value]], to input: Table, keeping keep: [Int]) -> Table {
        var t = keep.count == input.count ? input : input.gather(keep)
        for (k, c) in cols.enumerated() {
            let col = Column.from(values: values[k], type: c.1)
            if let i = t.schema.index(of: c.0) { t.schema.columns[i] = ColumnSchema(c.0, c.1); t.columns[i] = col }
            else { t.schema.columns.append(ColumnSchema(c.0, c.1)); t.columns.append(col) }
        }
        return t
    }

    /// `parse-kv Col as (k1: type, ...) with (pair_delimiter=..., kv_delimiter=..., quote=..., escape=..., greedy=...)`
    /// or `with (regex=...)`, or no delimiters at all (see KeyValueExtractor).
    func parseKV(_ input: Table, _ src: ExprSyntax, _ cols: [ColumnDeclSyntax], _ with: [String: ExprSyntax], _ scope: Scope, _ span: Span) throws -> Table {
        func option(_ name: String) throws -> String? { try with[name].map { try constant($0, scope).kqlString } }
        let mode: KeyValueExtractor.Mode
        if let pattern = try option("regex") {
            mode = .regex(try RegexCache.shared.regex(pattern))
        } else if with["pair_delimiter"] != nil || with["kv_delimiter"] != nil {
            let greedy = try with["greedy"].map { try constant($0, scope).asBool ?? false } ?? false
            mode = .delimited(pair: try option("pair_delimiter") ?? " ", kv: try option("kv_delimiter") ?? "=", greedy: greedy)
        } else {
            mode = .undelimited
        }
        let extractor = KeyValueExtractor(mode: mode, quote: try option("quote"), escape: try option("escape"))
        let keys = Set(cols.map(\.name))
        let b = try compile(src, input, scope)
        let v = try b.evaluate(input, ctx)
        var values = cols.map { _ in [Value]() }
        for r in 0..<input.count {
            let d = extractor.extract(v.value(at: r).kqlString, keys: keys)
            for (k, c) in cols.enumerated() {
                let t = KQLType(name: c.type) ?? .string
                values[k].append(d[c.name].map { Value.string($0).converted(to: t) } ?? (t == .string ? .string("") : .null))
            }
        }
        var t = input
        for (k, c) in cols.enumerated() {
            let type = KQLType(name: c.type) ?? .string
            t.schema.columns.append(ColumnSchema(c.name, type))
            t.columns.append(Column.from(values: values[k], type: type))
        }
        return t
    }
}
