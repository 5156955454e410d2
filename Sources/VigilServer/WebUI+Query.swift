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

    /// Rule health from `SentinelHealth`, as in Sentinel: runs, failures, last run, alerts, and the
    /// alert volume of the last 14 days as a bar chart.
    func rulesPage(_ v: Visit) -> Response {
        var b = "<h1>Rules</h1>"
        let now = clock()
        let health = """
        SentinelHealth | where SentinelResourceType == "Analytics Rule"
        | summarize Runs = count(), Failures = countif(Status != "Success"), LastRun = max(TimeGenerated),
            Alerts = sum(tolong(ExtendedProperties.AlertsGeneratedAmount)), Kind = take_any(SentinelResourceKind) by Rule = SentinelResourceName
        | order by Alerts desc, Rule asc
        """
        let (code, json) = query(health, now)
        let obj = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
        if code != 0 {
            b += "<p class=\"muted\">No rule has run in this workspace yet (vigil serve runs the rules in rules/; vigil run replays them).</p>"
            return page(HTML.page("Rules", caller: v.caller, active: "Rules", b))
        }
        let rows = obj["rows"] as? [[Any]] ?? []
        let alerts = rows.compactMap { r -> (String, Int)? in
            guard let name = r[0] as? String, let n = (r[4] as? NSNumber)?.intValue, n > 0 else { return nil }
            return (name, n)
        }
        b += "<div class=\"card\"><h2>Alerts by rule</h2>" + HTML.bars(Array(alerts.prefix(15)), id: "alert-volume") + "</div>"
        b += HTML.table(["Rule", "Runs", "Failures", "Last run", "Alerts", "Kind"], rows.map { r in [0, 1, 2, 3, 4, 5].map { Self.cell(r[$0]) } }, id: "rules")
        return page(HTML.page("Rules", caller: v.caller, active: "Rules", b))
    }

    func watchlistsPage(_ v: Visit) throws -> Response {
        let lists = try Watchlists(store: store).list(now: clock())
        let b = "<h1>Watchlists</h1><p class=\"muted\">Query them with <code>_GetWatchlist('alias')</code>; manage them with <code>vigil watchlists</code>.</p>"
            + HTML.table(["Alias", "Name", "Items"], lists.map { [$0.alias, $0.name, String($0.items)] }, id: "watchlists")
        return page(HTML.page("Watchlists", caller: v.caller, active: "Watchlists", b))
    }
}
