import Foundation
import Yams

/// A Sigma correlation rule (Sigma's correlation specification 2.0): a threshold or a temporal
/// relation over the events of other Sigma rules (or other correlations), per group of field values
/// within a timespan. It arrives with the rules it refers to in one multi-document YAML file; they are
/// found by `id` or `name`. `SigmaCorrelation+KQL` turns it into one query.
public struct SigmaCorrelation: Sendable {
    public enum Kind: String, Sendable { case eventCount = "event_count", valueCount = "value_count", temporal, temporalOrdered = "temporal_ordered" }
    public var meta: SigmaMetadata
    public var kind: Kind
    public var rules: [String]
    public var groupBy: [String]
    /// In 100-ns ticks.
    public var timespan: Int64
    /// Comparisons that must all hold (`gte: 10`, `lt: 20`); for temporal kinds, on the number of rules seen.
    public var condition: [(op: String, value: Int)]
    /// The field whose distinct values a value_count counts.
    public var field: String?
    /// Alias → rule name → the field it stands for in that rule's events.
    public var aliases: [String: [String: String]]

    static func parse(_ root: [String: Any]) throws -> SigmaCorrelation {
        guard let c = root["correlation"] as? [String: Any] else { throw SigmaRule.SigmaError(message: "no correlation section") }
        guard let type = c["type"].map({ "\($0)" }), let kind = Kind(rawValue: type) else {
            throw SigmaRule.SigmaError(message: "correlation type '\(c["type"].map { "\($0)" } ?? "")' is not event_count, value_count, temporal or temporal_ordered")
        }
        let rules = SigmaMetadata.list(c["rules"])
        guard !rules.isEmpty else { throw SigmaRule.SigmaError(message: "a correlation needs the rules it correlates") }
        guard let span = c["timespan"].map({ "\($0)" }), let ticks = Self.timespan(span) else {
            throw SigmaRule.SigmaError(message: "timespan '\(c["timespan"].map { "\($0)" } ?? "")' is not a number followed by s, m, h or d")
        }
        var condition: [(op: String, value: Int)] = [], field: String?
        if let m = c["condition"] as? [String: Any] {
            for (k, v) in m.sorted(by: { $0.key < $1.key }) {
                if k == "field" { field = "\(v)"; continue }
                guard ["gt", "gte", "lt", "lte", "eq"].contains(k), let n = v as? Int ?? Int("\(v)") else {
                    throw SigmaRule.SigmaError(message: "condition '\(k): \(v)' is not gt, gte, lt, lte or eq with a whole number")
                }
                condition.append((k, n))
            }
        }
        switch kind {
        case .eventCount, .valueCount:
            guard !condition.isEmpty else { throw SigmaRule.SigmaError(message: "an \(type) correlation needs a condition (gte, gt, lt, lte, eq)") }
            if kind == .valueCount && field == nil { throw SigmaRule.SigmaError(message: "a value_count correlation needs condition.field") }
        case .temporal, .temporalOrdered: break
        }
        var aliases: [String: [String: String]] = [:]
        for (alias, v) in c["aliases"] as? [String: Any] ?? [:] {
            aliases[alias] = (v as? [String: Any] ?? [:]).mapValues { "\($0)" }
        }
        return SigmaCorrelation(meta: SigmaMetadata(root), kind: kind, rules: rules, groupBy: SigmaMetadata.list(c["group-by"]), timespan: ticks,
                                condition: condition, field: field, aliases: aliases)
    }

    /// `90m`, `1h`, `30s`, `2d` in ticks.
    static func timespan(_ s: String) -> Int64? {
        guard let unit = s.last, let n = Int64(s.dropLast()), n > 0 else { return nil }
        switch unit {
        case "s": return n * 10_000_000
        case "m": return n * 600_000_000
        case "h": return n * 36_000_000_000
        case "d": return n * 864_000_000_000
        default: return nil
        }
    }
}

/// The documents of one Sigma file: detection rules and correlations, found by `id` or `name`.
public struct SigmaCollection: Sendable {
    public enum Document: Sendable {
        case rule(SigmaRule)
        case correlation(SigmaCorrelation)
        var meta: SigmaMetadata { switch self { case .rule(let r): r.meta; case .correlation(let c): c.meta } }
    }
    public var documents: [Document]

    public static func parse(_ text: String) throws -> SigmaCollection {
        var docs: [Document] = []
        for (i, node) in try Yams.load_all(yaml: text).enumerated() {
            guard let root = node as? [String: Any] else { throw SigmaRule.SigmaError(message: "document \(i + 1) is not a YAML mapping") }
            do {
                if root["correlation"] != nil { docs.append(.correlation(try SigmaCorrelation.parse(root))) }
                else if root["action"] != nil { continue }  // a global or reset document of the old multi-document format
                else { docs.append(.rule(try SigmaRule.parse(root))) }
            } catch let e as SigmaRule.SigmaError {
                throw SigmaRule.SigmaError(message: "document \(i + 1) ('\(root["title"] ?? "")'): \(e.message)")
            }
        }
        return SigmaCollection(documents: docs)
    }

    func find(_ ref: String) -> Document? { documents.first { $0.meta.id == ref || (!$0.meta.name.isEmpty && $0.meta.name == ref) } }

    /// The outermost correlation: the one no other document refers to.
    public var outermost: SigmaCorrelation? {
        let referred = Set(documents.flatMap { d -> [String] in if case .correlation(let c) = d { return c.rules } else { return [] } })
        for d in documents { if case .correlation(let c) = d, !referred.contains(c.meta.id), c.meta.name.isEmpty || !referred.contains(c.meta.name) { return c } }
        return nil
    }
}
