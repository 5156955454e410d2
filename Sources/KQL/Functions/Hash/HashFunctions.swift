import Crypto
import Foundation

/// `hash()` and `hash_xxhash64()` (Kusto's xxhash64 values), CRC-32, and the cryptographic digests as lower-case hex.
enum HashFunctions {
    static func hex<D: Sequence>(_ d: D) -> String where D.Element == UInt8 {
        d.map { let h = String($0, radix: 16); return h.count == 1 ? "0" + h : h }.joined()
    }

    static var all: [FunctionDef] {
        [
            F.row("hash", 1...2, .long) { a, _ in XXHash64.kusto(a) },
            F.row("hash_xxhash64", 1...2, .long) { a, _ in XXHash64.kusto(a) },
            F.row("hash_crc32", 1...2, .long) { a, _ in
                if a[0].isNull { return .null }
                let c = Int64(CRC32.checksum(XXHash64.bytes(of: a[0])))
                if a.count > 1 { guard let m = a[1].asInt64, m > 0 else { return .null }; return .long(c % m) }
                return .long(c)
            },
            // The values' xxhash64s combined in order (the rule of `hash_combine`).
            F.row("hash_many", 1...65_535, .long) { a, _ in
                var h: UInt64 = 0
                for v in a { h = h &* 31 &+ XXHash64.hash(XXHash64.bytes(of: v)) }
                return .long(Int64(bitPattern: h))
            },
            F.row("hash_sha256", 1...1, .string) { a, _ in .string(hex(SHA256.hash(data: Data(a[0].kqlString.utf8)))) },
            F.row("hash_sha1", 1...1, .string) { a, _ in .string(hex(Insecure.SHA1.hash(data: Data(a[0].kqlString.utf8)))) },
            F.row("hash_md5", 1...1, .string) { a, _ in .string(hex(Insecure.MD5.hash(data: Data(a[0].kqlString.utf8)))) },
            F.row("hash_combine", 2...65_535, .long) { a, _ in
                var h: UInt64 = 0
                for v in a { h = h &* 31 &+ UInt64(bitPattern: v.asInt64 ?? 0) }
                return .long(Int64(bitPattern: h))
            },
        ]
    }
}
