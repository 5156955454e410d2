import Crypto
public import Foundation

/// Signs a webhook body so the receiver can tell it came from Vigil and is fresh:
/// `X-Vigil-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with the Unix time
/// in `X-Vigil-Timestamp`. A receiver recomputes the HMAC, compares in constant time, and rejects
/// timestamps more than `tolerance` from its clock (a replayed request).
public enum WebhookSigner {
    public static let signatureHeader = "X-Vigil-Signature"
    public static let timestampHeader = "X-Vigil-Timestamp"
    public static let tolerance: Int64 = 300

    public static func signature(body: Data, secret: String, timestamp: Int64) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    public static func headers(body: Data, secret: String, timestamp: Int64) -> [(String, String)] {
        [(timestampHeader, String(timestamp)), (signatureHeader, signature(body: body, secret: secret, timestamp: timestamp))]
    }

    /// The receiver's check (Vigil's tests use it; receivers can port it).
    public static func verify(body: Data, secret: String, timestamp: String?, signature: String?, now: Int64) -> Bool {
        guard let ts = timestamp.flatMap({ Int64($0) }), let sig = signature, abs(now - ts) <= tolerance,
              sig.hasPrefix("sha256="), let given = hexBytes(String(sig.dropFirst(7))) else { return false }
        var message = Data("\(ts).".utf8)
        message.append(body)
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: message, using: SymmetricKey(data: Data(secret.utf8)))
    }

    static func hexBytes(_ s: String) -> [UInt8]? {
        guard s.count % 2 == 0 else { return nil }
        var out: [UInt8] = [], it = s.makeIterator()
        while let a = it.next(), let b = it.next() {
            guard let v = UInt8(String([a, b]), radix: 16) else { return nil }
            out.append(v)
        }
        return out
    }
}
