import Crypto
import Foundation
import VigilCore
import VigilStore

/// Web UI sessions: signing in with an API token sets `vigil_session=<token id>.<expiry>.<HMAC>`
/// (HttpOnly, SameSite=Strict), checked on every page against the token's current state, so revoking
/// the token ends the session. Forms carry a CSRF field derived from the cookie. The signing key is
/// per process: a restart signs everybody out.
struct UISessions: Sendable {
    /// The raw key bytes (SymmetricKey is not Sendable); a fresh random key per process.
    let keyBytes: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) }
    let tokens: TokenStore?
    let lifetime: Int64 = 8 * 3_600

    static let cookie = "vigil_session"

    func issue(tokenID: String, now: Int64) -> String {
        let exp = now / 10_000_000 + lifetime
        let body = "\(tokenID).\(exp)"
        return body + "." + mac(body)
    }

    /// The caller a cookie stands for, if it is genuine, fresh and its token still valid.
    func caller(cookie value: String?, now: Int64) -> Caller? {
        guard let value else { return tokens == nil ? Caller.anonymous : nil }
        let parts = value.split(separator: ".").map(String.init)
        guard parts.count == 3, let exp = Int64(parts[1]), exp > now / 10_000_000,
              Self.equal(mac("\(parts[0]).\(parts[1])"), parts[2]) else { return tokens == nil ? Caller.anonymous : nil }
        guard let tokens else { return Caller.anonymous }
        guard let t = try? tokens.token(id: parts[0]), t.revoked == nil, (t.expires ?? .max) > now else { return nil }
        return Caller(name: t.name, role: t.role)
    }

    func csrf(_ cookie: String?) -> String { mac("csrf|" + (cookie ?? "anonymous")) }

    func mac(_ s: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(s.utf8), using: SymmetricKey(data: keyBytes)).map { String(format: "%02x", $0) }.joined()
    }

    static func equal(_ a: String, _ b: String) -> Bool { ConstantTime.equal(a, b) }

    static func read(_ header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let kv = part.trimmingCharacters(in: .whitespaces)
            if kv.hasPrefix(cookie + "=") { return String(kv.dropFirst(cookie.count + 1)) }
        }
        return nil
    }
}
