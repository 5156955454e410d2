import Foundation
import Hummingbird
import VigilCore

/// The list parameters of `GET /api/incidents`, as Sentinel's API takes them: `$filter` (an OData
/// subset: `and`-ed comparisons `eq ne gt ge lt le` on `properties/status`, `severity`,
/// `owner/assignedTo`, `createdTimeUtc`, `lastModifiedTimeUtc`, `incidentNumber`, `riskScore`, and
/// `labels/any(l: l/labelName eq 'X')`), `$orderby` (one field, `asc` or `desc`), `$top` (1 to
/// 1,000, default 50) and `$skipToken` (from the previous page's `nextLink`).
struct IncidentQuery {
    struct Test { var field: String; var op: String; var value: String }
    var tests: [Test] = []
    var labels: [String] = []
    var orderBy = "createdTimeUtc"
    var descending = true
    var top = 50
    var skip = 0

    static let fields = ["status", "severity", "owner/assignedTo", "createdTimeUtc", "lastModifiedTimeUtc", "incidentNumber", "riskScore", "title", "classification"]

    static func parse(_ q: [String: String]) throws -> IncidentQuery {
        var out = IncidentQuery()
        for k in q.keys where !["$filter", "$orderby", "$top", "$skipToken"].contains(k) {
            throw ServerError(.badRequest, "UnknownParameter", "unknown parameter '\(k)' ($filter, $orderby, $top, $skipToken)")
        }
        if let f = q["$filter"], !f.trimmingCharacters(in: .whitespaces).isEmpty {
            for clause in f.components(separatedBy: " and ") {
                let c = clause.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "()"))
                if let r = c.range(of: #"^(properties/)?labels/any\(\s*\w+\s*:\s*\w+/labelName eq '([^']*)'\s*$"#, options: .regularExpression) {
                    let text = String(c[r])
                    if let q1 = text.firstIndex(of: "'"), let q2 = text.lastIndex(of: "'"), q1 < q2 { out.labels.append(String(text[text.index(after: q1)..<q2])) }
                    continue
                }
                let parts = c.split(separator: " ", maxSplits: 2).map(String.init)
                guard parts.count == 3 else { throw ServerError(.badRequest, "BadFilter", "cannot read '\(c)': use field op value, joined by and") }
                var field = parts[0]
                if field.hasPrefix("properties/") { field.removeFirst("properties/".count) }
                guard fields.contains(field) else { throw ServerError(.badRequest, "BadFilter", "cannot filter on '\(parts[0])' (\(fields.joined(separator: ", ")), labels/any(...))") }
                guard ["eq", "ne", "gt", "ge", "lt", "le"].contains(parts[1]) else { throw ServerError(.badRequest, "BadFilter", "unknown operator '\(parts[1])'") }
                out.tests.append(Test(field: field, op: parts[1], value: parts[2].trimmingCharacters(in: CharacterSet(charactersIn: "'"))))
            }
        }
        if let o = q["$orderby"] {
            let parts = o.split(separator: " ").map(String.init)
            var field = parts.first ?? ""
            if field.hasPrefix("properties/") { field.removeFirst("properties/".count) }
            guard ["createdTimeUtc", "lastModifiedTimeUtc", "incidentNumber", "severity", "riskScore"].contains(field), parts.count <= 2 else {
                throw ServerError(.badRequest, "BadOrderBy", "cannot order by '\(o)' (createdTimeUtc, lastModifiedTimeUtc, incidentNumber, severity, riskScore; asc or desc)")
            }
            out.orderBy = field
            out.descending = parts.count == 2 ? parts[1].lowercased() == "desc" : false
        }
        if let t = q["$top"] {
            guard let n = Int(t), (1...1000).contains(n) else { throw ServerError(.badRequest, "BadTop", "$top must be 1 to 1000") }
            out.top = n
        }
        if let s = q["$skipToken"] {
            guard let n = Int(s), n >= 0 else { throw ServerError(.badRequest, "BadSkipToken", "$skipToken is not one this server gave") }
            out.skip = n
        }
        return out
    }

    func matches(_ inc: Incident) throws -> Bool {
        for l in labels where !inc.labels.contains(where: { $0.labelName == l }) { return false }
        for t in tests {
            let ok: Bool
            switch t.field {
            case "status": ok = Self.compare(inc.status.rawValue, t.op, t.value)
            case "severity":
                guard let s = Severity(loose: t.value) else { throw ServerError(.badRequest, "BadFilter", "'\(t.value)' is not a severity") }
                ok = Self.compare(inc.severity.rank, t.op, s.rank)
            case "owner/assignedTo": ok = Self.compare(inc.owner.assignedTo ?? "", t.op, t.value)
            case "title": ok = Self.compare(inc.title, t.op, t.value)
            case "classification": ok = Self.compare(inc.classification?.rawValue ?? "", t.op, t.value)
            case "incidentNumber":
                guard let n = Int(t.value) else { throw ServerError(.badRequest, "BadFilter", "'\(t.value)' is not a number") }
                ok = Self.compare(inc.number, t.op, n)
            case "riskScore":
                guard let n = Int(t.value) else { throw ServerError(.badRequest, "BadFilter", "'\(t.value)' is not a number") }
                ok = inc.riskScore.map { Self.compare($0.total, t.op, n) } ?? false
            default:
                guard let v = Self.parseTime(t.value) else { throw ServerError(.badRequest, "BadFilter", "'\(t.value)' is not an ISO 8601 time") }
                ok = Self.compare(t.field == "createdTimeUtc" ? inc.createdTime : inc.lastModifiedTime, t.op, v)
            }
            if !ok { return false }
        }
        return true
    }

    func sorted(_ list: [Incident]) -> [Incident] {
        func key(_ i: Incident) -> Int64 {
            switch orderBy {
            case "lastModifiedTimeUtc": return i.lastModifiedTime
            case "incidentNumber": return Int64(i.number)
            case "severity": return Int64(i.severity.rank)
            case "riskScore": return Int64(i.riskScore?.total ?? Int.min / 2)
            default: return i.createdTime
            }
        }
        return list.sorted { a, b in
            let x = key(a), y = key(b)
            if x != y { return descending ? x > y : x < y }
            return descending ? a.number > b.number : a.number < b.number
        }
    }

    static func compare<T: Comparable>(_ a: T, _ op: String, _ b: T) -> Bool {
        switch op {
        case "eq": return a == b
        case "ne": return a != b
        case "gt": return a > b
        case "ge": return a >= b
        case "lt": return a < b
        default: return a <= b
        }
    }

    static func parseTime(_ s: String) -> Int64? {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: s) { return Int64(d.timeIntervalSince1970 * 1e7) }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s).map { Int64($0.timeIntervalSince1970 * 1e7) }
    }
}
