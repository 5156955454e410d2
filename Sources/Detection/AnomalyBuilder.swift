public import KQL
import Foundation
public import OrderedCollections
public import VigilCore

/// Turns an anomaly rule's output into `Anomalies` rows with Sentinel's columns. Every output row is
/// one anomaly. The query names its numbers by convention: `Score` (required), `Observed` and
/// `Expected` (the value seen and the learned baseline), `Explanation` (text); the other columns go to
/// `ExtendedProperties`, and the rule's `parameters` to `AnomalyDetails`, so an analyst sees the model,
/// the baseline and the deviation of each anomaly. Deterministic, like `AlertBuilder`.
public enum AnomalyBuilder {
    public static let maxAnomaliesPerRun = 500
    static let named: Set<String> = ["Score", "Observed", "Expected", "Explanation", "StartTime", "EndTime"]

    public struct Anomaly: Sendable {
        public var row: OrderedDictionary<String, Value>
        public var evidence: Int
        public var id: String { row["Id"]?.asStringPublic ?? "" }
    }

    public static func build(rule: AnalyticsRule, run: RuleRun, result t: Table) -> [Anomaly] {
        (0..<min(t.count, maxAnomaliesPerRun)).map { anomaly(rule, run, t, row: $0) }
    }

    static func anomaly(_ rule: AnalyticsRule, _ run: RuleRun, _ t: Table, row: Int) -> Anomaly {
        func value(_ c: String) -> Value { t.column(named: c).map { $0.value(at: row) } ?? .null }
        func text(_ c: String) -> String { let v = value(c); return v.isNull ? "" : v.kqlString }
        func time(_ c: String) -> Int64? { if case .datetime(let x) = value(c) { return x }; return nil }
        let score = value("Score").asDouble ?? 0
        var description = rule.description
        if let f = rule.alertDetailsOverride?.descriptionFormat {
            var out = f
            for p in RuleValidator.placeholders(f) { out = out.replacingOccurrences(of: "{{\(p)}}", with: text(p)) }
            if !out.isEmpty { description = out }
        }
        let start = time("StartTime") ?? time("TimeGenerated") ?? run.windowStart
        let end = time("EndTime") ?? time("TimeGenerated") ?? run.windowEnd
        let entities = AlertBuilder.entities(rule, t, rows: [row])
        func entity(_ type: EntityType, _ ids: [String]) -> String {
            for m in rule.entityMappings where m.entityType == type {
                for id in ids { if let f = m.fieldMappings.first(where: { $0.identifier == id }), !text(f.columnName).isEmpty { return text(f.columnName) } }
            }
            return ""
        }
        let account = entity(.account, ["FullName", "Name", "UPNSuffix"])
        var reason: OrderedDictionary<String, Value> = ["Name": .string(rule.name), "IsAnomalous": .bool(true), "Score": .real(score)]
        for c in ["Observed", "Expected", "Explanation"] where t.column(named: c) != nil { reason[c] = value(c) }
        var extended: OrderedDictionary<String, Value> = [:]
        for c in t.schema.names where !named.contains(c) { extended[c] = value(c) }
        for c in ["Observed", "Expected"] where t.column(named: c) != nil { extended[c] = value(c) }
        var parameters: OrderedDictionary<String, Value> = [:]
        for p in rule.parameters { parameters[p.key] = .string(p.value) }
        let details: OrderedDictionary<String, Value> = [
            "Model": .string("KQL query: \(rule.name)"),
            "Parameters": .bag(parameters),
            "Query Start Time UTC": .string(DateTimeMath.format(run.windowStart)),
            "Query End Time UTC": .string(DateTimeMath.format(run.windowEnd)),
            "Explanation": value("Explanation").isNull ? .string(description) : value("Explanation"),
        ]
        let id = AlertBuilder.deterministicID("anomaly|" + rule.id, run.runTime, row)
        let out: OrderedDictionary<String, Value> = [
            "TimeGenerated": .datetime(run.windowEnd),
            "Id": .string(id),
            "VendorName": .string("Vigil"),
            "AnomalyTemplateId": .string(rule.id),
            "AnomalyTemplateName": .string(rule.name),
            "AnomalyTemplateVersion": .string(rule.version ?? "1.0.0"),
            "RuleId": .string(rule.id),
            "RuleStatus": .string(rule.status?.lowercased() == "flighting" ? "Flighting" : "Production"),
            "RuleName": .string(rule.name),
            "RuleConfigVersion": .string(rule.version ?? "1.0.0"),
            "Score": .real(score),
            "Description": .string(description),
            "StartTime": .datetime(start),
            "EndTime": .datetime(end),
            "Tactics": .string(rule.tactics.map(\.rawValue).joined(separator: ", ")),
            "Techniques": .string(rule.techniques.joined(separator: ", ")),
            "UserName": .string(account.split(separator: "@").first.map(String.init) ?? ""),
            "UserPrincipalName": .string(account.contains("@") ? account : ""),
            "SourceIpAddress": .string(entity(.ip, ["Address"])),
            "SourceDevice": .string(entity(.host, ["FullName", "HostName"])),
            "AnomalyReasons": .array([.bag(reason)]),
            "Entities": .array(entities),
            "ExtendedProperties": .bag(extended),
            "AnomalyDetails": .bag(details),
            "SourceSystem": .string("Detection"),
        ]
        return Anomaly(row: out, evidence: row)
    }
}
