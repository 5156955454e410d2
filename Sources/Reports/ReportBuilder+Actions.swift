import Foundation
import VigilCore

/// The report's sections of what was decided and done: classification, investigation, remediation
/// and follow-up, read from the incident's review, comments and audit trail.
extension ReportBuilder {
    func classification(_ inc: Incident, audit: [AuditEntry]) -> IncidentReport.ClassificationSection {
        var decidedBy: String?
        if inc.status == .closed {
            if let r = inc.review, r.outcome == .autoClose, !r.shadow, inc.closedTime == r.time {
                decidedBy = "reviewer-agent (policy \(r.policyVersion))"
            } else if let c = inc.closedTime, let who = audit.last(where: { $0.time == c })?.actor {
                decidedBy = who
            } else {
                decidedBy = Self.owner(inc)
            }
        }
        let review = inc.review.map { r in
            (r.shadow ? "shadow mode, would \(r.outcome.rawValue)" : r.outcome.rawValue) + " under policy \(r.policyVersion)"
                + (r.reasons.isEmpty ? "" : ": " + r.reasons.joined(separator: "; "))
        }
        return .init(status: inc.status.rawValue, classification: inc.classification?.rawValue, reason: inc.classificationReason?.rawValue,
                     comment: inc.classificationComment, decidedBy: decidedBy, review: review)
    }

    /// Every recorded step (who assigned, created, triaged, reviewed, automated what), the evidence
    /// modules' findings, and analysts' comments, in time order.
    func investigation(_ inc: Incident, audit: [AuditEntry], comments: [Incident.Comment]) -> [IncidentReport.Action] {
        var out: [(Int64, Int, IncidentReport.Action)] = []
        for (i, e) in audit.enumerated() {
            let text = e.detail.isEmpty ? Self.verb(e.action) : "\(Self.verb(e.action)): \(Self.clip(e.detail, 400))"
            out.append((e.time, i, .init(time: ReportTime(e.time), actor: e.actor, text: text)))
        }
        for (i, c) in comments.enumerated() {
            if c.author.hasPrefix("triage: "), let text = Self.findings(module: String(c.author.dropFirst(8)), markdown: c.message) {
                out.append((c.createdTime, audit.count + i, .init(time: ReportTime(c.createdTime), actor: "triage", text: text)))
            } else if !Self.agents.contains(c.author) && !c.author.hasPrefix("triage") {
                out.append((c.createdTime, audit.count + i, .init(time: ReportTime(c.createdTime), actor: c.author, text: "Comment: " + Self.clip(c.message, 400))))
            }
        }
        return out.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
    }

    /// Playbooks run (automatically or once approved), automatic closure, and analysts' comments that
    /// start with `Remediation:`.
    func remediation(_ inc: Incident, comments: [Incident.Comment]) -> [IncidentReport.Action] {
        var out: [IncidentReport.Action] = []
        for c in comments {
            if c.author == "automation" && c.message.hasPrefix("Playbook ") && !c.message.contains("needs an approval") {
                out.append(.init(time: ReportTime(c.createdTime), actor: c.author, text: Self.clip(c.message, 400)))
            } else if c.message.lowercased().hasPrefix("remediation:") {
                out.append(.init(time: ReportTime(c.createdTime), actor: c.author, text: Self.clip(c.message, 400)))
            } else if c.message.hasPrefix("Playbook ") && c.message.contains("approved by") {
                out.append(.init(time: ReportTime(c.createdTime), actor: c.author, text: Self.clip(c.message, 400)))
            }
        }
        if inc.status == .closed, let r = inc.review, r.outcome == .autoClose, !r.shadow, let closed = inc.closedTime {
            out.append(.init(time: ReportTime(closed), actor: "reviewer-agent",
                             text: "Closed automatically as \(inc.classification?.rawValue ?? "Undetermined") (self-healing under policy \(r.policyVersion))"))
        }
        return out.sorted { $0.time < $1.time }
    }

    /// What is left to do: approvals pending, a requested manual review, and the usual containment
    /// steps for the incident's tactics and entities while it is open or a true positive.
    func followUp(_ inc: Incident) -> [String] {
        var out: [String] = []
        for l in inc.labels where l.labelName.hasPrefix("Playbook pending approval: ") {
            let p = l.labelName.dropFirst("Playbook pending approval: ".count)
            out.append("Approve or reject playbook \(p) (vigil incidents approve \(inc.number) --playbook \(p)).")
        }
        if let r = inc.review, r.outcome == .flag, !r.shadow, inc.status != .closed {
            let queue = r.reasons.first { $0.hasPrefix("queue: ") }.map { " by " + $0.dropFirst(7) } ?? ""
            out.append("Manual review requested\(queue): the reviewer agent did not approve or close it automatically.")
        }
        let active = inc.status != .closed || inc.classification == .truePositive
        guard active else { return out }
        let tactics = Set(Self.tactics(inc))
        func list(_ t: EntityType) -> String {
            var seen: [String] = []
            for e in inc.entities where e.type == t && !seen.contains(e.displayName) { seen.append(e.displayName) }
            return seen.prefix(8).joined(separator: ", ")
        }
        let accounts = list(.account), hosts = list(.host), ips = list(.ip)
        if !accounts.isEmpty && !tactics.isDisjoint(with: [.credentialAccess, .initialAccess, .privilegeEscalation, .persistence]) {
            out.append("Reset the credentials of \(accounts), revoke their sessions and check their MFA methods.")
        }
        if !hosts.isEmpty && !tactics.isDisjoint(with: [.execution, .persistence, .privilegeEscalation, .defenseEvasion, .lateralMovement, .impact]) {
            out.append("Isolate and examine \(hosts) for persistence and the processes the alerts name.")
        }
        if !ips.isEmpty && ((inc.riskScore?.threatIntelMatches ?? 0) > 0 || !tactics.isDisjoint(with: [.initialAccess, .credentialAccess, .commandAndControl])) {
            out.append("Block or watch \(ips) at the perimeter if they are not the organisation's own.")
        }
        if inc.status != .closed { out.append("Classify and close the incident once the investigation is complete.") }
        return out
    }

    static func verb(_ action: String) -> String {
        switch action {
        case "created": return "Created the incident"
        case "updated": return "Added alerts"
        case "triage": return "Ran the evidence modules"
        case "automation": return "Ran automation rules"
        case "approve": return "Approved"
        case "flag": return "Flagged for manual review"
        case "autoClose": return "Closed automatically"
        case "reopen": return "Reopened"
        default:
            if action.hasPrefix("shadow:") { return "Reviewed in shadow mode (would \(action.dropFirst(7)))" }
            if action.hasPrefix("playbook:") { return "Ran playbook \(action.dropFirst(9))" }
            return action.prefix(1).uppercased() + action.dropFirst()
        }
    }

    /// One line per evidence module: its findings from the table of its comment.
    static func findings(module: String, markdown: String) -> String? {
        guard module != "score" else { return nil }
        let lines = markdown.split(separator: "\n").map(String.init)
        guard let head = lines.first(where: { $0.hasPrefix("**") }) else { return nil }
        let name = head.dropFirst(2).prefix { $0 != "*" }
        if head.contains("nothing found") { return "\(name): nothing found" }
        var rows: [String] = []
        for l in lines where l.hasPrefix("| ") && !l.hasPrefix("| Finding |") {
            let cells = l.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 2, !cells[1].isEmpty else { continue }
            rows.append(cells[2].isEmpty || cells[1].contains(cells[2]) ? cells[1] : "\(cells[1]) (\(cells[2]))")
        }
        guard !rows.isEmpty else { return "\(name): \(head.drop { $0 != ":" }.dropFirst().trimmingCharacters(in: .whitespaces))" }
        return "\(name): " + rows.prefix(5).joined(separator: "; ") + (rows.count > 5 ? "; and others" : "")
    }

    /// Text cut at a word boundary, whole lines joined.
    static func clip(_ s: String, _ max: Int) -> String {
        let flat = s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
        guard flat.count > max else { return flat }
        let cut = flat.prefix(max)
        return (cut.lastIndex(of: " ").map { String(cut[..<$0]) } ?? String(cut)) + " …"
    }
}
