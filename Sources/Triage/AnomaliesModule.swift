import KQL
import VigilCore

/// The incident's entities in the `Anomalies` table within the lookback window.
public struct AnomaliesModule: EvidenceModule {
    public let name = "Anomalies"
    public init() {}

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        let own = ctx.incident.alerts.filter(\.isAnomaly).map(\.systemAlertID)
        guard !(ctx.accounts + ctx.ips + ctx.hosts).isEmpty, let t = try ctx.query("""
            Anomalies
            | where TimeGenerated >= since and not(Id in (own)) and tostring(Entities) has_any (keys)
            | project TimeGenerated, AnomalyTemplateName, Score, Description, Id
            | order by TimeGenerated asc
            """, extra: ["own": .array(own.map { .string($0) })]) else { return [] }
        return t.rowDicts(limit: 50).map { r in
            Finding(kind: .anomaly, summary: "\(r["AnomalyTemplateName"] ?? "") (score \(r["Score"] ?? "?"))", level: r["Score"], evidence: [r])
        }
    }
}
