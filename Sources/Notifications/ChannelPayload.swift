public import Foundation

/// The request a channel receives for a notice: Teams gets an Adaptive Card in a message
/// attachment, Slack gets Block Kit blocks, a generic webhook gets the report as JSON. Headers that
/// depend on the time of sending (the webhook's signature) are added by `WebhookSigner` when the
/// outbox sends, not here, so a retried message is signed afresh.
public enum ChannelPayload {
    public static func body(_ n: ReportNotice, for kind: NotificationChannel.Kind, deliveryID: String) -> Data {
        switch kind {
        case .teams: return teams(n).data
        case .slack: return slack(n).data
        case .webhook: return webhook(n, deliveryID: deliveryID)
        }
    }

    /// An Adaptive Card 1.4 as Teams' incoming webhooks and Workflows ("Post to a channel when a
    /// webhook request is received") accept it.
    public static func teams(_ n: ReportNotice) -> JSONValue {
        let text = limited(teamsMarkdown(n.markdown), 20_000, link: n.link)
        let card: [String: JSONValue] = [
            "$schema": .string("http://adaptivecards.io/schemas/adaptive-card.json"),
            "type": .string("AdaptiveCard"), "version": .string("1.4"),
            "msteams": .object(["width": .string("Full")]),
            "body": .array([
                .object(["type": .string("TextBlock"), "size": .string("Large"), "weight": .string("Bolder"), "wrap": .bool(true),
                         "text": .string("Incident \(n.incidentNumber): \(n.title)")]),
                .object(["type": .string("FactSet"), "facts": .array(n.facts.map { .object(["title": .string($0.0), "value": .string($0.1)]) })]),
                .object(["type": .string("TextBlock"), "wrap": .bool(true), "text": .string(text)]),
            ]),
            "actions": .array([.object(["type": .string("Action.OpenUrl"), "title": .string("Open in Vigil"), "url": .string(n.link)])]),
        ]
        return .object(["type": .string("message"), "attachments": .array([
            .object(["contentType": .string("application/vnd.microsoft.card.adaptive"), "contentUrl": .null, "content": .object(card)]),
        ])])
    }

    /// Block Kit: a header, the facts as fields, the report in sections of at most 3,000
    /// characters (Slack's limit), and a button to the incident.
    public static func slack(_ n: ReportNotice) -> JSONValue {
        var blocks: [JSONValue] = [
            .object(["type": .string("header"), "text": .object(["type": .string("plain_text"), "text": .string(String("Incident \(n.incidentNumber): \(n.title)".prefix(150)))])]),
            .object(["type": .string("section"), "fields": .array(n.facts.map { .object(["type": .string("mrkdwn"), "text": .string("*\($0.0)*\n\(slackEscape($0.1))")]) })]),
        ]
        for chunk in chunks(limited(slackMarkdown(n.markdown), 40_000, link: n.link), 2_900) {
            blocks.append(.object(["type": .string("section"), "text": .object(["type": .string("mrkdwn"), "text": .string(chunk)])]))
        }
        blocks.append(.object(["type": .string("actions"), "elements": .array([
            .object(["type": .string("button"), "text": .object(["type": .string("plain_text"), "text": .string("Open in Vigil")]), "url": .string(n.link)]),
        ])]))
        let fallback = "Vigil report: incident \(n.incidentNumber), \(n.title) (\(n.severity)" + (n.riskScore.map { ", risk score \($0)" } ?? "") + ")"
        return .object(["text": .string(fallback), "blocks": .array(blocks)])
    }

    /// The generic webhook's JSON: the event, the delivery id (also the `Idempotency-Key` header,
    /// for receivers to drop repeats), the incident's facts and the whole report.
    public static func webhook(_ n: ReportNotice, deliveryID: String) -> Data {
        let head: JSONValue = .object([
            "event": .string("vigil.incident.report"), "deliveryId": .string(deliveryID),
            "incident": .object([
                "number": .int(n.incidentNumber), "id": .string(n.incidentID), "title": .string(n.title), "created": .string(n.created),
                "severity": .string(n.severity), "riskScore": n.riskScore.map { .int($0) } ?? .null, "owner": n.owner.map(JSONValue.string) ?? .null,
                "status": .string(n.status), "classification": n.classification.map(JSONValue.string) ?? .null,
                "classificationReason": n.classificationReason.map(JSONValue.string) ?? .null, "url": .string(n.link),
            ]),
            "markdown": .string(n.markdown),
        ])
        // The report's own JSON is spliced in as is: it is already a sorted-keys document.
        var text = head.text
        text.removeLast()
        text += ",\"report\":" + n.json.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined() + "}"
        return Data(text.utf8)
    }

    /// Teams' TextBlock Markdown has no headings or tables: headings become bold lines, table rows
    /// `label: value` lines.
    static func teamsMarkdown(_ md: String) -> String {
        var out: [String] = []
        for line in md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("#") { out.append("**" + line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces) + "**"); continue }
            if line == "| | |" || line.hasPrefix("|---") { continue }
            if line.hasPrefix("| ") { out.append(tableRow(line, bold: "**")); continue }
            out.append(line)
        }
        return out.joined(separator: "\n")
    }

    /// Slack's mrkdwn: `*bold*`, `_italic_`, no headings or tables, and `&`, `<`, `>` escaped.
    static func slackMarkdown(_ md: String) -> String {
        var out: [String] = []
        for line in md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("#") { out.append("*" + slackEscape(line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)) + "*"); continue }
            if line == "| | |" || line.hasPrefix("|---") { continue }
            if line.hasPrefix("| ") { out.append(slackEscape(tableRow(line, bold: "*"))); continue }
            out.append(slackEscape(line).replacingOccurrences(of: "**", with: "*"))
        }
        return out.joined(separator: "\n")
    }

    static func tableRow(_ line: String, bold: String) -> String {
        let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
        guard cells.count >= 2 else { return line }
        return "\(bold)\(cells[0]):\(bold) " + cells.dropFirst().joined(separator: " ").replacingOccurrences(of: "\\|", with: "|")
    }

    static func slackEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Text cut to a channel's size at a line boundary, saying where the rest is.
    static func limited(_ text: String, _ max: Int, link: String) -> String {
        guard text.count > max else { return text }
        var kept = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if kept.count + line.count + 1 > max - 120 { break }
            kept += line + "\n"
        }
        return kept + "… the report continues in Vigil: \(link)"
    }

    static func chunks(_ text: String, _ size: Int) -> [String] {
        var out: [String] = [], cur = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var l = String(line)
            if !cur.isEmpty && cur.count + l.count + 1 > size { out.append(cur); cur = "" }
            while l.count > size { out.append(String(l.prefix(size))); l = String(l.dropFirst(size)) }
            cur += (cur.isEmpty ? "" : "\n") + l
        }
        if !cur.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append(cur) }
        return out.filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    }
}
