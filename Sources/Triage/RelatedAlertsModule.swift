import Foundation
import KQL
import VigilCore

/// The alerts on the incident's entities in the lookback window, with their severities and tactics:
/// the incident's own and the others (marked), as STAT's Related Alerts module counts them, so that
/// the score weighs both what the incident is and what surrounds it.
public struct RelatedAlertsModule: EvidenceModule {
    public let name = "Related alerts"
    public init() {}

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        let own = ctx.incident.alerts.map(\.systemAlertID)
        guard let t = try ctx.query("""
            SecurityAlert
            | where TimeGenerated >= since and (SystemAlertId in (own) or Entities has_any (keys))
            | summarize arg_max(TimeGenerated, *) by SystemAlertId
            | extend RuleId = tostring(todynamic(tostring(todynamic(ExtendedProperties)["Analytic Rule Ids"]))[0])
            | project TimeGenerated, AlertName, AlertSeverity, Tactics, SystemAlertId, RuleId
            | order by TimeGenerated asc, SystemAlertId asc
            """, extra: ["own": .array(own.map { .string($0) })]) else { return [] }
        return t.rowDicts(limit: 200).map { r in
            Finding(kind: .relatedAlert, summary: "\(r["AlertName"] ?? "") at \(r["TimeGenerated"] ?? "")" + (own.contains(r["SystemAlertId"] ?? "") ? " (this incident)" : ""),
                    level: r["AlertSeverity"],
                    tactics: (r["Tactics"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                    evidence: [r])
        }
    }
}
