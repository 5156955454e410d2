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
            for (table, extra) in additions {
                var cols = out[table]?.columns ?? []
                for c in extra.columns where !cols.contains(where: { $0.name == c.name }) { cols.append(c) }
                out[table] = Schema(cols)
            }
        }
        return out
    }()

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
