import Foundation

/// The report as text: Markdown (the CLI, Slack and Teams), HTML (incident comments, as Sentinel's
/// are HTML) and JSON (the API and webhooks). Every renderer states the same facts in the same order.
public enum ReportFormat: String, Sendable, CaseIterable {
    case markdown = "md", html, json
}

public enum ReportRenderer {
    public static func render(_ r: IncidentReport, as format: ReportFormat) -> String {
        switch format {
        case .markdown: return markdown(r)
        case .html: return html(r)
        case .json: return json(r)
        }
    }

    public static func json(_ r: IncidentReport) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? String(decoding: e.encode(r), as: UTF8.self)) ?? "{}"
    }

    /// The details as label / value pairs, shared by Markdown and HTML.
    static func detailRows(_ r: IncidentReport) -> [(String, String)] {
        var rows: [(String, String)] = [
            ("Incident", "\(r.incidentNumber) (\(r.incidentID))"),
            ("Status", r.details.status),
            ("Owner", r.details.owner ?? "unassigned"),
            ("Analysts involved", r.details.analysts.isEmpty ? "none" : r.details.analysts.joined(separator: ", ")),
            ("Automation involved", r.details.agents.isEmpty ? "none" : r.details.agents.joined(separator: ", ")),
            ("Time created", r.details.created.display),
            ("First log", r.details.firstLog.display),
            ("Last log", r.details.lastLog.display),
        ]
        rows.append(("Time closed", r.details.closed?.display ?? "not closed"))
        return rows
    }

    static func classificationRows(_ r: IncidentReport) -> [(String, String)] {
        let c = r.classification
        var rows: [(String, String)] = [("Status", c.status), ("Classification", c.classification ?? "not classified")]
        if let v = c.reason { rows.append(("Reason", v)) }
        if let v = c.comment { rows.append(("Comment", v)) }
        if let v = c.decidedBy { rows.append(("Decided by", v)) }
        if let v = c.review { rows.append(("Reviewer agent", v)) }
        return rows
    }

    static func scoreLine(_ s: IncidentReport.Score) -> String {
        "Risk score \(s.total)" + (s.probability.map { String(format: " (probability of a true positive %.2f)", $0) } ?? "")
    }

    static func stepLine(_ s: IncidentReport.Step) -> String {
        let when = s.until.map { "\(s.time.display) to \($0.display)" } ?? s.time.display
        let what = s.count > 1 ? "\(s.alert) (\(s.severity)\(s.anomaly ? ", anomaly" : ""), \(s.count) times)" : "\(s.alert) (\(s.severity)\(s.anomaly ? ", anomaly" : ""))"
        return "\(when): \(what)" + (s.entities.isEmpty ? "" : " involving " + s.entities.joined(separator: ", "))
    }

    static func actionLine(_ a: IncidentReport.Action) -> String { "\(a.time.display), \(a.actor): \(a.text)" }

    static let noRemediation = "No remediation actions yet."
    static let noFollowUp = "No follow-up actions."
}
