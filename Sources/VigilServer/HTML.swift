import Foundation
import VigilCore

/// Server-rendered HTML for the web UI: every value goes through `esc`, pages share one layout, one
/// stylesheet and a few lines of plain JavaScript; no build step, nothing fetched from elsewhere.
enum HTML {
    static func esc(_ s: String) -> String { HTMLText.escape(s) }

    static func page(_ title: String, caller: Caller?, active: String, _ body: String) -> String {
        let nav = [("Incidents", "/incidents"), ("Query", "/query"), ("Rules", "/rules"), ("Watchlists", "/watchlists")]
            .map { "<a href=\"\($0.1)\"\(active == $0.0 ? " class=\"on\"" : "")>\($0.0)</a>" }.joined()
        let who = caller.map { c in
            "<span class=\"who\">\(esc(c.name)) (\(c.role.rawValue))</span><form method=\"post\" action=\"/logout\" class=\"inline\"><button>Sign out</button></form>"
        } ?? ""
        return """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title)) · Vigil</title><link rel="stylesheet" href="/static/vigil.css"><script src="/static/vigil.js" defer></script></head>
        <body><header><a class="brand" href="/incidents">Vigil</a><nav>\(nav)</nav>\(who)</header><main>\(body)</main></body></html>
        """
    }

    static func table(_ head: [String], _ rows: [[String]], raw: Bool = false, id: String? = nil) -> String {
        let h = head.map { "<th>\(esc($0))</th>" }.joined()
        let b = rows.map { r in "<tr>" + r.map { "<td>\(raw ? $0 : esc($0))</td>" }.joined() + "</tr>" }.joined()
        return "<table\(id.map { " id=\"\($0)\"" } ?? "")><thead><tr>\(h)</tr></thead><tbody>\(b)</tbody></table>"
    }

    static func badge(_ text: String) -> String { "<span class=\"badge b-\(esc(text.lowercased()))\">\(esc(text))</span>" }

    /// Horizontal bars (a score's contributions, alert volumes): label, value, bar.
    static func bars(_ items: [(String, Int)], id: String) -> String {
        guard let top = items.map({ abs($0.1) }).max(), top > 0 else { return "<p class=\"muted\">Nothing to chart.</p>" }
        let rowH = 26, width = 520, labelW = 170
        var svg = "<svg id=\"\(id)\" class=\"chart\" width=\"\(width)\" height=\"\(items.count * rowH + 4)\" role=\"img\">"
        for (i, (label, v)) in items.enumerated() {
            let w = max(2, (width - labelW - 50) * abs(v) / top), y = i * rowH + 2
            svg += "<text x=\"0\" y=\"\(y + 17)\">\(esc(String(label.prefix(24))))</text>"
            svg += "<rect x=\"\(labelW)\" y=\"\(y + 4)\" width=\"\(w)\" height=\"\(rowH - 8)\" class=\"\(v < 0 ? "neg" : "pos")\"></rect>"
            svg += "<text x=\"\(labelW + w + 6)\" y=\"\(y + 17)\">\(v)</text>"
        }
        return svg + "</svg>"
    }

    /// A line chart of numeric series over time (`render timechart`).
    static func timechart(_ points: [(Double, [Double])], names: [String]) -> String {
        guard points.count > 1, let x0 = points.first?.0, let x1 = points.last?.0, x1 > x0 else { return "<p class=\"muted\">Not enough points to chart.</p>" }
        let all = points.flatMap(\.1)
        let lo = min(0, all.min() ?? 0), hi = max(all.max() ?? 1, lo + 1)
        let w = 720.0, h = 240.0
        var svg = "<svg id=\"timechart\" class=\"chart\" width=\"\(Int(w))\" height=\"\(Int(h) + 20)\" role=\"img\">"
        for (s, name) in names.enumerated() {
            let path = points.map { p -> String in
                let x = (p.0 - x0) / (x1 - x0) * (w - 10) + 5, y = h - (p.1[s] - lo) / (hi - lo) * (h - 10) - 5
                return String(format: "%.1f,%.1f", x, y)
            }.joined(separator: " ")
            svg += "<polyline class=\"s\(s % 4)\" fill=\"none\" points=\"\(path)\"><title>\(esc(name))</title></polyline>"
        }
        svg += "<text x=\"5\" y=\"\(Int(h) + 15)\">\(esc(names.joined(separator: ", "))) · max \(Int(hi))</text>"
        return svg + "</svg>"
    }

    /// `application/x-www-form-urlencoded` fields.
    static func form(_ body: Data) -> [String: String] {
        var c = URLComponents()
        c.percentEncodedQuery = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "+", with: "%20")
        var out: [String: String] = [:]
        for item in c.queryItems ?? [] { out[item.name] = item.value ?? "" }
        return out
    }

    static let css = """
    body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
    header{display:flex;gap:18px;align-items:center;background:#1d2330;color:#fff;padding:10px 18px}
    header a{color:#cfd6e4;text-decoration:none}header a.on,header a:hover{color:#fff}.brand{font-weight:700;color:#fff!important}
    nav{display:flex;gap:14px;flex:1}.who{color:#cfd6e4}main{padding:18px;max-width:1280px}
    table{border-collapse:collapse;background:#fff;width:100%;margin:8px 0}th,td{border-bottom:1px solid #e3e6eb;padding:5px 8px;text-align:left;vertical-align:top}
    th{background:#eef0f4;font-weight:600}.badge{padding:1px 7px;border-radius:9px;font-size:12px;background:#e3e6eb}
    .b-high{background:#f8d0d0}.b-medium{background:#fbe3c2}.b-low{background:#dbeafb}.b-closed{background:#d9f0dd}.b-new{background:#eadcf8}
    .b-flag{background:#fbe3c2}.b-approve{background:#d9f0dd}.b-autoclose{background:#e3e6eb}
    .card{background:#fff;border:1px solid #e3e6eb;border-radius:6px;padding:12px 16px;margin:12px 0}.muted{color:#6b7385}
    .grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}form.inline{display:inline}textarea{width:100%;font:13px monospace}
    .chart text{font-size:12px;fill:#1d2330}.chart rect.pos{fill:#4a78c2}.chart rect.neg{fill:#c24a4a}
    .chart polyline{stroke-width:2}.s0{stroke:#4a78c2}.s1{stroke:#c2704a}.s2{stroke:#4ac27a}.s3{stroke:#9a4ac2}
    .error{background:#fde8e8;border:1px solid #f3b7b7;padding:8px 12px;border-radius:6px}pre{white-space:pre-wrap}
    """

    static let js = """
    // Ctrl/Cmd+Enter runs the query; a confirmation before closing an incident.
    document.addEventListener('keydown', e => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter' && document.activeElement && document.activeElement.name === 'q') {
        document.activeElement.form.submit();
      }
    });
    document.addEventListener('submit', e => {
      const s = e.target.querySelector('select[name=status]');
      if (s && s.value === 'Closed' && !confirm('Close this incident?')) e.preventDefault();
    });
    """
}
