import Hummingbird
import Foundation
import VigilCore

/// An incident as the API returns it: the shape of Sentinel's `Microsoft.SecurityInsights/incidents`
/// resource (`id`, `name`, `etag`, `type`, `properties` with camelCase fields and `...TimeUtc`
/// times), with Vigil's `confidence`, `review` and `riskScore` among the properties.
struct IncidentResource: Encodable {
    var id: String
    var name: String
    var etag: String
    var type = "Microsoft.SecurityInsights/Incidents"
    var properties: Properties

    struct Properties: Encodable {
        var title: String
        var description: String
        var severity: String
        var status: String
        var classification: String?
        var classificationReason: String?
        var classificationComment: String?
        var owner: Incident.Owner
        var labels: [Incident.Label]
        var firstActivityTimeUtc: String
        var lastActivityTimeUtc: String
        var createdTimeUtc: String
        var lastModifiedTimeUtc: String
        var closedTimeUtc: String?
        var incidentNumber: Int
        var incidentUrl: String
        var providerName: String
        var providerIncidentId: String
        var relatedAnalyticRuleIds: [String]
        var additionalData: AdditionalData
        var confidence: Double
        var review: Incident.Review?
        var riskScore: Incident.RiskScore?
    }

    struct AdditionalData: Encodable {
        var alertsCount: Int
        var bookmarksCount = 0
        var commentsCount: Int
        var alertProductNames = ["Vigil"]
        var tactics: [String]
        var techniques: [String]
    }

    init(_ inc: Incident, version: Int64) {
        id = "/incidents/\(inc.id)"
        name = inc.id
        etag = IncidentResource.etag(version)
        properties = Properties(
            title: inc.title, description: inc.description, severity: inc.severity.rawValue, status: inc.status.rawValue,
            classification: inc.classification?.rawValue, classificationReason: inc.classificationReason?.rawValue, classificationComment: inc.classificationComment,
            owner: inc.owner, labels: inc.labels, firstActivityTimeUtc: Self.time(inc.firstActivityTime), lastActivityTimeUtc: Self.time(inc.lastActivityTime),
            createdTimeUtc: Self.time(inc.createdTime), lastModifiedTimeUtc: Self.time(inc.lastModifiedTime), closedTimeUtc: inc.closedTime.map(Self.time),
            incidentNumber: inc.number, incidentUrl: "/incidents/\(inc.number)", providerName: inc.providerName, providerIncidentId: String(inc.number),
            relatedAnalyticRuleIds: inc.relatedAnalyticRuleIds,
            additionalData: AdditionalData(alertsCount: inc.alerts.count, commentsCount: inc.comments.count, tactics: inc.tactics.map(\.rawValue), techniques: inc.techniques),
            confidence: inc.confidence, review: inc.review, riskScore: inc.riskScore)
    }

    static func etag(_ version: Int64) -> String { "\"\(version)\"" }

    static func time(_ t: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: Double(t) / 1e7))
    }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}

/// The body of an update: any of the editable properties, Sentinel-style under `properties` or flat.
/// Unknown fields are an error, so a typo is not silently ignored.
enum IncidentUpdate {
    static let fields: Set<String> = ["title", "description", "severity", "status", "classification", "classificationReason", "classificationComment", "owner", "labels"]

    /// The change and the etag the body names (if any).
    static func parse(_ data: Data) throws -> (IncidentChange, String?) {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ServerError(.badRequest, "BadRequest", "expected a JSON object {\"properties\": {...}}")
        }
        var u = IncidentChange()
        let etag = root["etag"] as? String
        let props = (root["properties"] as? [String: Any]) ?? root.filter { $0.key != "etag" }
        for k in root.keys where !["properties", "etag"].contains(k) && root["properties"] != nil {
            throw ServerError(.badRequest, "UnknownField", "unknown field '\(k)' (properties, etag)")
        }
        for k in props.keys where !fields.contains(k) {
            throw ServerError(.badRequest, "UnknownField", "unknown property '\(k)' (\(fields.sorted().joined(separator: ", ")))")
        }
        func string(_ k: String) throws -> String? {
            guard let v = props[k] else { return nil }
            guard let s = v as? String else { throw ServerError(.badRequest, "BadRequest", "\(k) must be a string") }
            return s
        }
        func enumValue<E: RawRepresentable>(_ k: String, _ type: E.Type) throws -> E? where E.RawValue == String {
            guard let s = try string(k) else { return nil }
            guard let v = E(rawValue: s) else { throw ServerError(.badRequest, "BadRequest", "\(k): '\(s)' is not a valid value") }
            return v
        }
        u.title = try string("title")
        u.description = try string("description")
        if let s = try string("severity") {
            guard let v = Severity(loose: s) else { throw ServerError(.badRequest, "BadRequest", "severity: '\(s)' is not Informational, Low, Medium or High") }
            u.severity = v
        }
        u.status = try enumValue("status", Incident.Status.self)
        u.classification = try enumValue("classification", Incident.Classification.self)
        u.classificationReason = try enumValue("classificationReason", Incident.ClassificationReason.self)
        u.classificationComment = try string("classificationComment")
        if let o = props["owner"] {
            guard let m = o as? [String: Any] else { throw ServerError(.badRequest, "BadRequest", "owner must be an object") }
            for k in m.keys where !["assignedTo", "email", "userPrincipalName", "objectId", "ownerType"].contains(k) {
                throw ServerError(.badRequest, "UnknownField", "unknown owner field '\(k)'")
            }
            u.owner = Incident.Owner(assignedTo: m["assignedTo"] as? String, email: m["email"] as? String,
                                     userPrincipalName: m["userPrincipalName"] as? String, objectId: m["objectId"] as? String)
        }
        if let l = props["labels"] {
            guard let list = l as? [Any] else { throw ServerError(.badRequest, "BadRequest", "labels must be a list") }
            u.labels = try list.map { item in
                if let s = item as? String { return Incident.Label(s, .user) }
                guard let m = item as? [String: Any], let n = m["labelName"] as? String, !n.isEmpty else {
                    throw ServerError(.badRequest, "BadRequest", "a label is {\"labelName\": \"...\"}")
                }
                return Incident.Label(n, (m["labelType"] as? String).flatMap(Incident.Label.Kind.init(rawValue:)) ?? .user)
            }
        }
        return (u, etag)
    }
}
