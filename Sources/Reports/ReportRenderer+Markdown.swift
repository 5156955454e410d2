import Foundation
extension ReportRenderer {
    public static func markdown(_ r: IncidentReport) -> String {
        var o: [String] = ["# Incident \(r.incidentNumber): \(r.title)", "", "## Details", "", "| | |", "|---|---|"]
        for (k, v) in detailRows(r) { o.append("| \(k) | \(cell(v)) |") }
        o += ["", "## Summary", "", "**Severity:** \(r.summary.severity). **Time span:** \(r.summary.start.display) to \(r.summary.end.display) (\(r.summary.duration)).", "",
              "**Impact:** \(r.summary.impact)", "", r.summary.text]
        if r.summary.writtenBy != "Vigil" { o += ["", "_Summary written by \(r.summary.writtenBy); every entity, number and time in it is in the evidence._"] }
        o += ["", "### Timeline by tactic", ""]
        if r.summary.timeline.isEmpty { o.append("No alerts.") }
        for stage in r.summary.timeline {
            o.append("**\(stage.tactic)**")
            o.append("")
            for s in stage.steps { o.append("- \(stepLine(s))") }
            o.append("")
        }
        if o.last == "" { o.removeLast() }
        o += ["", "## Classification", "", "| | |", "|---|---|"]
        for (k, v) in classificationRows(r) { o.append("| \(k) | \(cell(v)) |") }
        o += ["", "## Investigation actions", ""]
        if let s = r.riskScore {
            o.append("- \(scoreLine(s))" + (s.contributions.isEmpty ? "" : ": " + s.contributions.joined(separator: "; ")))
        }
        for a in r.investigation { o.append("- \(actionLine(a))") }
        if r.investigation.isEmpty && r.riskScore == nil { o.append("No investigation actions recorded.") }
        o += ["", "## Remediation actions", ""]
        o += r.remediation.isEmpty ? [noRemediation] : r.remediation.map { "- \(actionLine($0))" }
        o += ["", "## Follow-up actions", ""]
        o += r.followUp.isEmpty ? [noFollowUp] : r.followUp.map { "- \($0)" }
        return o.joined(separator: "\n") + "\n"
    }

    static func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
}
