public import Hummingbird
public import VigilCore

/// The request context of Vigil's routes: Hummingbird's, plus who is calling (set by
/// `AuthMiddleware`), so that every write is audited under the token's name.
public struct VigilRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller?

    public init(source: Source) {
        coreContext = .init(source: source)
        caller = nil
    }

    /// The caller, or the anonymous admin of a server without authentication.
    public var who: Caller { caller ?? .anonymous }
}

/// An authenticated caller: the token's name and role (or `anonymous` admin when auth is off).
public struct Caller: Sendable, Equatable {
    public var name: String
    public var role: APIRole
    public init(name: String, role: APIRole) { self.name = name; self.role = role }
    /// Everyone, when `server.auth` is `none`.
    public static let anonymous = Caller(name: "anonymous", role: .admin)

    /// The audit trail's actor.
    public var actor: String { "token:\(name)" }
}
