import Foundation
import KQL
import VigilCore

/// The alerts on the incident's entities in the lookback window, with their severities and tactics:
/// the incident's own and the others (marked), as STAT's Related Alerts module counts them, so that
/// the score weighs both what the incident is and what surrounds it.
///
/// Two kinds of other alerts are marked as not corroborating: one over exactly the span of one of the
/// incident's alerts (the same events read by a second rule), and one that shares only a busy host
/// with the incident (a server or domain controller that the alerts of more than `busyHostAccounts`
/// accounts name) while it is about another account: two people's activity on one server.
public struct RelatedAlertsModule: EvidenceModule {
    public let name = "Related alerts"
    public var busyHostAccounts = 3
    public init() {}

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        let own = ctx.incident.alerts.map(\.systemAlertID)
        guard let t = try ctx.query("""
            SecurityAlert
            | where TimeGenerated >= since and (SystemAlertId in (own) or Entities has_any (keys))
            | summarize arg_max(TimeGenerated, *) by SystemAlertId
            | extend RuleId = tostring(todynamic(tostring(todynamic(ExtendedProperties)["Analytic Rule Ids"]))[0])
            | project TimeGenerated, AlertName, AlertSeverity, Tactics, SystemAlertId, RuleId, Span = strcat(tolong(StartTime), "/", tolong(EndTime)), Entities
            | order by TimeGenerated asc, SystemAlertId asc
            """, extra: ["own": .array(own.map { .string($0) })]) else { return [] }
        let rows = t.rowDicts(limit: 200)
        let spans = Set(ctx.incident.alerts.map { "\($0.startTime)/\($0.endTime)" })
        let named = rows.map { Self.entities($0["Entities"]) }
        var accountsOnHost: [String: Set<String>] = [:]
        for e in named { for h in e.hosts { accountsOnHost[h, default: []].formUnion(e.accounts) } }
        let incAccounts = Self.accounts(of: ctx.incident)
        let incHosts = Set(ctx.hosts.map { $0.lowercased() }), incIPs = Set(ctx.ips.map { $0.lowercased() })
        return zip(rows, named).map { r, e in
            let mine = own.contains(r["SystemAlertId"] ?? "")
            let twin = !mine && spans.contains(r["Span"] ?? "")
            // Shares no account with the incident and nothing but busy hosts: someone else on a busy server.
            let hosts = e.hosts.intersection(incHosts)
            let busyOnly = !mine && !twin && !e.accounts.isEmpty && e.accounts.isDisjoint(with: incAccounts) && !hosts.isEmpty
                && e.others.isDisjoint(with: incIPs) && hosts.allSatisfy { (accountsOnHost[$0]?.count ?? 0) > busyHostAccounts }
            var row = r
            row["Span"] = nil
            row["Entities"] = nil
            if twin { row["sameEvents"] = "true" }
            if busyOnly { row["busyHostOnly"] = "true" }
            if !mine { row["Accounts"] = e.accounts.sorted().joined(separator: ",") }
            let note = mine ? " (this incident)" : twin ? " (the same events as this incident's alert)"
                : busyOnly ? " (another account on \(hosts.sorted().joined(separator: ", ")), which alerts of \(hosts.map { accountsOnHost[$0]?.count ?? 0 }.max() ?? 0) accounts name)" : ""
            return Finding(kind: .relatedAlert, summary: "\(r["AlertName"] ?? "") at \(r["TimeGenerated"] ?? "")" + note,
                           level: r["AlertSeverity"],
                           tactics: (r["Tactics"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                           evidence: [row])
        }
    }

    /// An alert's entities (Sentinel's `Entities` JSON): account names without their domain, host
    /// names, and the other identifiers (addresses, ...), lowercased.
    static func entities(_ json: String?) -> (accounts: Set<String>, hosts: Set<String>, others: Set<String>) {
        guard let json, let list = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] else { return ([], [], []) }
        var out: (accounts: Set<String>, hosts: Set<String>, others: Set<String>) = ([], [], [])
        for e in list {
            let type = (e["Type"] as? String ?? "").lowercased()
            let name = (e["FullName"] as? String) ?? (e["HostName"] as? String) ?? (e["Name"] as? String) ?? (e["Address"] as? String) ?? ""
            guard !name.isEmpty else { continue }
            switch type {
            case "account": out.accounts.insert(bare(name))
            case "host": out.hosts.insert(name.lowercased())
            default: out.others.insert(name.lowercased())
            }
        }
        return out
    }

    /// The incident's account entities by every name they carry, bare.
    static func accounts(of inc: Incident) -> Set<String> {
        Set(inc.entities.filter { $0.type == .account }.flatMap { [$0.properties["FullName"], $0.properties["Upn"], $0.properties["Name"]].compactMap { $0 } }.map(bare))
    }

    /// `CONTOSO\\jdoe`, `\\jdoe` and `jdoe@contoso.com` are all `jdoe`.
    static func bare(_ account: String) -> String {
        let s = account.lowercased()
        let name = s.split(separator: "\\").last.map(String.init) ?? s
        return name.split(separator: "@").first.map(String.init) ?? name
    }
}
