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
            | project TimeGenerated, AlertName, AlertSeverity, Tactics, SystemAlertId, RuleId, Span = strcat(tolong(StartTime), "/", tolong(EndTime))
            | order by TimeGenerated asc, SystemAlertId asc
            """, extra: ["own": .array(own.map { .string($0) })]) else { return [] }
        // Another rule's alert over exactly the span of one of the incident's alerts saw the same events:
        // one observation read by two rules, not a second one.
        let spans = Set(ctx.incident.alerts.map { "\($0.startTime)/\($0.endTime)" })
        return t.rowDicts(limit: 200).map { r in
            let mine = own.contains(r["SystemAlertId"] ?? ""), twin = !mine && spans.contains(r["Span"] ?? "")
            var row = r
            row["Span"] = nil
            if twin { row["sameEvents"] = "true" }
            return Finding(kind: .relatedAlert, summary: "\(r["AlertName"] ?? "") at \(r["TimeGenerated"] ?? "")" + (mine ? " (this incident)" : twin ? " (the same events as this incident's alert)" : ""),
                           level: r["AlertSeverity"],
                           tactics: (r["Tactics"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                           evidence: [row])
        }
    }
}
