public import Foundation

/// Threat-intelligence indicators into Sentinel's `ThreatIntelligenceIndicator` rows: a STIX 2.1
/// bundle (`indicator` objects with patterns on `ipv4-addr`, `ipv6-addr`, `domain-name`, `url` or
/// `file:hashes`), or the simple CSV form (`type,value,threatType,confidence,expires,description`).
/// Returns the rows as JSON lines for the ingest path, and a reason for every object it skipped.
public enum ThreatIntelImport {
    public struct Result: Sendable {
        public var jsonLines: String
        public var imported: Int
        public var skipped: [String]
    }

    public static func parse(_ data: Data, source: String = "import", now: String) -> Result {
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("{") || text.hasPrefix("[") { return stix(data, source: source, now: now) }
        return csv(text, source: source, now: now)
    }

    static func stix(_ data: Data, source: String, now: String) -> Result {
        var out = Result(jsonLines: "", imported: 0, skipped: [])
        guard let root = try? JSONSerialization.jsonObject(with: data) else { out.skipped.append("not JSON"); return out }
        let objects = (root as? [String: Any]).map { ($0["objects"] as? [[String: Any]]) ?? [$0] } ?? (root as? [[String: Any]] ?? [])
        for (i, o) in objects.enumerated() {
            guard o["type"] as? String == "indicator" else { continue }
            let id = o["id"] as? String ?? "indicator-\(i)"
            guard let pattern = o["pattern"] as? String else { out.skipped.append("\(id): no pattern"); continue }
            guard let (field, value) = patternValue(pattern) else { out.skipped.append("\(id): pattern not supported: \(pattern.prefix(120))"); continue }
            var row: [String: Any] = [
                "TimeGenerated": o["modified"] as? String ?? o["created"] as? String ?? now, "IndicatorId": id, "ExternalIndicatorId": id,
                "Active": !((o["revoked"] as? Bool) ?? false), "SourceSystem": source, "Description": o["description"] as? String ?? o["name"] as? String ?? "",
                "ThreatType": ((o["indicator_types"] as? [String]) ?? (o["labels"] as? [String]) ?? []).first ?? "unknown",
                "Tags": ((o["labels"] as? [String]) ?? []).joined(separator: ","),
            ]
            if let c = o["confidence"] as? Double { row["ConfidenceScore"] = c } else if let c = o["confidence"] as? Int { row["ConfidenceScore"] = Double(c) }
            if let u = o["valid_until"] as? String { row["ExpirationDateTime"] = u }
            for (k, v) in field(value) { row[k] = v }
            append(row, to: &out)
        }
        return out
    }

    /// The first comparison of a STIX pattern: `[ipv4-addr:value = '198.51.100.1']`.
    static func patternValue(_ p: String) -> (@Sendable (String) -> [String: Any], String)? {
        let re = try! NSRegularExpression(pattern: #"\[\s*([a-z0-9-]+):([A-Za-z0-9_.'\- ]+?)\s*=\s*'([^']*)'"#)
        guard let m = re.firstMatch(in: p, range: NSRange(p.startIndex..., in: p)), let t = Range(m.range(at: 1), in: p),
              let prop = Range(m.range(at: 2), in: p), let v = Range(m.range(at: 3), in: p) else { return nil }
        let value = String(p[v]), property = String(p[prop])
        switch String(p[t]) {
        case "ipv4-addr", "ipv6-addr":
            return value.contains("/") ? ({ ["NetworkCidrBlock": $0] }, value) : ({ ["NetworkIP": $0] }, value)
        case "domain-name": return ({ ["DomainName": $0] }, value)
        case "url": return ({ ["Url": $0] }, value)
        case "file":
            let kind = property.components(separatedBy: "'").dropFirst().first ?? "SHA-256"
            return ({ ["FileHashValue": $0, "FileHashType": kind] }, value)
        default: return nil
        }
    }

    static func csv(_ text: String, source: String, now: String) -> Result {
        var out = Result(jsonLines: "", imported: 0, skipped: [])
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first?.lowercased().split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) else { return out }
        lines.removeFirst()
        guard let ti = header.firstIndex(of: "type"), let vi = header.firstIndex(of: "value") else {
            out.skipped.append("the CSV needs type and value columns (type,value,threatType,confidence,expires,description)")
            return out
        }
        for (n, line) in lines.enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            func cell(_ name: String) -> String? { header.firstIndex(of: name).flatMap { $0 < cells.count && !cells[$0].isEmpty ? cells[$0] : nil } }
            guard ti < cells.count, vi < cells.count, !cells[vi].isEmpty else { out.skipped.append("line \(n + 2): type and value are required"); continue }
            var row: [String: Any] = ["TimeGenerated": now, "IndicatorId": "csv-\(source)-\(n + 1)", "Active": true, "SourceSystem": source,
                                      "ThreatType": cell("threattype") ?? "unknown", "Description": cell("description") ?? ""]
            if let c = cell("confidence") { guard let d = Double(c) else { out.skipped.append("line \(n + 2): confidence '\(c)' is not a number"); continue }; row["ConfidenceScore"] = d }
            if let e = cell("expires") { row["ExpirationDateTime"] = e }
            switch cells[ti].lowercased() {
            case "ip", "ipv4", "ipv6", "ipv4-addr": row["NetworkIP"] = cells[vi]
            case "domain", "domain-name": row["DomainName"] = cells[vi]
            case "url": row["Url"] = cells[vi]
            case "hash", "sha256", "file": row["FileHashValue"] = cells[vi]; row["FileHashType"] = "SHA256"
            default: out.skipped.append("line \(n + 2): type '\(cells[ti])' is not ip, domain, url or hash"); continue
            }
            append(row, to: &out)
        }
        return out
    }

    static func append(_ row: [String: Any], to out: inout Result) {
        guard let data = try? JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]) else { return }
        out.jsonLines += String(decoding: data, as: UTF8.self) + "\n"
        out.imported += 1
    }
}
