import Crypto
public import Foundation
import GRDB
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
        try store.db.pool.write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_token WHERE name = ? AND revoked IS NULL", arguments: [name]) ?? 0 > 0 {
                throw StoreError.invalid("a token named \(name) exists; revoke it first or choose another name")
            }
            try db.execute(sql: "INSERT INTO api_token (id, name, role, hash, created, expires) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [id, name, role.rawValue, Self.hash(secret), now, expires])
        }
        return (secret, token)
    }

    /// What a presented secret is.
    public func check(_ secret: String, now: Int64) throws -> Check {
        let parts = secret.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "vgl" else { return .unknown }
        guard let row = try store.db.pool.read({ db in try Row.fetchOne(db, sql: "SELECT * FROM api_token WHERE id = ?", arguments: [String(parts[1])]) }) else { return .unknown }
        let stored: String = row["hash"]
        guard Self.constantTimeEqual(stored, Self.hash(secret)) else { return .unknown }
        let t = Self.token(row)
        if t.revoked != nil { return .revoked(t) }
        if let e = t.expires, now >= e { return .expired(t) }
        return .valid(t)
    }

    /// Marks a use (for `vigil tokens list`); at most once a minute per token, to spare writes.
    public func touch(_ t: Token, now: Int64) {
        guard (t.lastUsed ?? 0) < now - 600_000_000 else { return }
        _ = try? store.db.pool.write { db in try db.execute(sql: "UPDATE api_token SET last_used = ? WHERE id = ?", arguments: [now, t.id]) }
    }

    public func token(id: String) throws -> Token? {
        try store.db.pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM api_token WHERE id = ?", arguments: [id]).map(Self.token) }
    }

    public func list() throws -> [Token] {
        try store.db.pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_token ORDER BY created, name").map(Self.token) }
    }

    /// Revokes the live token with this name or id; false when there is none.
    @discardableResult
    public func revoke(_ nameOrID: String, now: Int64) throws -> Bool {
        try store.db.pool.write { db in
            try db.execute(sql: "UPDATE api_token SET revoked = ? WHERE (name = ? OR id = ?) AND revoked IS NULL", arguments: [now, nameOrID, nameOrID])
            return db.changesCount > 0
        }
    }

    static func token(_ r: Row) -> Token {
        Token(id: r["id"], name: r["name"], role: APIRole(rawValue: r["role"]) ?? .reader, created: r["created"], expires: r["expires"], revoked: r["revoked"], lastUsed: r["last_used"])
    }

    static func hash(_ secret: String) -> String { SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined() }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool { ConstantTime.equal(a, b) }
}
