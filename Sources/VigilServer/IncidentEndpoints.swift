import Foundation
public import Hummingbird
import NIOCore
import NIOPosix
public import VigilCore
public import VigilStore

/// The incident API, shaped like Sentinel's `Microsoft.SecurityInsights/incidents`: list with
/// `$filter` / `$orderby` / `$top` / `$skipToken`, get, update with `If-Match` (409 when the etag is
/// stale), comments, alerts, entities, audit, the report, and triage / review on demand. Every write
/// is stored with an audit entry under the caller's token name. What needs the pipeline (report,
/// triage, review) comes in as `Actions` from the composition root.
public struct IncidentEndpoints: Sendable, JSONEndpoint {
    public struct Actions: Sendable {
        /// The report of an incident in a format (`md`, `html`, `json`): the text and its content type.
        public var report: @Sendable (Incident, String) throws -> (String, String)
        /// Triage (evidence modules and score) run and stored by `actor`; the incident after it.
        public var triage: @Sendable (Incident, String) throws -> Incident
        /// The reviewer agent run and applied by `actor`; the incident after it.
        public var review: @Sendable (Incident, String) throws -> Incident
        public init(report: @escaping @Sendable (Incident, String) throws -> (String, String), triage: @escaping @Sendable (Incident, String) throws -> Incident,
                    review: @escaping @Sendable (Incident, String) throws -> Incident) {
            self.report = report; self.triage = triage; self.review = review
        }
    }

    let store: LogStore
    let actions: Actions
    let clock: @Sendable () -> Int64

    public init(store: LogStore, actions: Actions, clock: @escaping @Sendable () -> Int64) { self.store = store; self.actions = actions; self.clock = clock }

    var incidents: IncidentStore { IncidentStore(store: store) }

    public func register(on router: Router<VigilRequestContext>) {
        router.get("/api/incidents") { request, _ in try await respond { try list(request) } }
        router.get("/api/incidents/:number") { _, context in
            try await respond { let (inc, v) = try find(context); return try json(IncidentResource(inc, version: v), etag: v) }
        }
        router.post("/api/incidents") { request, context in
            let body = try await request.body.collect(upTo: 256 * 1024)
            return try await respond {
                let caller = context.who
                let (change, _) = try IncidentUpdate.parse(Data(body.readableBytesView))
                guard let title = change.title, let severity = change.severity else {
                    throw ServerError(.badRequest, "BadRequest", "a new incident needs properties.title and properties.severity")
                }
                let now = clock()
                // A new number and id; the store's unique number makes a race a conflict, retried.
                for _ in 0..<5 {
                    let n = try incidents.nextNumber()
                    var inc = Incident(id: UUID().uuidString.lowercased(), number: n, title: title, severity: severity, createdTime: now)
                    inc.providerName = "Vigil (manual)"
                    var rest = change
                    rest.title = nil; rest.severity = nil
                    (inc, _) = try rest.apply(to: inc, now: now)
                    do {
                        try incidents.save([inc], actor: caller.actor, action: { _ in ("created", "by hand") }, now: now)
                    } catch { if try incidents.get(number: n) != nil { continue } else { throw error } }
                    let (saved, v) = try incidents.versioned(number: n) ?? (inc, now)
                    return try json(IncidentResource(saved, version: v), status: .created, etag: v)
                }
                throw ServerError(.conflict, "Conflict", "could not take a new incident number; retry")
            }
        }
        router.delete("/api/incidents/:number") { _, context in
            try await respond {
                let caller = context.who
                guard try incidents.delete(number: try number(context), actor: caller.actor, now: clock()) else { throw ServerError(.notFound, "NotFound", "no such incident") }
                return Response(status: .noContent)
            }
        }
        router.get("/api/incidents/:number/relations") { _, context in
            try await respond {
                let (inc, _) = try find(context)
                struct Relation: Encodable { var name: String; var properties: [String: String] }
                return try json(["value": inc.alerts.map { Relation(name: $0.systemAlertID, properties: ["relatedResourceName": $0.systemAlertID,
                                                                                                         "relatedResourceKind": $0.isAnomaly ? "Anomaly" : "SecurityAlert",
                                                                                                         "relatedResourceType": "Microsoft.SecurityInsights/entities"]) }])
            }
        }
        router.patch("/api/incidents/:number") { request, context in try await update(request, context) }
        router.put("/api/incidents/:number") { request, context in try await update(request, context) }
        router.get("/api/incidents/:number/alerts") { _, context in
            try await respond { let (inc, _) = try find(context); return try json(["value": inc.alerts]) }
        }
        router.get("/api/incidents/:number/entities") { _, context in
            try await respond { let (inc, _) = try find(context); return try json(["entities": inc.entities]) }
        }
        router.get("/api/incidents/:number/comments") { _, context in
            try await respond { let (inc, _) = try find(context); return try json(["value": inc.comments.map(CommentResource.init)]) }
        }
        router.get("/api/incidents/:number/audit") { _, context in
            try await respond { let (inc, _) = try find(context); return try json(["value": try incidents.audit(incidentID: inc.id)]) }
        }
        router.post("/api/incidents/:number/comments") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return try await respond {
                guard let m = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
                      let message = ((m["properties"] as? [String: Any])?["message"] ?? m["message"]) as? String else {
                    throw ServerError(.badRequest, "BadRequest", "expected {\"properties\": {\"message\": \"...\"}}")
                }
                guard !message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, message.count <= 30_000 else {
                    throw ServerError(.badRequest, "BadRequest", "a comment is 1 to 30,000 characters")
                }
                let caller = context.who
                let now = clock()
                let comment = Incident.Comment(id: UUID().uuidString.lowercased(), message: message, author: caller.name, createdTime: now)
                guard try incidents.modify(number: try number(context), actor: caller.actor, now: now, { inc in
                    var out = inc
                    out.comments.append(comment)
                    out.lastModifiedTime = now
                    return (out, "comment", String(message.prefix(200)))
                }) != nil else { throw ServerError(.notFound, "NotFound", "no such incident") }
                return try json(CommentResource(comment), status: .created)
            }
        }
        router.delete("/api/incidents/:number/comments/:id") { _, context in
            try await respond {
                let caller = context.who
                let id = try context.parameters.require("id")
                let now = clock()
                guard try incidents.modify(number: try number(context), actor: caller.actor, now: now, { inc in
                    guard inc.comments.contains(where: { $0.id == id }) else { throw ServerError(.notFound, "NotFound", "incident \(inc.number) has no comment \(id)") }
                    var out = inc
                    out.comments.removeAll { $0.id == id }
                    out.lastModifiedTime = now
                    return (out, "comment deleted", id)
                }) != nil else { throw ServerError(.notFound, "NotFound", "no such incident") }
                return Response(status: .noContent)
            }
        }
        router.get("/api/incidents/:number/report") { request, context in
            try await respond {
                let format = request.uri.queryParameters.get("format") ?? "md"
                guard ["md", "html", "json"].contains(format) else { throw ServerError(.badRequest, "BadRequest", "format is md, html or json") }
                let (inc, _) = try find(context)
                let (text, type) = try actions.report(inc, format)
                return Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
        }
        router.post("/api/incidents/:number/triage") { _, context in
            try await respond {
                let (inc, _) = try find(context)
                let out = try actions.triage(inc, context.who.actor)
                let (_, v) = try find(context)
                return try json(IncidentResource(out, version: v), etag: v)
            }
        }
        router.post("/api/incidents/:number/review") { _, context in
            try await respond {
                let (inc, _) = try find(context)
                let out = try actions.review(inc, context.who.actor)
                let (_, v) = try find(context)
                return try json(IncidentResource(out, version: v), etag: v)
            }
        }
    }

    func number(_ context: VigilRequestContext) throws -> Int {
        let text = try context.parameters.require("number")
        guard let n = Int(text) else { throw ServerError(.badRequest, "BadRequest", "'\(text)' is not an incident number") }
        return n
    }

    func find(_ context: VigilRequestContext) throws -> (Incident, Int64) {
        let n = try number(context)
        guard let found = try incidents.versioned(number: n) else { throw ServerError(.notFound, "NotFound", "no incident \(n)") }
        return found
    }

    func list(_ request: Request) throws -> Response {
        var params: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { params[String(k)] = String(v) }
        let q = try IncidentQuery.parse(params)
        let all = try incidents.allVersioned()
        var versions: [String: Int64] = [:]
        for (inc, v) in all { versions[inc.id] = v }
        let matching = q.sorted(try all.map(\.0).filter { try q.matches($0) })
        let page = Array(matching.dropFirst(q.skip).prefix(q.top))
        struct Page: Encodable { var value: [IncidentResource]; var nextLink: String? }
        var next: String?
        if q.skip + page.count < matching.count {
            var items = params.filter { $0.key != "$skipToken" }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            items.append(("$skipToken", String(q.skip + page.count)))
            var c = URLComponents()
            c.path = "/api/incidents"
            c.queryItems = items.map { URLQueryItem(name: $0.0, value: $0.1) }
            next = c.string
        }
        return try json(Page(value: page.map { IncidentResource($0, version: versions[$0.id] ?? 0) }, nextLink: next))
    }

    func update(_ request: Request, _ context: VigilRequestContext) async throws -> Response {
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: 256 * 1024) } catch {
            return ServerError(.contentTooLarge, "TooLarge", "an incident update is at most 256 KB").response()
        }
        let ifMatch = request.headers[.ifMatch]
        return try await respond {
            let caller = context.who
            let (u, bodyTag) = try IncidentUpdate.parse(Data(body.readableBytesView))
            let n = try number(context)
            var version: Int64?
            if let tag = ifMatch ?? bodyTag, tag != "*" {
                guard let v = Int64(tag.trimmingCharacters(in: CharacterSet(charactersIn: "\"W/"))) else {
                    throw ServerError(.badRequest, "BadRequest", "If-Match: '\(tag)' is not an etag this server gave")
                }
                version = v
            }
            let now = clock()
            guard let (saved, nv) = try incidents.modify(number: n, actor: caller.actor, now: now, ifVersion: version, { inc in
                let (out, changed) = try u.apply(to: inc, now: now)
                return out == inc ? nil : (out, "update", changed.joined(separator: "; "))
            }) else { throw ServerError(.notFound, "NotFound", "no incident \(n)") }
            return try json(IncidentResource(saved, version: nv), etag: nv)
        }
    }
}

/// A comment as Sentinel's API shows it.
struct CommentResource: Encodable {
    var name: String
    var properties: Properties
    struct Properties: Encodable { var message: String; var createdTimeUtc: String; var author: Author }
    struct Author: Encodable { var name: String }
    init(_ c: Incident.Comment) {
        name = c.id
        properties = Properties(message: c.message, createdTimeUtc: IncidentResource.time(c.createdTime), author: Author(name: c.author))
    }
}
