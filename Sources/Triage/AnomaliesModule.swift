import KQL
import VigilCore

/// Anomalies on the incident's entities within the lookback window, the incident's own included.
public struct AnomaliesModule: EvidenceModule {
    public let name = "Anomalies"
    public init() {}

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        let own = ctx.incident.alerts.filter(\.isAnomaly).map(\.systemAlertID)
        guard let t = try ctx.query("""
            Anomalies
            | where TimeGenerated >= since and (Id in (own) or tostring(Entities) has_any (keys))
            | project TimeGenerated, AnomalyTemplateName, Score, Description, Id
            | order by TimeGenerated asc, Id asc
            """, extra: ["own": .array(own.map { .string($0) })]) else { return [] }
        return t.rowDicts(limit: 50).map { r in
            Finding(kind: .anomaly, summary: "\(r["AnomalyTemplateName"] ?? "") (score \(r["Score"] ?? "?"))", level: r["Score"], evidence: [r])
        }
    }
}
