import Foundation
import Hummingbird
import Reports
import VigilCore
import VigilStore

/// The incident queue and the incident page, and the analyst's actions on them.
extension WebUI {
    func queuePage(_ request: Request, _ v: Visit) -> Response {
        let q = request.uri.queryParameters
        func param(_ k: String) -> String { q.get(k).map { String($0) } ?? "" }
        let status = param("status"), severity = param("severity"), owner = param("owner"), minScore = Int(param("minScore")), verdict = param("verdict")
        let all = (try? IncidentStore(store: store).all()) ?? []
        let list = all.filter { i in
            (status.isEmpty || i.status.rawValue == status) && (severity.isEmpty || i.severity.rawValue == severity)
                && (owner.isEmpty || (i.owner.assignedTo ?? "").localizedCaseInsensitiveContains(owner))
                && (minScore.map { (i.riskScore?.total ?? Int.min) >= $0 } ?? true)
                && (verdict.isEmpty || i.review?.outcome.rawValue == verdict)
        }.sorted { ($0.createdTime, $0.number) > ($1.createdTime, $1.number) }
        func option(_ value: String, _ current: String) -> String { "<option\(value == current ? " selected" : "")>\(HTML.esc(value))</option>" }
        let filters = """
        <form method="get" action="/incidents" class="card" id="filters">
        Status <select name="status"><option value="">any</option>\(["New", "Active", "Closed"].map { option($0, status) }.joined())</select>
        Severity <select name="severity"><option value="">any</option>\(["High", "Medium", "Low", "Informational"].map { option($0, severity) }.joined())</select>
        Verdict <select name="verdict"><option value="">any</option>\(["approve", "flag", "autoClose"].map { option($0, verdict) }.joined())</select>
        Owner <input name="owner" value="\(HTML.esc(owner))" size="14"> Min score <input name="minScore" value="\(minScore.map(String.init) ?? "")" size="4">
        <button>Filter</button></form>
        """
        let rows = list.prefix(500).map { i -> [String] in
            ["<a href=\"/incidents/\(i.number)\">\(i.number)</a>", HTML.esc(ReportTime(i.createdTime).display), HTML.badge(i.severity.rawValue), HTML.badge(i.status.rawValue),
             i.riskScore.map { String($0.total) } ?? "", i.review.map { HTML.badge($0.outcome.rawValue) } ?? "", HTML.esc(i.owner.assignedTo ?? ""),
             "<a href=\"/incidents/\(i.number)\">\(HTML.esc(i.title))</a>"]
        }
        let body = "<h1>Incidents</h1>" + filters + "<p class=\"muted\">\(list.count) of \(all.count) incidents\(list.count > 500 ? "; the newest 500 shown" : "")</p>"
            + HTML.table(["#", "Created", "Severity", "Status", "Score", "Verdict", "Owner", "Title"], rows, raw: true, id: "queue")
        return page(HTML.page("Incidents", caller: v.caller, active: "Incidents", body))
    }

    func incidentPage(_ n: Int, _ v: Visit, message: String?) throws -> Response {
        guard let inc = try IncidentStore(store: store).get(number: n) else { return notFound(v) }
        let report = try? JSONDecoder().decode(IncidentReport.self, from: Data(actions.report(inc, "json").0.utf8))
        var b = "<p><a href=\"/incidents\">← queue</a></p><h1 id=\"title\">Incident \(inc.number): \(HTML.esc(inc.title))</h1>"
        if let m = message { b += "<div class=\"card\" id=\"done\">\(HTML.esc(String(m)))</div>" }
        b += "<p>\(HTML.badge(inc.severity.rawValue)) \(HTML.badge(inc.status.rawValue)) score <b id=\"score\">\(inc.riskScore.map { String($0.total) } ?? "not scored")</b>"
            + " · owner \(HTML.esc(inc.owner.assignedTo ?? "unassigned")) · created \(HTML.esc(ReportTime(inc.createdTime).display))"
            + (inc.classification.map { " · \(HTML.esc($0.rawValue))" } ?? "") + " · <a href=\"/incidents/\(inc.number)/report\" id=\"report-link\">report</a></p>"
        if v.caller.role >= .responder { b += actionsCard(inc, v) }
        b += "<div class=\"grid\"><div class=\"card\"><h2>Review</h2>"
        if let r = inc.review {
            b += "<p id=\"verdict\">\(HTML.badge(r.outcome.rawValue)) under policy \(HTML.esc(r.policyVersion))\(r.shadow ? " (shadow mode)" : "")</p><ul>"
                + r.reasons.map { "<li>\(HTML.esc($0))</li>" }.joined() + "</ul>"
            if !r.gates.isEmpty { b += "<p>Hard gates: \(HTML.esc(r.gates.joined(separator: "; ")))</p>" }
        } else { b += "<p class=\"muted\">Not reviewed.</p>" }
        b += "</div><div class=\"card\"><h2>Risk score</h2>"
        if let s = inc.riskScore {
            b += HTML.bars(s.bySource.map { ($0.source, $0.points) }, id: "score-chart")
            if let p = s.probability { b += String(format: "<p>Probability of a true positive: %.2f</p>", p) }
        } else { b += "<p class=\"muted\">Not triaged.</p>" }
        b += "</div></div>"
        if let r = report {
            b += "<div class=\"card\" id=\"timeline\"><h2>Timeline by tactic</h2><p>\(HTML.esc(r.summary.text))</p>"
            for stage in r.summary.timeline {
                b += "<h3>\(HTML.esc(stage.tactic))</h3><ul>" + stage.steps.map { s in
                    let when = s.until.map { "\(s.time.display) to \($0.display)" } ?? s.time.display
                    return "<li>\(HTML.esc(when)): \(HTML.esc(s.alert)) (\(HTML.esc(s.severity))\(s.count > 1 ? ", \(s.count) times" : ""))"
                        + (s.entities.isEmpty ? "" : " · " + HTML.esc(s.entities.joined(separator: ", "))) + "</li>"
                }.joined() + "</ul>"
            }
            b += "</div>"
        }
        b += "<div class=\"card\"><h2>Entities</h2>" + HTML.table(["Type", "Name", "Identifiers"], inc.entities.map {
            [$0.type.rawValue, $0.displayName, $0.properties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")]
        }, id: "entities") + "</div>"
        b += "<div class=\"card\"><h2>Alerts</h2>" + HTML.table(["Time", "Alert", "Severity", "Tactics"], inc.alerts.sorted { $0.startTime < $1.startTime }.map {
            [ReportTime($0.startTime).display, $0.name + ($0.isAnomaly ? " (anomaly)" : ""), $0.severity.rawValue, $0.tactics.map(\.displayName).joined(separator: ", ")]
        }, id: "alerts") + "</div>"
        b += "<div class=\"card\" id=\"comments\"><h2>Evidence and comments</h2>"
        for c in inc.comments where c.author != ReportBuilder.author {
            b += "<div class=\"comment\"><p class=\"muted\">\(HTML.esc(c.author)) · \(HTML.esc(ReportTime(c.createdTime).display))</p>\(Self.render(c.message))</div>"
        }
        let reports = inc.comments.filter { $0.author == ReportBuilder.author }.count
        if reports > 0 { b += "<p class=\"muted\">\(reports) report comment(s): see the <a href=\"/incidents/\(inc.number)/report\">report</a>.</p>" }
        b += "</div>"
        return page(HTML.page("Incident \(inc.number)", caller: v.caller, active: "Incidents", b))
    }

    func actionsCard(_ inc: Incident, _ v: Visit) -> String {
        func options(_ values: [String], _ current: String?) -> String {
            "<option value=\"\">—</option>" + values.map { "<option\($0 == current ? " selected" : "")>\(HTML.esc($0))</option>" }.joined()
        }
        return """
        <div class="card" id="actions"><h2>Actions</h2>
        <form method="post" action="/incidents/\(inc.number)/update" id="update-form">\(hidden(v))
        Owner <input name="owner" id="owner" value="\(HTML.esc(inc.owner.assignedTo ?? ""))" size="18">
        Status <select name="status" id="status">\(options(Incident.Status.allCases.map(\.rawValue), inc.status.rawValue))</select>
        Classification <select name="classification" id="classification">\(options(Incident.Classification.allCases.map(\.rawValue), inc.classification?.rawValue))</select>
        Reason <select name="classificationReason" id="reason">\(options(Incident.ClassificationReason.allCases.map(\.rawValue), inc.classificationReason?.rawValue))</select>
        <br>Comment <input name="classificationComment" size="60" value="\(HTML.esc(inc.classificationComment ?? ""))">
        <button id="save">Save</button></form>
        <form method="post" action="/incidents/\(inc.number)/comment" id="comment-form">\(hidden(v))
        <textarea name="message" id="message" rows="3" placeholder="Add a comment"></textarea><button id="add-comment">Comment</button></form></div>
        """
    }

    func update(_ n: Int, _ form: [String: String], _ v: Visit) throws -> Response {
        var u = IncidentChange()
        if let o = form["owner"] { u.owner = Incident.Owner(assignedTo: o.isEmpty ? nil : o) }
        if let s = form["status"], !s.isEmpty { u.status = Incident.Status(rawValue: s) }
        if let c = form["classification"], !c.isEmpty { u.classification = Incident.Classification(rawValue: c) }
        if let r = form["classificationReason"], !r.isEmpty { u.classificationReason = Incident.ClassificationReason(rawValue: r) }
        if let c = form["classificationComment"], !c.isEmpty { u.classificationComment = c }
        let now = clock()
        var changed: [String] = []
        guard try IncidentStore(store: store).modify(number: n, actor: v.caller.actor, now: now, { inc in
            let (out, what) = try u.apply(to: inc, now: now)
            changed = what
            return out == inc ? nil : (out, "update", what.joined(separator: "; "))
        }) != nil else { return notFound(v) }
        return redirect("/incidents/\(n)?done=" + (changed.isEmpty ? "Nothing changed." : "Saved: " + changed.joined(separator: ", ")).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
    }

    func comment(_ n: Int, _ form: [String: String], _ v: Visit) throws -> Response {
        let message = (form["message"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !message.isEmpty, message.count <= 30_000 else { throw ServerError(.badRequest, "BadRequest", "a comment is 1 to 30,000 characters") }
        let now = clock()
        guard try IncidentStore(store: store).modify(number: n, actor: v.caller.actor, now: now, { inc in
            var out = inc
            out.comments.append(Incident.Comment(id: UUID().uuidString.lowercased(), message: message, author: v.caller.name, createdTime: now))
            out.lastModifiedTime = now
            return (out, "comment", String(message.prefix(200)))
        }) != nil else { return notFound(v) }
        return redirect("/incidents/\(n)?done=Comment%20added.")
    }

    /// A comment as the page shows it: escaped text, with the Markdown tables of the evidence modules as HTML tables.
    static func render(_ message: String) -> String {
        var out = "", table: [[String]] = []
        func flush() {
            guard !table.isEmpty else { return }
            out += HTML.table(table[0], Array(table.dropFirst()))
            table = []
        }
        for line in message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("<!--") { continue }
            if line.hasPrefix("|") {
                if line.hasPrefix("|---") || line.hasPrefix("|:--") { continue }
                table.append(line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) })
                continue
            }
            flush()
            if !line.isEmpty { out += "<p>" + HTML.esc(line).replacingOccurrences(of: "**", with: "") + "</p>" }
        }
        flush()
        return out
    }
}
