public import Foundation

/// Sentinel's built-in table schemas, shipped as a resource (copied from the shared sample data).
public enum SchemaCatalog {
    public static let builtIn: [String: Schema] = {
        guard let url = Bundle.module.url(forResource: "schemas", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return [:] }
        var out = (try? parse(data)) ?? [:]
        // Columns Sentinel has added since the 2022 schema snapshot (schemas-additions.json).
        if let addURL = Bundle.module.url(forResource: "schemas-additions", withExtension: "json"),
           let addData = try? Data(contentsOf: addURL), let additions = try? parse(addData, standardColumns: false) {
            for (table, extra) in additions { out[table] = adding(extra, to: out[table]) }
        }
        // Azure Monitor and Defender XDR tables Sentinel content reads beyond that snapshot.
        if let url = Bundle.module.url(forResource: "schemas-azure-monitor", withExtension: "txt"),
           let text = try? String(contentsOf: url, encoding: .utf8) {
            let others = out.merging(connectorFile) { a, _ in a }
            // A table the snapshot has gets the columns Azure Monitor's reference lists and it lacks.
            for (table, schema) in parseTableList(text, others: others) { out[table] = adding(schema, to: out[table]) }
        }
        return out
    }()

    /// `extra`'s columns appended to `schema`'s where it has none of that name (its own types win).
    static func adding(_ extra: Schema, to schema: Schema?) -> Schema {
        var cols = schema?.columns ?? []
        for c in extra.columns where !cols.contains(where: { $0.name == c.name }) { cols.append(c) }
        return Schema(cols)
    }

    /// Parses lines `Table: Column:type, ...` and `Table = OtherTable` (comments start with `#`). Every
    /// table gets `TimeGenerated`, `SourceSystem` and the standard columns; an alias of an unknown
    /// table, or a line that does not parse, is left out.
    public static func parseTableList(_ text: String, others: [String: Schema]) -> [String: Schema] {
        var out: [String: Schema] = [:]
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if let eq = line.firstIndex(of: "="), !line[..<eq].contains(":") {
                let name = line[..<eq].trimmingCharacters(in: .whitespaces), target = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                if isTableName(name), let s = others[target] ?? out[target] { out[name] = s }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard isTableName(name) else { continue }
            var cols = [ColumnSchema("TimeGenerated", .datetime)]
            for item in line[line.index(after: colon)...].split(separator: ",") {
                let parts = item.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let t = KQLType(name: parts[1]), !cols.contains(where: { $0.name == parts[0] }) else { continue }
                cols.append(ColumnSchema(parts[0], t))
            }
            if !cols.contains(where: { $0.name == "SourceSystem" }) { cols.append(ColumnSchema("SourceSystem", .string)) }
            out[name] = withStandardColumns(Schema(cols))
        }
        return out
    }

    /// The connector and parser-output tables Sentinel's own query validation binds against
    /// (`schemas-custom.json` of the shared samples): `_CL` tables of data connectors and the output
    /// schemas of Solutions' parsers. Known to every workspace, empty until data arrives; unlike the
    /// built-in tables their schemas grow when ingested rows carry new columns, as custom logs do.
    public static let connectors: [String: Schema] = {
        // Names that are not identifiers (a display name such as `Syslog (Digital Guardian)`) are not tables.
        connectorFile.filter { isTableName($0.key) && builtIn[$0.key] == nil }.mapValues { withCustomLogColumns($0) }
    }()

    /// `schemas-connectors.json` as parsed (the Azure Monitor list's aliases may name its tables too).
    static let connectorFile: [String: Schema] = {
        guard let url = Bundle.module.url(forResource: "schemas-connectors", withExtension: "json"),
              let data = try? Data(contentsOf: url), let parsed = try? parse(data) else { return [:] }
        return parsed
    }()

    /// Every Log Analytics table has `TimeGenerated`; classic custom logs (`_CL`) also carry the agent's
    /// columns. The connector schemas list only their own fields, and the Solutions' parsers read these.
    static let customLogColumns: [ColumnSchema] = [
        ColumnSchema("SourceSystem", .string), ColumnSchema("Computer", .string), ColumnSchema("RawData", .string),
        ColumnSchema("MG", .string), ColumnSchema("ManagementGroupName", .string),
    ]

    static func withCustomLogColumns(_ s: Schema) -> Schema {
        var cols = s.columns
        if s.index(of: "TimeGenerated") == nil { cols.insert(ColumnSchema("TimeGenerated", .datetime), at: 0) }
        if s.index(of: "SourceSystem") == nil { cols.append(ColumnSchema("SourceSystem", .string)) }
        for c in customLogColumns where !cols.contains(where: { $0.name == c.name }) { cols.append(c) }
        return Schema(cols)
    }

    /// Every table a workspace knows before any data arrives: Sentinel's built-in tables, then the connectors'.
    public static func known(_ name: String) -> Schema? { builtIn[name] ?? connectors[name] }

    /// Every known table name, sorted.
    public static let knownNames: [String] = Array(Set(builtIn.keys).union(connectors.keys)).sorted()

    /// A name a table can have: an identifier (letters, digits, `_`), not starting with a digit.
    public static func isTableName(_ s: String) -> Bool {
        guard let f = s.utf8.first, !(48...57).contains(f), s.utf8.count <= 256 else { return false }
        return s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 }
    }

    /// Log Analytics adds these columns to every table; schema exports often omit them.
    public static let standardColumns: [ColumnSchema] = [
        ColumnSchema("TenantId", .string), ColumnSchema("Type", .string), ColumnSchema("_ResourceId", .string),
        ColumnSchema("_SubscriptionId", .string), ColumnSchema("_ItemId", .string), ColumnSchema("_IsBillable", .string),
        ColumnSchema("_BilledSize", .real),
    ]

    public static func withStandardColumns(_ s: Schema) -> Schema {
        var cols = s.columns
        for c in standardColumns where s.index(of: c.name) == nil { cols.append(c) }
        return Schema(cols)
    }

    /// Parses `{"Table": [{"name": "...", "type": "..."}]}`.
    public static func parse(_ data: Data, standardColumns: Bool = true) throws -> [String: Schema] {
        let raw = try JSONDecoder().decode([String: [[String: String]]].self, from: data)
        var out: [String: Schema] = [:]
        for (table, cols) in raw {
            let schema = Schema(cols.map { ColumnSchema($0["name"] ?? "", KQLType(name: $0["type"] ?? "string") ?? .string) })
            out[table.trimmingCharacters(in: .whitespaces)] = standardColumns ? withStandardColumns(schema) : schema
        }
        return out
    }
}
