public import VigilCore

/// Builds the report of an incident from what the workspace knows about it: the incident (alerts,
/// entities, comments, review, score) and its audit trail. Deterministic: no clock, no randomness,
/// and earlier reports (comments by `ReportBuilder.author`) are left out, so re-building an
/// unchanged incident gives the same report, byte for byte.
public struct ReportBuilder: Sendable {
    /// The author of report comments, and the audit actor of report runs.
    public static let author = "report"
    /// Authors that are Vigil's own agents, not people.
    public static let agents: Set<String> = ["producer-agent", "reviewer-agent", "automation", "triage", author]

    public struct Input: Sendable {
        public var incident: Incident
        public var audit: [AuditEntry]
        /// Each alert's entities (from `SecurityAlert` / `Anomalies`), for the timeline; alerts not
        /// given are shown without entities.
        public var alertEntities: [String: [Entity]]
        public init(incident: Incident, audit: [AuditEntry], alertEntities: [String: [Entity]] = [:]) {
            self.incident = incident; self.audit = audit; self.alertEntities = alertEntities
        }
    }

    public init() {}

    public func build(_ input: Input) -> IncidentReport {
        let inc = input.incident
        let audit = input.audit.filter { $0.actor != Self.author }
        let comments = inc.comments.filter { $0.author != Self.author }
        let start = inc.alerts.map(\.startTime).min() ?? inc.firstActivityTime
        let end = inc.alerts.map(\.endTime).max() ?? inc.lastActivityTime
        let involved = analysts(inc, audit: audit, comments: comments)
        let details = IncidentReport.Details(
            analysts: involved.filter { !Self.agents.contains($0) }, agents: involved.filter { Self.agents.contains($0) }, owner: Self.owner(inc),
            created: ReportTime(inc.createdTime), firstLog: ReportTime(inc.firstActivityTime), lastLog: ReportTime(inc.lastActivityTime),
            closed: inc.closedTime.map(ReportTime.init), status: inc.status.rawValue)
        let summary = IncidentReport.Summary(
            severity: inc.severity.rawValue, start: ReportTime(start), end: ReportTime(end), duration: ReportTime.duration(end - start),
            impact: Self.impact(inc.entities), text: Self.summaryText(inc, start: start, end: end), writtenBy: "Vigil",
            timeline: timeline(inc, entities: input.alertEntities))
        return IncidentReport(
            incidentNumber: inc.number, incidentID: inc.id, title: inc.title, details: details, summary: summary,
            classification: classification(inc, audit: audit), investigation: investigation(inc, audit: audit, comments: comments),
            riskScore: inc.riskScore.map { Self.score($0) },
            remediation: remediation(inc, comments: comments), followUp: followUp(inc))
    }

    /// The score's contributions summed by source, largest first: one line per evidence module.
    static func score(_ s: Incident.RiskScore) -> IncidentReport.Score {
        let lines = s.bySource.enumerated().sorted { (abs($0.element.points), -$0.offset) > (abs($1.element.points), -$1.offset) }.map { e in
            "\(e.element.source): \(e.element.points) (" + (e.element.reasons.count == 1 ? e.element.reasons[0] : "\(e.element.reasons.count) findings") + ")"
        }
        return IncidentReport.Score(total: s.total, contributions: lines, probability: s.probability)
    }

    static func owner(_ inc: Incident) -> String? { inc.owner.assignedTo ?? inc.owner.userPrincipalName ?? inc.owner.email }

    func analysts(_ inc: Incident, audit: [AuditEntry], comments: [Incident.Comment]) -> [String] {
        var out: [String] = []
        func add(_ name: String) {
            // The same person through the API (`token:alice`), the CLI (`cli:alice`) or a comment (`alice`).
            var n = name.hasPrefix("triage") ? "triage" : name
            for p in ["token:", "cli:"] where n.hasPrefix(p) { n.removeFirst(p.count) }
            if !n.isEmpty && !out.contains(n) { out.append(n) }
        }
        let events = audit.map { ($0.time, $0.actor) } + comments.map { ($0.createdTime, $0.author) }
        for (_, who) in events.enumerated().sorted(by: { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }).map(\.element) { add(who) }
        if let o = Self.owner(inc) { add(o) }
        return out
    }

    static func impact(_ entities: [Entity]) -> String {
        func names(_ t: EntityType) -> [String] {
            var seen: [String] = []
            for e in entities where e.type == t && !seen.contains(e.displayName) { seen.append(e.displayName) }
            return seen
        }
        var parts: [String] = []
        for (t, one, many) in [(EntityType.account, "account", "accounts"), (.host, "host", "hosts"), (.ip, "address", "addresses"),
                               (.url, "URL", "URLs"), (.fileHash, "file hash", "file hashes"), (.process, "process", "processes")] {
            let n = names(t)
            guard !n.isEmpty else { continue }
            let shown = n.prefix(8).map(short).joined(separator: ", ") + (n.count > 8 ? " and others" : "")
            parts.append("\(n.count == 1 ? one : many) \(shown)")
        }
        return parts.isEmpty ? "No entities were identified." : parts.joined(separator: "; ")
    }

    static func summaryText(_ inc: Incident, start: Int64, end: Int64) -> String {
        let rules = Set(inc.alerts.map(\.ruleID)).count
        let alerts = inc.alerts.filter { !$0.isAnomaly }.count, anomalies = inc.alerts.count - alerts
        var found: [String] = []
        if alerts > 0 { found.append(alerts == 1 ? "one alert" : "\(alerts) alerts") }
        if anomalies > 0 { found.append(anomalies == 1 ? "one anomaly" : "\(anomalies) anomalies") }
        var s = "\(inc.severity.rawValue) severity incident \(inc.number): \(found.isEmpty ? "no alerts" : found.joined(separator: " and "))"
        s += rules == 1 ? " of one analytics rule" : " of \(rules) analytics rules"
        s += " between \(ReportTime(start).display) and \(ReportTime(end).display) (\(ReportTime.duration(end - start)))"
        let tactics = Self.tactics(inc)
        if !tactics.isEmpty { s += ", across " + tactics.map(\.displayName).joined(separator: ", ") }
        s += ". Involved: " + impact(inc.entities)
        if !s.hasSuffix(".") { s += "." }
        if let r = inc.riskScore { s += " Risk score \(r.total)." }
        return s
    }

    static func tactics(_ inc: Incident) -> [MitreTactic] {
        Array(Set(inc.tactics + inc.alerts.flatMap(\.tactics))).sorted()
    }

    func timeline(_ inc: Incident, entities: [String: [Entity]]) -> [IncidentReport.TacticStage] {
        func names(_ a: Incident.AlertRef) -> [String] {
            var names: [String] = []
            for e in entities[a.systemAlertID] ?? [] where e.correlates && !names.contains(Self.short(e.displayName)) { names.append(Self.short(e.displayName)) }
            return names
        }
        /// Alerts in time order; repeats of one alert (name, severity) become one step with a count.
        func steps(_ alerts: [Incident.AlertRef]) -> [IncidentReport.Step] {
            var out: [IncidentReport.Step] = []
            var index: [String: Int] = [:]
            for a in alerts {
                let key = "\(a.name)|\(a.severity.rawValue)|\(a.isAnomaly)"
                if let i = index[key] {
                    out[i].count += 1
                    if a.startTime != out[i].time.ticks { out[i].until = ReportTime(a.startTime) }
                    for n in names(a) where !out[i].entities.contains(n) { out[i].entities.append(n) }
                } else {
                    index[key] = out.count
                    out.append(IncidentReport.Step(time: ReportTime(a.startTime), until: nil, count: 1, alert: a.name, severity: a.severity.rawValue,
                                                   anomaly: a.isAnomaly, entities: names(a)))
                }
            }
            return out
        }
        let ordered = inc.alerts.sorted { ($0.startTime, $0.name, $0.systemAlertID) < ($1.startTime, $1.name, $1.systemAlertID) }
        // Each alert once, under its primary tactic (the first its rule lists), stages in kill-chain order.
        var stages: [IncidentReport.TacticStage] = []
        for t in MitreTactic.allCases {
            let s = steps(ordered.filter { $0.tactics.first == t })
            if !s.isEmpty { stages.append(.init(tactic: t.displayName, steps: s)) }
        }
        let other = steps(ordered.filter { $0.tactics.isEmpty })
        if !other.isEmpty { stages.append(.init(tactic: "No tactic", steps: other)) }
        return stages
    }

    /// A name short enough for a sentence (command lines can run to kilobytes); a prefix of it, so
    /// the grounding check still finds it in the evidence.
    static func short(_ name: String) -> String {
        name.count <= 80 ? name : String(name.prefix(77)) + "..."
    }
}
