import VigilCore
extension ReportRenderer {
    /// An HTML fragment (no `<html>` or styles): what an incident comment holds, as in Sentinel.
    public static func html(_ r: IncidentReport) -> String {
        var o: [String] = ["<h1>Incident \(r.incidentNumber): \(esc(r.title))</h1>", "<h2>Details</h2>", table(detailRows(r))]
        o += ["<h2>Summary</h2>",
              "<p><b>Severity:</b> \(esc(r.summary.severity)). <b>Time span:</b> \(esc(r.summary.start.display)) to \(esc(r.summary.end.display)) (\(esc(r.summary.duration))).</p>",
              "<p><b>Impact:</b> \(esc(r.summary.impact))</p>", "<p>\(esc(r.summary.text))</p>"]
        if r.summary.writtenBy != "Vigil" { o.append("<p><i>Summary written by \(esc(r.summary.writtenBy)); every entity, number and time in it is in the evidence.</i></p>") }
        o.append("<h3>Timeline by tactic</h3>")
        if r.summary.timeline.isEmpty { o.append("<p>No alerts.</p>") }
        for stage in r.summary.timeline {
            o.append("<p><b>\(esc(stage.tactic))</b></p>")
            o.append(list(stage.steps.map(stepLine)))
        }
        o += ["<h2>Classification</h2>", table(classificationRows(r)), "<h2>Investigation actions</h2>"]
        var items = r.riskScore.map { s in [scoreLine(s) + (s.contributions.isEmpty ? "" : ": " + s.contributions.joined(separator: "; "))] } ?? []
        items += r.investigation.map(actionLine)
        o.append(items.isEmpty ? "<p>No investigation actions recorded.</p>" : list(items))
        o.append("<h2>Remediation actions</h2>")
        o.append(r.remediation.isEmpty ? "<p>\(noRemediation)</p>" : list(r.remediation.map(actionLine)))
        o.append("<h2>Follow-up actions</h2>")
        o.append(r.followUp.isEmpty ? "<p>\(noFollowUp)</p>" : list(r.followUp))
        return o.joined(separator: "\n") + "\n"
    }

    static func table(_ rows: [(String, String)]) -> String {
        "<table>" + rows.map { "<tr><th>\(esc($0.0))</th><td>\(esc($0.1))</td></tr>" }.joined() + "</table>"
    }

    static func list(_ items: [String]) -> String { "<ul>" + items.map { "<li>\(esc($0))</li>" }.joined() + "</ul>" }

    /// Text as HTML (one escape for everything Vigil writes).
    public static func esc(_ s: String) -> String { HTMLText.escape(s) }
}
