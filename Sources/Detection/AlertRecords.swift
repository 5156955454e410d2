public import KQL
import Foundation
public import OrderedCollections
public import VigilCore

/// `SecurityAlert` and `Anomalies` rows as `AlertRecord`s for the agents: from the rows a run built,
/// or from the tables read back with KQL.
public enum AlertRecords {
    public static func fromAlertRow(_ row: OrderedDictionary<String, Value>) -> AlertRecord? {
        func s(_ k: String) -> String { row[k].map { $0.isNull ? "" : $0.kqlString } ?? "" }
        func t(_ k: String) -> Int64? { if case .datetime(let x)? = row[k] { return x }; return nil }
        let id = s("SystemAlertId")
        guard !id.isEmpty else { return nil }
        var ruleID = ""
        if case .bag(let ext) = Value.parseJSON(s("ExtendedProperties")), let ids = ext["Analytic Rule Ids"],
           case .array(let list) = Value.parseJSON(ids.kqlString), let first = list.first { ruleID = first.kqlString }
        let time = t("ProcessingEndTime") ?? t("TimeGenerated") ?? 0
        var techniques: [String] = []
        if case .array(let list) = Value.parseJSON(s("Techniques")) { techniques = list.map(\.kqlString) }
        return AlertRecord(systemAlertID: id, ruleID: ruleID, name: s("AlertName").isEmpty ? s("DisplayName") : s("AlertName"), description: s("Description"),
                           severity: Severity(loose: s("AlertSeverity")) ?? .medium,
                           tactics: s("Tactics").split(separator: ",").compactMap { MitreTactic(loose: String($0)) },
                           techniques: techniques, startTime: t("StartTime") ?? time, endTime: t("EndTime") ?? time, time: time,
                           entities: entities(Value.parseJSON(s("Entities"))))
    }

    public static func fromAnomalyRow(_ row: OrderedDictionary<String, Value>) -> AlertRecord? {
        func s(_ k: String) -> String { row[k].map { $0.isNull ? "" : $0.kqlString } ?? "" }
        func t(_ k: String) -> Int64? { if case .datetime(let x)? = row[k] { return x }; return nil }
        let id = s("Id")
        guard !id.isEmpty else { return nil }
        let time = t("TimeGenerated") ?? 0
        let score = row["Score"]?.asDouble ?? 0
        var ents = row["Entities"] ?? .null
        if case .string(let text) = ents { ents = Value.parseJSON(text) }
        // An anomaly alone is weak evidence: Low, or Medium when the model is very sure.
        return AlertRecord(systemAlertID: id, ruleID: s("RuleId"), name: s("AnomalyTemplateName"), description: s("Description"),
                           severity: score >= 0.9 ? .medium : .low,
                           tactics: s("Tactics").split(separator: ",").compactMap { MitreTactic(loose: String($0)) },
                           techniques: s("Techniques").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                           startTime: t("StartTime") ?? time, endTime: t("EndTime") ?? time, time: time, entities: entities(ents), anomalyScore: score)
    }

    /// Every row of a `SecurityAlert` or `Anomalies` result table.
    public static func from(table t: Table, anomalies: Bool) -> [AlertRecord] {
        (0..<t.count).compactMap { r in
            var row: OrderedDictionary<String, Value> = [:]
            for (i, c) in t.schema.columns.enumerated() { row[c.name] = t.columns[i].value(at: r) }
            return anomalies ? fromAnomalyRow(row) : fromAlertRow(row)
        }
    }

    /// Sentinel's entity JSON (`[{"$id":"2","Type":"account","FullName":...}]`) as entities.
    public static func entities(_ v: Value) -> [Entity] {
        guard case .array(let list) = v else { return [] }
        return list.compactMap { e in
            guard case .bag(let b) = e, let type = b["Type"].flatMap({ EntityType(loose: $0.kqlString) }) else { return nil }
            var props: [String: String] = [:]
            for (k, v) in b where k != "$id" && k != "Type" && !v.isNull { props[k] = v.kqlString }
            return props.isEmpty ? nil : Entity(type: type, properties: props)
        }
    }
}

extension AlertBuilder.Alert {
    /// The alert as the agents see it.
    public var record: AlertRecord? { AlertRecords.fromAlertRow(row) }
}
