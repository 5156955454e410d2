import Foundation
import Yams

/// A Sigma rule as written (SigmaHQ's YAML): metadata, the log source, the named search identifiers of
/// its detection and the condition that combines them. `SigmaRule+KQL` turns it into a query.
public struct SigmaRule: Sendable {
    public var meta: SigmaMetadata
    public var product: String
    public var category: String
    public var service: String
    /// Search identifier → its definition.
    public var searches: [String: Search]
    public var conditions: [String]

    /// A search identifier: field conditions ANDed (a map), alternatives ORed (a list of maps), or
    /// keywords (a list of values searched anywhere in the event).
    public indirect enum Search: Sendable {
        case fields([FieldTest])
        case anyOf([Search])
        case keywords([SigmaValue])
    }

    public struct FieldTest: Sendable {
        public var field: String
        public var modifiers: [String]
        public var values: [SigmaValue]
    }

    public enum SigmaValue: Sendable, Equatable {
        case string(String)
        case number(String)
        case null
    }

    public struct SigmaError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    public static func parse(_ text: String) throws -> SigmaRule {
        guard let root = try Yams.load(yaml: text) as? [String: Any] else { throw SigmaError(message: "not a YAML mapping") }
        return try parse(root)
    }

    static func parse(_ root: [String: Any]) throws -> SigmaRule {
        guard let detection = root["detection"] as? [String: Any] else { throw SigmaError(message: "no detection section (a correlation or filter rule?)") }
        let logsource = root["logsource"] as? [String: Any] ?? [:]
        var searches: [String: Search] = [:]
        var conditions: [String] = []
        for (name, value) in detection {
            if name == "condition" { conditions = SigmaMetadata.list(value); continue }
            if name == "timeframe" { continue }
            searches[name] = try search(value, name)
        }
        guard !conditions.isEmpty else { throw SigmaError(message: "no condition") }
        return SigmaRule(meta: SigmaMetadata(root), product: "\(logsource["product"] ?? "")".lowercased(), category: "\(logsource["category"] ?? "")".lowercased(),
                         service: "\(logsource["service"] ?? "")".lowercased(), searches: searches, conditions: conditions)
    }

    static func value(_ v: Any?) -> SigmaValue {
        guard let v, !(v is NSNull) else { return .null }
        if let i = v as? Int { return .number(String(i)) }
        if let d = v as? Double { return .number(String(d)) }
        if let b = v as? Bool { return .string(b ? "true" : "false") }
        return .string("\(v)")
    }

    static func search(_ v: Any, _ name: String) throws -> Search {
        if let map = v as? [String: Any] {
            return .fields(try map.keys.sorted().map { key in
                // `'|all': [a, b]` has no field: keywords, each of which the event must hold.
                let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                let raw = map[key]
                let values = (raw as? [Any])?.map(value) ?? [value(raw)]
                return FieldTest(field: parts[0], modifiers: Array(parts.dropFirst()).map { $0.lowercased() }, values: values)
            })
        }
        if let items = v as? [Any] {
            if items.allSatisfy({ $0 is [String: Any] }) { return .anyOf(try items.map { try search($0, name) }) }
            return .keywords(items.map(value))
        }
        return .keywords([value(v)])
    }
}
