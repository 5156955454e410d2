public import KQL
import Crypto
import Foundation
public import OrderedCollections
public import VigilCore

/// Turns a rule run's result into `SecurityAlert` rows with Sentinel's columns: the trigger decides,
/// the event grouping makes one alert (SingleAlert) or one per row (AlertPerResult, at most 150),
/// entity mappings become the `Entities` JSON, custom details and the query go into
/// `ExtendedProperties`, and `alertDetailsOverride` rewrites name, description, severity and tactics.
/// Deterministic: the same rule, window and rows give the same alerts, ids included.
public enum AlertBuilder {
    public static let maxAlertsPerRun = 150
    /// Result rows copied into an alert's `ExtendedProperties."Query Results"`.
    public static let maxResultRowsPerAlert = 10

    /// An alert: its `SecurityAlert` row (column → value) and the result rows that raised it.
    public struct Alert: Sendable {
        public var row: OrderedDictionary<String, Value>
        public var evidence: [Int]
        public var systemAlertID: String { row["SystemAlertId"]?.asStringPublic ?? "" }
    }

    /// `threshold` replaces the rule's `triggerThreshold` when it is learned (`triggerThreshold: dynamic`).
    public static func build(rule: AnalyticsRule, run: RuleRun, result: Table, threshold: DynamicTrigger.Threshold? = nil) -> [Alert] {
        guard rule.triggerOperator.fires(count: result.count, threshold: threshold?.value ?? rule.triggerThreshold), result.count > 0 else { return [] }
        switch rule.eventGrouping {
        case .singleAlert: return [alert(rule, run, result, rows: Array(0..<result.count), index: 0, threshold: threshold)]
        case .alertPerResult: return (0..<min(result.count, maxAlertsPerRun)).map { alert(rule, run, result, rows: [$0], index: $0, threshold: threshold) }
        }
    }

    static func alert(_ rule: AnalyticsRule, _ run: RuleRun, _ t: Table, rows: [Int], index: Int, threshold: DynamicTrigger.Threshold? = nil) -> Alert {
        func value(_ column: String, _ row: Int) -> Value? { t.column(named: column).map { $0.value(at: row) } }
        func text(_ column: String, _ row: Int) -> String { value(column, row).map { $0.isNull ? "" : $0.kqlString } ?? "" }
        let first = rows[0]
        func fill(_ format: String) -> String {
            var out = format
            for p in RuleValidator.placeholders(format) { out = out.replacingOccurrences(of: "{{\(p)}}", with: text(p, first)) }
            return out
        }
        let o = rule.alertDetailsOverride
        let name = o?.displayNameFormat.map(fill).flatMap { $0.isEmpty ? nil : $0 } ?? rule.name
        let description = o?.descriptionFormat.map(fill).flatMap { $0.isEmpty ? nil : $0 } ?? rule.description
        let severity = o?.severityColumnName.flatMap { Severity(loose: text($0, first)) } ?? rule.severity
        var tactics = rule.tactics
        if let c = o?.tacticsColumnName {
            let listed = text(c, first).split(whereSeparator: { $0 == "," || $0 == ";" }).compactMap { MitreTactic(loose: String($0)) }
            if !listed.isEmpty { tactics = listed }
        }
        // Time span of the evidence: its TimeGenerated when the output has it, else the window.
        var start = run.windowStart, end = run.windowEnd
        if let tg = t.column(named: "TimeGenerated"), tg.type == .datetime {
            let times = rows.compactMap { r -> Int64? in if case .datetime(let x) = tg.value(at: r) { return x }; return nil }
            if let lo = times.min(), let hi = times.max() { start = lo; end = hi }
        }
        let entities = Self.entities(rule, t, rows: rows)
        var custom: OrderedDictionary<String, Value> = [:]
        for d in rule.customDetails { custom[d.key] = .array(Array(Set(rows.map { text(d.value, $0) })).sorted().map { .string($0) }) }
        var extended: OrderedDictionary<String, Value> = [
            "Analytic Rule Ids": .string("[\"\(rule.id)\"]"),
            "Analytic Rule Name": .string(rule.name),
            "Query": .string(rule.query),
            "Query Period": .string(RuleDuration.format(max(rule.queryPeriod, 1))),
            "Query Start Time UTC": .string(DateTimeMath.format(run.windowStart)),
            "Query End Time UTC": .string(DateTimeMath.format(run.windowEnd)),
            "Trigger Operator": .string(rule.triggerOperator.rawValue),
            "Trigger Threshold": .string(threshold.map { "dynamic: \($0.value) (\($0.explanation))" } ?? String(rule.triggerThreshold)),
            "Search Query Results Overall Count": .string(String(t.count)),
            "Event Grouping": .string(rule.eventGrouping.rawValue),
        ]
        if !custom.isEmpty { extended["Custom Details"] = .string(Value.bag(custom).jsonText) }
        // The rows that raised the alert (the first few of a SingleAlert): the evidence an analyst
        // opens first, kept with the alert because the window's data may age out of retention.
        let shown = rows.prefix(maxResultRowsPerAlert).map { r -> Value in
            var bag: OrderedDictionary<String, Value> = [:]
            for (i, c) in t.schema.columns.enumerated() { bag[c.name] = t.columns[i].value(at: r) }
            return .bag(bag)
        }
        extended["Query Results"] = .string(Value.array(Array(shown)).jsonText)
        if rows.count > shown.count { extended["Query Results Omitted"] = .string(String(rows.count - shown.count)) }
        for d in o?.dynamicProperties ?? [] { extended[d.key] = .string(text(d.value, first)) }
        let id = deterministicID(rule.id, run.runTime, index)
        let row: OrderedDictionary<String, Value> = [
            "TimeGenerated": .datetime(run.windowEnd),
            "DisplayName": .string(name),
            "AlertName": .string(name),
            "AlertSeverity": .string(severity.rawValue),
            "Description": .string(description),
            "ProviderName": .string(rule.kind == .nrt ? "ASI NRT Alerts" : "ASI Scheduled Alerts"),
            "VendorName": .string("Vigil"),
            "VendorOriginalId": .string(id),
            "SystemAlertId": .string(id),
            "AlertType": .string("\(rule.id)_\(rule.name)"),
            "ConfidenceLevel": .string("Unknown"),
            "IsIncident": .bool(false),
            "StartTime": .datetime(start),
            "EndTime": .datetime(end),
            "ProcessingEndTime": .datetime(run.runTime),
            "ExtendedProperties": .string(Value.bag(extended).jsonText),
            "Entities": .string(Value.array(entities).jsonText),
            "SourceSystem": .string("Detection"),
            "ProductName": .string("Azure Sentinel"),
            "ProductComponentName": .string(rule.kind == .nrt ? "NRT Alerts" : "Scheduled Alerts"),
            "Status": .string("New"),
            "CompromisedEntity": .string(entities.first.flatMap { e -> String? in
                guard case .bag(let b) = e else { return nil }
                return b.first { $0.key != "$id" && $0.key != "Type" }?.value.asStringPublic
            } ?? ""),
            "Tactics": .string(tactics.map(\.rawValue).joined(separator: ", ")),
            "Techniques": .string(Value.array(rule.techniques.map { .string($0) }).jsonText),
        ]
        return Alert(row: row, evidence: rows)
    }

    /// The entity mappings applied to the rows: Sentinel's `Entities` JSON objects, deduplicated across
    /// the rows and numbered `$id` as Sentinel numbers them.
    static func entities(_ rule: AnalyticsRule, _ t: Table, rows: [Int]) -> [Value] {
        var entities: [Value] = []
        var seen = Set<String>()
        for r in rows {
            for m in rule.entityMappings {
                var bag: OrderedDictionary<String, Value> = [:]
                for f in m.fieldMappings {
                    let v = t.column(named: f.columnName).map { $0.value(at: r) }.map { $0.isNull ? "" : $0.kqlString } ?? ""
                    if !v.isEmpty { bag[f.identifier] = .string(v) }
                }
                guard !bag.isEmpty else { continue }
                bag["Type"] = .string(m.entityType.rawValue.lowercased())
                let key = Value.bag(bag).jsonText
                guard seen.insert(key).inserted else { continue }
                var withID: OrderedDictionary<String, Value> = ["$id": .string(String(entities.count + 2))]
                for (k, v) in bag { withID[k] = v }
                entities.append(.bag(withID))
            }
        }
        return entities
    }

    /// A GUID from the rule, the run and the alert's place in it: replays give the same ids.
    static func deterministicID(_ rule: String, _ runTime: Int64, _ index: Int) -> String {
        let d = Array(SHA256.hash(data: Data("\(rule)|\(runTime)|\(index)".utf8)))
        let hex = d.prefix(16).map { String(format: "%02x", $0) }.joined()
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }
}
