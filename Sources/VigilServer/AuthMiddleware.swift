import Foundation
public import Hummingbird
import VigilCore
public import VigilStore

/// Authenticates `/api` requests with `Authorization: Bearer vgl_...` against the workspace's
/// tokens and authorizes them by `APIRoute.all`: 401 without a valid token (missing, wrong,
/// expired, revoked: the message says which), 403 when the role is too low, 404 for an `/api` path
/// no route declares. Failed attempts are rate-limited (429 once 20 fail within 10 s), valid tokens
/// never are. `/healthz`, `/readyz` and `/metrics` need no token.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = VigilRequestContext
    let tokens: TokenStore?
    let clock: @Sendable () -> Int64
    let limiter = FailureLimiter()

    /// `tokens` nil: authentication is off (`server.auth: none`); every caller is an admin.
    public init(tokens: TokenStore?, clock: @escaping @Sendable () -> Int64) { self.tokens = tokens; self.clock = clock }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/") || path == "/api" else { return try await next(request, context) }
        guard let route = APIRoute.all.first(where: { $0.matches(request.method, path) }) else {
            return ServerError(.notFound, "NotFound", "no route \(request.method.rawValue) \(path)").response()
        }
        var context = context
        guard let tokens else {
            context.caller = Caller.anonymous
            return try await next(request, context)
        }
        let now = clock()
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return fail(ServerError(.unauthorized, "Unauthorized", "an API token is required: Authorization: Bearer <token> (vigil tokens create)"), now: now)
        }
        let secret = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let check: TokenStore.Check
        do { check = try tokens.check(secret, now: now) } catch { return ServerError.from(error).response() }
        switch check {
        case .unknown: return fail(ServerError(.unauthorized, "Unauthorized", "the token is not valid"), now: now)
        case .expired(let t): return fail(ServerError(.unauthorized, "TokenExpired", "the token \(t.name) has expired"), now: now)
        case .revoked(let t): return fail(ServerError(.unauthorized, "TokenRevoked", "the token \(t.name) was revoked"), now: now)
        case .valid(let t):
            guard t.role >= route.role else {
                return ServerError(.forbidden, "Forbidden", "\(route.method.rawValue) \(route.path) needs the \(route.role.rawValue) role; token \(t.name) is \(t.role.rawValue)").response()
            }
            tokens.touch(t, now: now)
            context.caller = Caller(name: t.name, role: t.role)
            return try await next(request, context)
        }
    }

    func fail(_ e: ServerError, now: Int64) -> Response {
        guard limiter.record(now: now) else {
            var limited = ServerError(.tooManyRequests, "TooManyFailures", "too many failed authentications; wait and retry")
            limited.headers[.retryAfter] = "10"
            return limited.response()
        }
        var e = e
        e.headers[.wwwAuthenticate] = "Bearer"
        return e.response()
    }
}

/// Failed authentications in a sliding 10 s window, process-wide.
final class FailureLimiter: @unchecked Sendable {
    let lock = NSLock()
    var times: [Int64] = []
    let window: Int64 = 100_000_000, limit = 20

    /// Records a failure; false when the limit is reached.
    func record(now: Int64) -> Bool {
        lock.lock(); defer { lock.unlock() }
        times.removeAll { $0 <= now - window }
        times.append(now)
        return times.count <= limit
    }
}
