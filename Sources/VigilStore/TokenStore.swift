import Crypto
public import Foundation
public import VigilCore

/// API tokens: `vgl_<id>_<secret>`, shown once at creation and stored as a SHA-256 hash (a stolen
/// database gives no usable token). The id finds the row; the hash is compared in constant time.
public struct TokenStore: Sendable {
    public let store: LogStore
    public init(store: LogStore) { self.store = store }

    public struct Token: Sendable, Equatable {
        public var id: String
        public var name: String
        public var role: APIRole
        public var created: Int64
        public var expires: Int64?
        public var revoked: Int64?
        public var lastUsed: Int64?
    }

    public enum Check: Sendable, Equatable { case valid(Token), unknown, expired(Token), revoked(Token) }

    /// A new token; the secret is returned once and never stored.
    public func create(name: String, role: APIRole, expires: Int64?, now: Int64,
                       random: () -> [UInt8] = { (0..<32).map { _ in UInt8.random(in: 0...255) } }) throws -> (secret: String, token: Token) {
        guard !name.isEmpty, name.count <= 100 else { throw StoreError.invalid("a token needs a name of 1 to 100 characters") }
        let bytes = random()
        let id = bytes.prefix(4).map { String(format: "%02x", $0) }.joined()
        let secret = "vgl_\(id)_" + Data(bytes.dropFirst(4)).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let token = Token(id: id, name: name, role: role, created: now, expires: expires, revoked: nil, lastUsed: nil)
        try store.stateBackend.write { c in
            if try c.int64("SELECT COUNT(*) FROM api_token WHERE name = ? AND revoked IS NULL", [name]) ?? 0 > 0 {
                throw StoreError.invalid("a token named \(name) exists; revoke it first or choose another name")
            }
            try c.execute("INSERT INTO api_token (id, name, role, hash, created, expires) VALUES (?, ?, ?, ?, ?, ?)",
                          [id, name, role.rawValue, Self.hash(secret), now, expires])
        }
        return (secret, token)
    }

    /// What a presented secret is.
    public func check(_ secret: String, now: Int64) throws -> Check {
        let parts = secret.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "vgl" else { return .unknown }
        guard let row = try store.stateBackend.read({ c in try c.row("SELECT * FROM api_token WHERE id = ?", [String(parts[1])]) }) else { return .unknown }
        let stored = row.string("hash") ?? ""
        guard Self.constantTimeEqual(stored, Self.hash(secret)) else { return .unknown }
        let t = Self.token(row)
        if t.revoked != nil { return .revoked(t) }
        if let e = t.expires, now >= e { return .expired(t) }
        return .valid(t)
    }

    /// Marks a use (for `vigil tokens list`); at most once a minute per token, to spare writes.
    public func touch(_ t: Token, now: Int64) {
        guard (t.lastUsed ?? 0) < now - 600_000_000 else { return }
        _ = try? store.stateBackend.write { c in try c.execute("UPDATE api_token SET last_used = ? WHERE id = ?", [now, t.id]) }
    }

    public func token(id: String) throws -> Token? {
        try store.stateBackend.read { c in try c.row("SELECT * FROM api_token WHERE id = ?", [id]).map(Self.token) }
    }

    public func list() throws -> [Token] {
        try store.stateBackend.read { c in try c.rows("SELECT * FROM api_token ORDER BY created, name").map(Self.token) }
    }

    /// Revokes the live token with this name or id; false when there is none.
    @discardableResult
    public func revoke(_ nameOrID: String, now: Int64) throws -> Bool {
        try store.stateBackend.write { c in
            try c.execute("UPDATE api_token SET revoked = ? WHERE (name = ? OR id = ?) AND revoked IS NULL", [now, nameOrID, nameOrID]) > 0
        }
    }

    static func token(_ r: SQLRow) -> Token {
        Token(id: r.string("id") ?? "", name: r.string("name") ?? "", role: r.string("role").flatMap(APIRole.init(rawValue:)) ?? .reader, created: r.int64("created") ?? 0,
              expires: r.int64("expires"), revoked: r.int64("revoked"), lastUsed: r.int64("last_used"))
    }

    static func hash(_ secret: String) -> String { SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined() }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool { ConstantTime.equal(a, b) }
}
