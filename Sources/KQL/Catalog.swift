public import Foundation

/// Sentinel's built-in table schemas, shipped as a resource (copied from the shared sample data).
public enum SchemaCatalog {
    public static let builtIn: [String: Schema] = {
        guard let url = Bundle.module.url(forResource: "schemas", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return [:] }
        return (try? parse(data)) ?? [:]
    }()

    /// Parses `{"Table": [{"name": "...", "type": "..."}]}`.
    public static func parse(_ data: Data) throws -> [String: Schema] {
        let raw = try JSONDecoder().decode([String: [[String: String]]].self, from: data)
        var out: [String: Schema] = [:]
        for (table, cols) in raw {
            out[table.trimmingCharacters(in: .whitespaces)] = Schema(cols.map { ColumnSchema($0["name"] ?? "", KQLType(name: $0["type"] ?? "string") ?? .string) })
        }
        return out
    }
}
