public import KQL
import Foundation

/// A custom table as a data collection rule declares it: a `_CL` name and typed columns, read from a
/// schema document or inferred from sample records. Pure: the caller reads the file.
public enum TableDeclaration {
    /// Columns the workspace adds to every table; a declaration may not name them.
    public static let reserved: Set<String> = ["TenantId", "Type", "_ResourceId", "_SubscriptionId", "_ItemId", "_IsBillable", "_BilledSize", "_IngestionTime"]

    /// Log Analytics' column type names, and their KQL types.
    static let typeNames: [String: KQLType] = [
        "string": .string, "int": .int, "long": .long, "real": .real, "double": .real, "bool": .bool, "boolean": .bool,
        "datetime": .datetime, "date": .datetime, "dynamic": .dynamic, "guid": .guid, "timespan": .timespan, "decimal": .decimal,
    ]

    /// The columns of a schema document: `[{"name","type"}]`, `{"columns": [...]}`, a Log Analytics
    /// table resource (`properties.schema.columns`), or a data collection rule
    /// (`properties.streamDeclarations.Custom-X.columns`, the first stream). Nil when the bytes are not
    /// such a document (they may be sample records to infer from).
    public static func columns(fromSchemaDocument bytes: [UInt8]) throws -> [ColumnSchema]? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(bytes)) else { return nil }
        func list(_ any: Any?) -> [[String: Any]]? {
            guard let a = any as? [[String: Any]], !a.isEmpty, a.allSatisfy({ $0["name"] is String && $0["type"] is String }) else { return nil }
            // Sample records with `name` and `type` fields carry other fields too.
            guard a.allSatisfy({ Set($0.keys).isSubset(of: ["name", "type", "description", "displayName", "isHidden", "isDefaultDisplay"]) }) else { return nil }
            return a
        }
        var found = list(json)
        if found == nil, let o = json as? [String: Any] {
            let props = o["properties"] as? [String: Any]
            let schema = props?["schema"] as? [String: Any]
            let streams = (props?["streamDeclarations"] ?? o["streamDeclarations"]) as? [String: Any]
            let firstStream = streams?.keys.sorted().first.flatMap { streams?[$0] as? [String: Any] }
            found = list(o["columns"]) ?? list(schema?["columns"]) ?? list(firstStream?["columns"])
        }
        guard let cols = found else { return nil }
        return try cols.map { c in
            let name = (c["name"] as? String ?? "").trimmingCharacters(in: .whitespaces)
            let typeName = (c["type"] as? String ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            guard let t = typeNames[typeName] else {
                throw IngestionError.invalidSchema("column '\(name)' has type '\(typeName)'; types are \(typeNames.keys.sorted().joined(separator: ", "))")
            }
            return ColumnSchema(name, t)
        }
    }

    /// Columns inferred from sample records, as ingesting them into a new custom table would create them.
    public static func columns(inferredFrom bytes: UnsafeBufferPointer<UInt8>, format: LogFormat, table: String) throws -> [ColumnSchema] {
        let (_, builder, log) = try Ingestor.parseAll(bytes, format: format, table: table, schema: Schema([]), policy: .extensible, source: "sample", ingestionTime: 0)
        let cols = builder.columns.filter { $0.name != "_IngestionTime" && $0.name != "Type" }
        guard cols.contains(where: { $0.name != "TimeGenerated" }) else {
            throw IngestionError.invalidSchema("the sample holds no records to infer columns from" + (log.items.first.map { " (\($0.reason))" } ?? ""))
        }
        return cols
    }

    /// Checks a declaration and completes it: a `_CL` name, identifier column names without duplicates
    /// or reserved names, and `TimeGenerated` (a datetime, added first when missing).
    public static func validate(name: String, columns: [ColumnSchema]) throws -> [ColumnSchema] {
        guard Ingestor.isCustomName(name), name.utf8.count <= 63 else {
            throw IngestionError.invalidTableName("'\(name)' is not a custom table name: letters, digits and underscores ending in _CL, at most 63 characters")
        }
        var seen = Set<String>()
        for c in columns {
            guard SchemaCatalog.isTableName(c.name), c.name.utf8.count <= 500 else { throw IngestionError.invalidSchema("'\(c.name)' is not a column name (letters, digits and underscores)") }
            guard !reserved.contains(c.name) else { throw IngestionError.invalidSchema("'\(c.name)' is a column the workspace adds itself; leave it out") }
            guard seen.insert(c.name.lowercased()).inserted else { throw IngestionError.invalidSchema("column '\(c.name)' is declared twice") }
            if c.name == "TimeGenerated", c.type != .datetime { throw IngestionError.invalidSchema("TimeGenerated must be a datetime, not \(c.type.rawValue)") }
        }
        guard columns.count <= 500 else { throw IngestionError.invalidSchema("a table has at most 500 columns; this one declares \(columns.count)") }
        return columns.contains(where: { $0.name == "TimeGenerated" }) ? columns : [ColumnSchema("TimeGenerated", .datetime)] + columns
    }
}
