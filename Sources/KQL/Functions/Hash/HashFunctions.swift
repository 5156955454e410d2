import Crypto
import Foundation

/// `hash()` (64-bit, stable across runs) and the cryptographic digests as lower-case hex.
enum HashFunctions {
    /// FNV-1a over UTF-8: stable, so `hash()` results are reproducible (Kusto uses xxhash; values differ).
    static func fnv(_ s: String) -> Int64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return Int64(bitPattern: h)
    }

    static func hex<D: Sequence>(_ d: D) -> String where D.Element == UInt8 {
        d.map { let h = String($0, radix: 16); return h.count == 1 ? "0" + h : h }.joined()
    }

    static var all: [FunctionDef] {
        [
            F.row("hash", 1...2, .long) { a, _ in
                let h = fnv(a[0].kqlString)
                if a.count > 1, let m = a[1].asInt64, m > 0 { return .long(Int64(UInt64(bitPattern: h) % UInt64(m))) }
                return .long(h)
            },
            F.row("hash_sha256", 1...1, .string) { a, _ in .string(hex(SHA256.hash(data: Data(a[0].kqlString.utf8)))) },
            F.row("hash_sha1", 1...1, .string) { a, _ in .string(hex(Insecure.SHA1.hash(data: Data(a[0].kqlString.utf8)))) },
            F.row("hash_md5", 1...1, .string) { a, _ in .string(hex(Insecure.MD5.hash(data: Data(a[0].kqlString.utf8)))) },
            F.row("hash_combine", 2...64, .long) { a, _ in
                var h: UInt64 = 0
                for v in a { h = h &* 31 &+ UInt64(bitPattern: v.asInt64 ?? 0) }
                return .long(Int64(bitPattern: h))
            },
        ]
    }
}
