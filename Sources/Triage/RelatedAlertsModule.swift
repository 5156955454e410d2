import Foundation
import KQL
import VigilCore

/// Other alerts on the incident's entities in the lookback window (not the incident's own), with
/// their severities and tactics.
public struct RelatedAlertsModule: EvidenceModule {
    public let name = "Related alerts"
    public init() {}

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        let own = ctx.incident.alerts.map(\.systemAlertID)
        guard !(ctx.accounts + ctx.ips + ctx.hosts).isEmpty, let t = try ctx.query("""
            SecurityAlert
            | where TimeGenerated >= since and not(SystemAlertId in (own)) and Entities has_any (keys)
            | summarize arg_max(TimeGenerated, *) by SystemAlertId
            | project TimeGenerated, AlertName, AlertSeverity, Tactics, SystemAlertId
            | order by TimeGenerated asc
            """, extra: ["own": .array(own.map { .string($0) })]) else { return [] }
        return t.rowDicts(limit: 200).map { r in
            Finding(kind: .relatedAlert, summary: "\(r["AlertName"] ?? "") at \(r["TimeGenerated"] ?? "")", level: r["AlertSeverity"],
                    tactics: (r["Tactics"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                    evidence: [r])
        }
    }
}
