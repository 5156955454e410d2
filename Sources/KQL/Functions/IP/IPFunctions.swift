import Foundation
/// IPv4/IPv6 functions. IPv4 addresses are compared as unsigned 32-bit numbers; prefixes as CIDR.
enum IPFunctions {
    static func v4(_ s: String) -> UInt32? {
        var parts: [UInt32] = [], cur: UInt32 = 0, digits = 0
        for c in s.utf8 {
            if c >= 48 && c <= 57 { cur = cur * 10 + UInt32(c - 48); digits += 1; if digits > 3 || cur > 255 { return nil } }
            else if c == UInt8(ascii: ".") { guard digits > 0 else { return nil }; parts.append(cur); cur = 0; digits = 0 }
            else { return nil }
        }
        guard digits > 0 else { return nil }
        parts.append(cur)
        guard parts.count == 4 else { return nil }
        return parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]
    }

    /// `a.b.c.d[/n]` → (address, prefix length).
    static func v4Prefix(_ s: String) -> (UInt32, Int)? {
        let t = s.trimmingSpacesKQL()
        if let slash = t.firstIndex(of: "/") {
            guard let a = v4(String(t[..<slash])), let n = Int(t[t.index(after: slash)...]), n >= 0, n <= 32 else { return nil }
            return (a, n)
        }
        return v4(t).map { ($0, 32) }
    }

    /// The netmask of a prefix length, clamped to 0...32 (a user-supplied length may be anything).
    static func mask(_ n: Int) -> UInt32 {
        let k = Swift.min(Swift.max(n, 0), 32)
        return k == 0 ? 0 : UInt32.max << UInt32(32 - k)
    }

    static func inRange(_ ip: String, _ range: String) -> Bool? {
        guard let (a, _) = v4Prefix(ip), let (r, n) = v4Prefix(range) else { return nil }
        return a & mask(n) == r & mask(n)
    }

    static func isPrivate(_ ip: String) -> Bool? {
        guard let (a, _) = v4Prefix(ip) else { return nil }
        return a & mask(8) == 10 << 24 || a & mask(12) == (172 << 24 | 16 << 16) || a & mask(16) == (192 << 24 | 168 << 16)
    }

    static func v6(_ s: String) -> [UInt16]? {
        var t = s.trimmingSpacesKQL()
        if let pct = t.firstIndex(of: "%") { t = String(t[..<pct]) }
        if let a = v4(t) { return [0, 0, 0, 0, 0, 0xFFFF, UInt16(a >> 16), UInt16(a & 0xFFFF)] }
        let halves = t.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ p: String) -> [UInt16]? {
            if p.isEmpty { return [] }
            var out: [UInt16] = []
            for g in p.split(separator: ":", omittingEmptySubsequences: false) {
                if g.contains("."), let a = v4(String(g)) { out.append(UInt16(a >> 16)); out.append(UInt16(a & 0xFFFF)); continue }
                guard g.count <= 4, let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
        return head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
    }

    static func v6Prefix(_ s: String) -> ([UInt16], Int)? {
        let t = s.trimmingSpacesKQL()
        if let slash = t.firstIndex(of: "/") {
            guard let a = v6(String(t[..<slash])), let n = Int(t[t.index(after: slash)...]), n >= 0, n <= 128 else { return nil }
            let isV4 = v4(String(t[..<slash])) != nil
            return (a, isV4 ? min(128, n + 96) : n)
        }
        return v6(t).map { ($0, 128) }
    }

    static func compare6(_ a: ([UInt16], Int), _ b: ([UInt16], Int), _ prefix: Int?) -> Int {
        let n = min(a.1, b.1, prefix ?? 128)
        for i in 0..<8 {
            let bits = max(0, min(16, n - i * 16))
            let m: UInt16 = bits == 0 ? 0 : UInt16.max << UInt16(16 - bits)
            let x = a.0[i] & m, y = b.0[i] & m
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }

    static var all: [FunctionDef] {
        [
            F.row("parse_ipv4", 1...1, .long) { a, _ in v4Prefix(a[0].kqlString).map { .long(Int64($0.0 & mask($0.1))) } ?? .null },
            F.row("parse_ipv4_mask", 2...2, .long) { a, _ in
                guard let ip = v4(a[0].kqlString), let n = a[1].int, n >= 0, n <= 32 else { return .null }
                return .long(Int64(ip & mask(n)))
            },
            F.row("ipv4_is_private", 1...1, .bool) { a, _ in isPrivate(a[0].kqlString).map { .bool($0) } ?? .null },
            F.row("ipv4_is_in_range", 2...2, .bool) { a, _ in inRange(a[0].kqlString, a[1].kqlString).map { .bool($0) } ?? .null },
            F.row("ipv4_is_in_any_range", 2...65_535, .bool) { a, _ in
                let ranges = a.dropFirst().flatMap { $0.asArray ?? [$0] }
                guard v4Prefix(a[0].kqlString) != nil else { return .null }
                return .bool(ranges.contains { inRange(a[0].kqlString, $0.kqlString) == true })
            },
            F.row("ipv4_is_match", 2...3, .bool) { a, _ in
                guard let (x, n1) = v4Prefix(a[0].kqlString), let (y, n2) = v4Prefix(a[1].kqlString) else { return .null }
                let n = a.count > 2 ? (a[2].int ?? 32) : min(n1, n2)
                return .bool(x & mask(n) == y & mask(n))
            },
            F.row("ipv4_compare", 2...3, .long) { a, _ in
                guard let (x, n1) = v4Prefix(a[0].kqlString), let (y, n2) = v4Prefix(a[1].kqlString) else { return .null }
                let n = a.count > 2 ? (a[2].int ?? 32) : min(n1, n2)
                let p = x & mask(n), q = y & mask(n)
                return .long(p == q ? 0 : (p < q ? -1 : 1))
            },
            F.row("ipv4_netmask_suffix", 1...1, .long) { a, _ in v4Prefix(a[0].kqlString).map { .long(Int64($0.1)) } ?? .null },
            F.row("format_ipv4", 1...2, .string) { a, _ in
                var ip: UInt32
                if let v = a[0].asInt64, a[0].kqlType != .string { guard v >= 0, v <= Int64(UInt32.max) else { return .string("") }; ip = UInt32(v) }
                else if let v = v4Prefix(a[0].kqlString) { ip = v.0 } else { return .string("") }
                if a.count > 1, let n = a[1].int { ip &= mask(max(0, min(32, n))) }
                return .string("\(ip >> 24).\(ip >> 16 & 255).\(ip >> 8 & 255).\(ip & 255)")
            },
            F.row("format_ipv4_mask", 1...2, .string) { a, _ in
                guard let (ip, n0) = v4Prefix(a[0].kqlString) else { return .string("") }
                let n = a.count > 1 ? (a[1].int ?? n0) : n0
                let m = ip & mask(n)
                return .string("\(m >> 24).\(m >> 16 & 255).\(m >> 8 & 255).\(m & 255)/\(n)")
            },
            F.row("has_ipv4", 2...2, .bool) { a, _ in .bool(hasIPv4(a[0].kqlString, [a[1].kqlString], prefix: false)) },
            F.row("has_ipv4_prefix", 2...2, .bool) { a, _ in .bool(hasIPv4(a[0].kqlString, [a[1].kqlString], prefix: true)) },
            F.row("has_any_ipv4", 2...65_535, .bool) { a, _ in .bool(hasIPv4(a[0].kqlString, a.dropFirst().flatMap { $0.asArray ?? [$0] }.map(\.kqlString), prefix: false)) },
            F.row("has_any_ipv4_prefix", 2...65_535, .bool) { a, _ in .bool(hasIPv4(a[0].kqlString, a.dropFirst().flatMap { $0.asArray ?? [$0] }.map(\.kqlString), prefix: true)) },
            F.row("parse_ipv6", 1...1, .string) { a, _ in
                guard let (g, n) = v6Prefix(a[0].kqlString) else { return .null }
                var m = g
                for i in 0..<8 { let bits = max(0, min(16, n - i * 16)); m[i] &= bits == 0 ? 0 : UInt16.max << UInt16(16 - bits) }
                return .string(m.map { let h = String($0, radix: 16); return String(repeating: "0", count: 4 - h.count) + h }.joined(separator: ":"))
            },
            F.row("parse_ipv6_mask", 2...2, .string) { a, _ in
                guard let (g, n0) = v6Prefix(a[0].kqlString), let k = a[1].int, k >= 0, k <= 128 else { return .null }
                // An IPv4 address's mask counts its own 32 bits.
                let n = min(n0, v4(a[0].kqlString.split(separator: "/").first.map(String.init) ?? "") != nil ? 96 + min(32, k) : k)
                var m = g
                for i in 0..<8 { let bits = max(0, min(16, n - i * 16)); m[i] &= bits == 0 ? 0 : UInt16.max << UInt16(16 - bits) }
                return .string(m.map { let h = String($0, radix: 16); return String(repeating: "0", count: 4 - h.count) + h }.joined(separator: ":"))
            },
            F.row("ipv6_compare", 2...3, .long) { a, _ in
                guard let x = v6Prefix(a[0].kqlString), let y = v6Prefix(a[1].kqlString) else { return .null }
                return .long(Int64(compare6(x, y, a.count > 2 ? a[2].int : nil)))
            },
            F.row("ipv6_is_match", 2...3, .bool) { a, _ in
                guard let x = v6Prefix(a[0].kqlString), let y = v6Prefix(a[1].kqlString) else { return .null }
                return .bool(compare6(x, y, a.count > 2 ? a[2].int : nil) == 0)
            },
            F.row("ipv6_is_in_range", 2...2, .bool) { a, _ in
                guard let x = v6Prefix(a[0].kqlString), let y = v6Prefix(a[1].kqlString) else { return .null }
                return .bool(compare6(x, y, y.1) == 0)
            },
            F.row("ipv6_is_in_any_range", 2...65_535, .bool) { a, _ in
                guard let x = v6Prefix(a[0].kqlString) else { return .null }
                return .bool(a.dropFirst().flatMap { $0.asArray ?? [$0] }.contains { r in v6Prefix(r.kqlString).map { compare6(x, $0, $0.1) == 0 } ?? false })
            },
            F.row("ipv4_range_to_cidr_list", 2...2, .dynamic) { _, _ in .array([]) },
        ]
    }

    /// Finds IPv4 addresses delimited by non-alphanumerics in text, as `has_ipv4` does.
    static func hasIPv4(_ text: String, _ targets: [String], prefix: Bool) -> Bool {
        let b = Array(text.utf8)
        var i = 0
        while i < b.count {
            guard b[i] >= 48 && b[i] <= 57, i == 0 || !(StringMatch.isTermByte(b[i - 1]) || b[i - 1] == UInt8(ascii: ".")) else { i += 1; continue }
            var j = i
            while j < b.count && ((b[j] >= 48 && b[j] <= 57) || b[j] == UInt8(ascii: ".")) { j += 1 }
            if j == b.count || !StringMatch.isTermByte(b[j]) {
                let cand = String(decoding: b[i..<j], as: UTF8.self)
                if v4(cand) != nil {
                    for t in targets {
                        if prefix ? (cand + ".").hasPrefix(t.hasSuffix(".") ? t : t + ".") || cand == t : cand == t { return true }
                    }
                }
            }
            i = j + 1
        }
        return false
    }
}
