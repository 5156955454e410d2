public import Foundation
public import Hummingbird
import Ingestion
import NIOCore
import NIOPosix
import VigilCore
public import VigilStore

/// Configuration through the API: analytics rules (Sentinel YAML or ARM JSON, validated before they
/// are written to the workspace's rule directory, which the scheduler reloads), the review, scoring
/// and automation policies, watchlists (CSV), and threat-intelligence indicators (STIX 2.1 or CSV).
/// What needs the pipeline's parsers comes in as `Actions` from the composition root.
public struct AdminEndpoints: Sendable, JSONEndpoint {
    public struct Actions: Sendable {
        /// A policy's current text (`review`, `scoring`, `automation`); nil for an unknown kind.
        public var policy: @Sendable (String) -> String?
        /// Validates and installs a policy; what changed, in words.
        public var installPolicy: @Sendable (_ kind: String, _ text: String, _ actor: String) throws -> String
        /// The rules with their health, as JSON.
        public var rules: @Sendable () throws -> Data
        /// A rule file's text.
        public var rule: @Sendable (String) throws -> String
        /// Validates and writes a rule file; its rules' names.
        public var putRule: @Sendable (_ name: String, _ text: String, _ actor: String) throws -> [String]
        public var deleteRule: @Sendable (_ name: String, _ actor: String) throws -> Void
        public init(policy: @escaping @Sendable (String) -> String?, installPolicy: @escaping @Sendable (String, String, String) throws -> String,
                    rules: @escaping @Sendable () throws -> Data, rule: @escaping @Sendable (String) throws -> String,
                    putRule: @escaping @Sendable (String, String, String) throws -> [String], deleteRule: @escaping @Sendable (String, String) throws -> Void) {
            self.policy = policy; self.installPolicy = installPolicy; self.rules = rules; self.rule = rule; self.putRule = putRule; self.deleteRule = deleteRule
        }
    }

    let store: LogStore
    let actions: Actions
    let clock: @Sendable () -> Int64
    public init(store: LogStore, actions: Actions, clock: @escaping @Sendable () -> Int64) { self.store = store; self.actions = actions; self.clock = clock }

    public func register(on router: Router<VigilRequestContext>) {
        router.get("/api/rules") { _, _ in try await respond { Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try actions.rules()))) } }
        router.get("/api/rules/:name") { _, context in
            try await respond { text(try actions.rule(try context.parameters.require("name")), "application/yaml") }
        }
        router.put("/api/rules/:name") { request, context in
            let body = try await collect(request, 1 << 20)
            return try await respond {
                let names = try actions.putRule(try context.parameters.require("name"), String(decoding: body, as: UTF8.self), actor(context))
                return try json(["rules": names])
            }
        }
        router.delete("/api/rules/:name") { _, context in
            try await respond { try actions.deleteRule(try context.parameters.require("name"), actor(context)); return Response(status: .noContent) }
        }
        router.get("/api/policies/:kind") { _, context in
            try await respond {
                let kind = try context.parameters.require("kind")
                guard let t = actions.policy(kind) else { throw ServerError(.notFound, "NotFound", "no policy '\(kind)' (review, scoring, automation)") }
                return text(t, "application/yaml")
            }
        }
        router.put("/api/policies/:kind") { request, context in
            let body = try await collect(request, 1 << 20)
            return try await respond {
                let kind = try context.parameters.require("kind")
                guard actions.policy(kind) != nil else { throw ServerError(.notFound, "NotFound", "no policy '\(kind)' (review, scoring, automation)") }
                return try json(["installed": try actions.installPolicy(kind, String(decoding: body, as: UTF8.self), actor(context))])
            }
        }
        router.get("/api/watchlists") { _, _ in
            try await respond {
                struct Item: Encodable { var alias: String; var name: String; var items: Int }
                return try json(["value": try Watchlists(store: store).list(now: clock()).map { Item(alias: $0.alias, name: $0.name, items: $0.items) }])
            }
        }
        router.put("/api/watchlists/:alias") { request, context in
            let body = try await collect(request, 64 << 20)
            return try await respond {
                guard let key = request.uri.queryParameters.get("searchKey"), !key.isEmpty else {
                    throw ServerError(.badRequest, "BadRequest", "searchKey is required (the column entities are matched against)")
                }
                let alias = try context.parameters.require("alias")
                let n = try Watchlists(store: store).upload(alias: alias, name: request.uri.queryParameters.get("name"), csv: body, searchKey: key, now: clock())
                try IncidentStore(store: store).recordAudit(actor: actor(context), action: "watchlist", detail: "\(alias): \(n) items", now: clock())
                return try json(["alias": alias, "items": String(n)])
            }
        }
        router.delete("/api/watchlists/:alias") { _, context in
            try await respond {
                let alias = try context.parameters.require("alias")
                try Watchlists(store: store).remove(alias: alias, now: clock())
                try IncidentStore(store: store).recordAudit(actor: actor(context), action: "watchlist removed", detail: alias, now: clock())
                return Response(status: .noContent)
            }
        }
        router.post("/api/threatintelligence") { request, context in
            let body = try await collect(request, 64 << 20)
            return try await respond {
                let now = clock()
                let r = ThreatIntelImport.parse(body, source: "api:" + actor(context), now: ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(now) / 1e7)))
                var stored = 0
                if r.imported > 0 {
                    let bytes = Array(r.jsonLines.utf8)
                    stored = try bytes.withUnsafeBufferPointer { try store.ingest($0, source: "threat intelligence", format: .json, table: "ThreatIntelligenceIndicator") }.accepted
                }
                struct Outcome: Encodable { var imported: Int; var skipped: [String] }
                return try json(Outcome(imported: stored, skipped: r.skipped), status: r.imported == 0 && !r.skipped.isEmpty ? .badRequest : .ok)
            }
        }
    }

    func actor(_ context: VigilRequestContext) -> String { context.who.actor }

    func collect(_ request: Request, _ limit: Int) async throws -> Data {
        do { return Data(try await request.body.collect(upTo: limit).readableBytesView) } catch {
            throw ServerError(.contentTooLarge, "TooLarge", "the body is over \(limit / 1024) KB")
        }
    }
}
