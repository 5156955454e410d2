public import KQL
import VigilCore

/// What the incident's rules did across the estate before it: how many alerts, on how many hosts or
/// accounts, on how many days of the lookback. A rule that alerted on many entities on many days
/// matches routine activity here (a rule to tune, not an attack on these entities): level `routine`,
/// with the alerts counted. Whether each rule is community content (a Sigma rule, by its alerts'
/// description) is part of the fact, for a policy that treats untuned content apart. The community
/// rules that fire routinely are also listed (fact `routine community rules`): their alerts are
/// background, and do not corroborate another incident on the same hosts.
public struct RuleRecordModule: EvidenceModule {
    public let name = "Rule record"
    public var minEntities = 10
    public var minDays = 3
    public init() {}

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        let rules = Array(Set(ctx.incident.alerts.map(\.ruleID))).sorted(), wanted = Set(rules)
        guard !rules.isEmpty else { return [] }
        guard let t = try ctx.query(Self.recordQuery, extra: ["wfrom": .datetime(ctx.incident.firstActivityTime)]) else { return [] }
        let days = ctx.lookback / 864_000_000_000
        var seen = Set<String>()
        var out: [Finding] = []
        var noisy: [String] = []
        for r in t.rowDicts(limit: 100_000) {
            let rule = r["RuleId"] ?? "", alerts = Int(r["Alerts"] ?? "") ?? 0, entities = Int(r["Entities"] ?? "") ?? 0, active = Int(r["Days"] ?? "") ?? 0
            let routine = isRoutine(entities: entities, days: active)
            let sigma = (Int(r["Sigma"] ?? "") ?? 0) > 0
            if routine && sigma { noisy.append(rule) }
            guard wanted.contains(rule) else { continue }
            seen.insert(rule)
            out.append(Finding(kind: .context,
                               summary: "\(r["Name"] ?? rule): \(alerts) alerts on \(entities) hosts or accounts on \(active) of the \(days) days before this incident"
                                   + (routine ? ": it fires routinely in this estate" : ""),
                               level: routine ? "routine" : "rare",
                               evidence: [["fact": "rule record", "RuleId": rule, "sigma": sigma ? "true" : "false", "rowsCounted": String(alerts)]]))
        }
        for rule in rules where !seen.contains(rule) {
            let name = ctx.incident.alerts.first { $0.ruleID == rule }?.name ?? rule
            out.append(Finding(kind: .context, summary: "\(name): no alert in the \(days) days before this incident", level: "rare",
                               evidence: [["fact": "rule record", "RuleId": rule, "rowsCounted": "0"]]))
        }
        if !noisy.isEmpty {
            out.append(Finding(kind: .context, summary: "\(noisy.count) community rules fire routinely in this estate: their alerts do not corroborate", level: "background",
                               evidence: [["fact": "routine community rules", "RuleIds": noisy.sorted().joined(separator: ",")]]))
        }
        return out
    }

    /// Every rule's alerts between `since` and `wfrom`: how many, on how many entities, on how many days,
    /// and how many are a Sigma rule's.
    static let recordQuery = """
        SecurityAlert
        | where TimeGenerated >= since and TimeGenerated < wfrom
        | extend RuleId = tostring(todynamic(tostring(todynamic(ExtendedProperties)["Analytic Rule Ids"]))[0])
        | summarize arg_max(TimeGenerated, CompromisedEntity, AlertName, Description) by SystemAlertId, RuleId
        | summarize Alerts = count(), Entities = dcount(CompromisedEntity), Days = dcount(bin(TimeGenerated, 1d)),
                    Name = take_any(AlertName), Sigma = countif(Description startswith "Sigma rule by") by RuleId
        """

    func isRoutine(entities: Int, days: Int) -> Bool { entities >= minEntities && days >= minDays }

    /// The community rules that fire routinely in this estate over the lookback before `now`: the
    /// producer does not let their alerts correlate across rules (background, as triage counts them).
    public func routineCommunityRules(provider: any TableProvider, now: Int64, lookback: Int64 = 14 * 864_000_000_000) throws -> Set<String> {
        guard let t = try TriageContext.query(Self.recordQuery, parameters: ["since": .datetime(now - lookback), "wfrom": .datetime(now)],
                                              provider: provider, now: now) else { return [] }
        return Set(t.rowDicts(limit: 100_000).filter { r in
            isRoutine(entities: Int(r["Entities"] ?? "") ?? 0, days: Int(r["Days"] ?? "") ?? 0) && (Int(r["Sigma"] ?? "") ?? 0) > 0
        }.compactMap { $0["RuleId"] })
    }
}
