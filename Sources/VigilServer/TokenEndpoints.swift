import Foundation
public import Hummingbird
import NIOCore
import NIOPosix
import VigilCore
public import VigilStore

/// `/api/tokens` (admin): list (never the secrets), create (the secret is in that answer only),
/// revoke. Every change is in the audit trail under the admin's token name.
public struct TokenEndpoints: Sendable, JSONEndpoint {
    let store: LogStore
    let clock: @Sendable () -> Int64
    public init(store: LogStore, clock: @escaping @Sendable () -> Int64) { self.store = store; self.clock = clock }

    struct TokenInfo: Encodable {
        var id: String, name: String, role: String, created: String, expires: String?, revoked: String?, lastUsed: String?
        init(_ t: TokenStore.Token) {
            id = t.id; name = t.name; role = t.role.rawValue; created = IncidentResource.time(t.created)
            expires = t.expires.map(IncidentResource.time); revoked = t.revoked.map(IncidentResource.time); lastUsed = t.lastUsed.map(IncidentResource.time)
        }
    }

    public func register(on router: Router<VigilRequestContext>) {
        let tokens = TokenStore(store: store)
        router.get("/api/tokens") { _, _ in
            try await respond { try json(["value": try tokens.list().map(TokenInfo.init)]) }
        }
        router.post("/api/tokens") { request, context in
            let body = try await request.body.collect(upTo: 16 * 1024)
            return try await respond {
                guard let m = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
                    throw ServerError(.badRequest, "BadRequest", "expected {\"name\": \"...\", \"role\": \"reader|responder|contributor|admin\", \"expiresInDays\": 90}")
                }
                for k in m.keys where !["name", "role", "expiresInDays"].contains(k) { throw ServerError(.badRequest, "UnknownField", "unknown field '\(k)' (name, role, expiresInDays)") }
                guard let name = m["name"] as? String else { throw ServerError(.badRequest, "BadRequest", "name is required") }
                guard let r = m["role"] as? String, let role = APIRole(rawValue: r) else { throw ServerError(.badRequest, "BadRequest", "role is reader, responder, contributor or admin") }
                let now = clock()
                var expires: Int64?
                if let d = m["expiresInDays"] {
                    guard let days = d as? Int, days > 0, days <= 3650 else { throw ServerError(.badRequest, "BadRequest", "expiresInDays is 1 to 3650") }
                    expires = now + Int64(days) * 864_000_000_000
                }
                let (secret, t) = try tokens.create(name: name, role: role, expires: expires, now: now)
                try IncidentStore(store: store).recordAudit(actor: context.who.actor, action: "token created", detail: "\(name) (\(role.rawValue))", now: now)
                struct Created: Encodable { var token: String; var info: TokenInfo }
                return try json(Created(token: secret, info: TokenInfo(t)), status: .created)
            }
        }
        router.delete("/api/tokens/:name") { _, context in
            try await respond {
                let name = try context.parameters.require("name")
                let now = clock()
                guard try tokens.revoke(name, now: now) else { throw ServerError(.notFound, "NotFound", "no live token \(name)") }
                try IncidentStore(store: store).recordAudit(actor: context.who.actor, action: "token revoked", detail: name, now: now)
                return Response(status: .noContent)
            }
        }
    }
}
