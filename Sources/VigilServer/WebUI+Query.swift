import Foundation
import Hummingbird
import KQL
import VigilCore
import VigilStore

/// The query editor, rule health and watchlists pages.
extension WebUI {
    /// Runs `q` (when given) through the same path as `POST /api/query` and shows the first result
    /// table, its errors with line and column, and a time chart when the query says `render timechart`.
    func queryPage(_ q: String?, now: String?, _ v: Visit) -> Response {
        let text = q ?? "SecurityIncident\n| summarize arg_max(TimeGenerated, *) by IncidentNumber\n| summarize count() by Severity"
        var b = """
        <h1>Query</h1><form method="post" action="/query" id="query-form">\(hidden(v))
        <textarea name="q" id="q" rows="8" spellcheck="false">\(HTML.esc(text))</textarea>
        <p>now <input name="now" id="now" value="\(HTML.esc(now ?? ""))" placeholder="ISO 8601 (default: now)" size="26"> <button id="run">Run</button>
        <span class="muted">Ctrl+Enter runs it</span></p></form>
        """
        guard let q, !q.isEmpty else { return page(HTML.page("Query", caller: v.caller, active: "Query", b)) }
        var at = clock()
        if let n = now, !n.isEmpty {
            guard let t = DateTimeParser.parse(n) else {
                return page(HTML.page("Query", caller: v.caller, active: "Query", b + "<div class=\"error\" id=\"error\">now: '\(HTML.esc(n))' is not a datetime</div>"))
            }
            at = t
        }
        let started = Date()
        let (code, json) = query(q, at)
        let obj = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
        if code != 0 {
            let diags = (obj["diagnostics"] as? [[String: Any]]) ?? [obj]
            b += "<div class=\"error\" id=\"error\">" + diags.map { d in
                let pos = (d["line"] as? Int).map { "line \($0), column \(d["column"] as? Int ?? 0): " } ?? ""
                return "<p>\(HTML.esc(d["code"] as? String ?? "")) \(HTML.esc(pos))\(HTML.esc(d["message"] as? String ?? ""))</p>"
            }.joined() + "</div>"
            return page(HTML.page("Query", caller: v.caller, active: "Query", b))
        }
        let table = (obj["tables"] as? [[String: Any]])?.first ?? obj
        let columns = (table["columns"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0["type"] as? String ?? "") }
        let rows = table["rows"] as? [[Any]] ?? []
        b += String(format: "<p class=\"muted\" id=\"summary\">%d rows in %.0f ms</p>", rows.count, Date().timeIntervalSince(started) * 1000)
        if q.range(of: #"render\s+timechart"#, options: .regularExpression) != nil, let ti = columns.firstIndex(where: { $0.1 == "datetime" }) {
            let numeric = columns.indices.filter { ["long", "int", "real", "decimal"].contains(columns[$0].1) }
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let g = ISO8601DateFormatter()
            let points = rows.compactMap { r -> (Double, [Double])? in
                guard let s = r[ti] as? String, let d = f.date(from: s) ?? g.date(from: s) else { return nil }
                return (d.timeIntervalSince1970, numeric.map { (r[$0] as? NSNumber)?.doubleValue ?? 0 })
            }.sorted { $0.0 < $1.0 }
            b += HTML.timechart(points, names: numeric.map { columns[$0].0 })
        }
        b += HTML.table(columns.map(\.0), rows.prefix(1000).map { r in r.map(Self.cell) }, id: "results")
        if rows.count > 1000 { b += "<p class=\"muted\">The first 1,000 rows are shown.</p>" }
        return page(HTML.page("Query", caller: v.caller, active: "Query", b))
    }

    static func cell(_ v: Any) -> String {
        switch v {
        case is NSNull: return ""
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        default:
            let data = (try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// The rules of the workspace with their health (`SentinelHealth`), the alert volume by rule as a
    /// bar chart, and (for contributors) enabling and disabling each rule file.
    func rulesPage(_ v: Visit, message: String?) -> Response {
        var b = "<h1>Rules</h1>"
        if let m = message { b += "<div class=\"card\" id=\"done\">\(HTML.esc(m))</div>" }
        guard let admin, let data = try? admin.rules(), let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return page(HTML.page("Rules", caller: v.caller, active: "Rules", b + "<p class=\"muted\">No rule directory.</p>"))
        }
        let rules = obj["value"] as? [[String: Any]] ?? []
        let alerts = rules.compactMap { r -> (String, Int)? in
            guard let n = (r["health"] as? [String: Any])?["alerts"] as? Int, n > 0 else { return nil }
            return (r["name"] as? String ?? "", n)
        }.sorted { $0.1 > $1.1 }
        b += "<div class=\"card\"><h2>Alerts by rule</h2>" + HTML.bars(Array(alerts.prefix(15)), id: "alert-volume") + "</div>"
        let rows = rules.map { r -> [String] in
            let h = r["health"] as? [String: Any] ?? [:]
            let file = r["file"] as? String ?? "", enabled = r["enabled"] as? Bool ?? true
            var toggle = ""
            if v.caller.role >= .contributor && !file.lowercased().hasSuffix(".json") {
                toggle = "<form method=\"post\" action=\"/rules/\(HTML.esc(file.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? file))/enabled\" class=\"inline\">\(hidden(v))"
                    + "<input type=\"hidden\" name=\"enabled\" value=\"\(!enabled)\"><button>\(enabled ? "Disable" : "Enable")</button></form>"
            }
            return [HTML.esc(r["name"] as? String ?? ""), HTML.esc(r["kind"] as? String ?? ""), HTML.badge(r["severity"] as? String ?? ""),
                    enabled ? "enabled" : "<b>disabled</b>", "\(h["runs"] as? Int ?? 0)", "\(h["failures"] as? Int ?? 0)", HTML.esc(h["lastRun"] as? String ?? "never"),
                    "\(h["alerts"] as? Int ?? 0)", HTML.esc(file), toggle]
        }
        b += HTML.table(["Rule", "Kind", "Severity", "State", "Runs", "Failures", "Last run", "Alerts", "File", ""], rows, raw: true, id: "rules")
        return page(HTML.page("Rules", caller: v.caller, active: "Rules", b))
    }

    /// Sets `enabled:` in a YAML rule file, through the same validation as `PUT /api/rules/{name}`.
    func setEnabled(_ file: String, _ enabled: Bool, _ v: Visit) throws -> Response {
        guard let admin else { throw ServerError(.notFound, "NotFound", "no rule directory") }
        let text = try admin.rule(file)
        let line = "enabled: \(enabled)"
        let updated: String
        if let r = text.range(of: #"(?m)^enabled:[ \t]*\S+[ \t]*$"#, options: .regularExpression) {
            updated = text.replacingCharacters(in: r, with: line)
        } else {
            updated = line + "\n" + text
        }
        _ = try admin.putRule(file, updated, v.caller.actor)
        return redirect("/rules?done=" + "\(file): \(enabled ? "enabled" : "disabled")".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
    }

    func watchlistsPage(_ v: Visit) throws -> Response {
        let lists = try Watchlists(store: store).list(now: clock())
        let b = "<h1>Watchlists</h1><p class=\"muted\">Query them with <code>_GetWatchlist('alias')</code>; manage them with <code>vigil watchlists</code>.</p>"
            + HTML.table(["Alias", "Name", "Items"], lists.map { [$0.alias, $0.name, String($0.items)] }, id: "watchlists")
        return page(HTML.page("Watchlists", caller: v.caller, active: "Watchlists", b))
    }
}
