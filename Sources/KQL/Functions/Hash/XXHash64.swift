/// xxHash64 (seed 0), the hash Kusto's `hash()` and `hash_xxhash64()` use, written from the published
/// algorithm. Values hash as Kusto lays them out: strings as UTF-8, numbers and datetimes as 8
/// little-endian bytes (datetimes as .NET ticks since 0001-01-01).
enum XXHash64 {
    static let p1: UInt64 = 11_400_714_785_074_694_791
    static let p2: UInt64 = 14_029_467_366_897_019_727
    static let p3: UInt64 = 1_609_587_929_392_839_161
    static let p4: UInt64 = 9_650_029_242_287_828_579
    static let p5: UInt64 = 2_870_177_450_012_600_261

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 { rotl(acc &+ input &* p2, 31) &* p1 }
    @inline(__always) static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 { (acc ^ round(0, v)) &* p1 &+ p4 }

    static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { raw -> UInt64 in
            let n = raw.count
            func u64(_ i: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian }
            func u32(_ i: Int) -> UInt64 { UInt64(raw.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian) }
            var i = 0
            var h: UInt64
            if n >= 32 {
                var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
                while i + 32 <= n {
                    v1 = round(v1, u64(i)); v2 = round(v2, u64(i + 8)); v3 = round(v3, u64(i + 16)); v4 = round(v4, u64(i + 24))
                    i += 32
                }
                h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
                h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4)
            } else {
                h = seed &+ p5
            }
            h = h &+ UInt64(n)
            while i + 8 <= n { h ^= round(0, u64(i)); h = rotl(h, 27) &* p1 &+ p4; i += 8 }
            if i + 4 <= n { h ^= u32(i) &* p1; h = rotl(h, 23) &* p2 &+ p3; i += 4 }
            while i < n { h ^= UInt64(raw[i]) &* p5; h = rotl(h, 11) &* p1; i += 1 }
            h ^= h >> 33; h = h &* p2; h ^= h >> 29; h = h &* p3; h ^= h >> 32
            return h
        }
    }

    /// .NET ticks of 0001-01-01 to the Unix epoch.
    static let dotnetEpochTicks: Int64 = 621_355_968_000_000_000

    static func bytes(of v: Value) -> [UInt8] {
        func le(_ x: Int64) -> [UInt8] { withUnsafeBytes(of: x.littleEndian) { Array($0) } }
        switch v {
        case .null: return []
        case .string(let s): return Array(s.utf8)
        case .long(let x), .timespan(let x): return le(x)
        case .datetime(let x): return le(x &+ dotnetEpochTicks)
        case .real(let d): return withUnsafeBytes(of: d.bitPattern.littleEndian) { Array($0) }
        case .bool(let b): return [b ? 1 : 0]
        case .guid(let g): return GuidBytes.dotnet(g) ?? Array(g.utf8)
        case .array, .bag: return Array(v.jsonText.utf8)
        }
    }

    /// `hash(v [, mod])`: a non-negative value below `mod` when given.
    static func kusto(_ a: [Value]) -> Value {
        if a[0].isNull { return .null }
        let h = hash(bytes(of: a[0]))
        if a.count > 1 {
            guard let m = a[1].asInt64, m > 0 else { return .null }
            return .long(Int64(h % UInt64(m)))
        }
        return .long(Int64(bitPattern: h))
    }
}

/// A GUID's 16 bytes in .NET's layout (the first three fields little-endian), as Kusto stores them.
enum GuidBytes {
    static func dotnet(_ g: String) -> [UInt8]? {
        let hex = g.filter { $0 != "-" && $0 != "{" && $0 != "}" }
        guard hex.count == 32 else { return nil }
        var b: [UInt8] = []
        var it = hex.makeIterator()
        while let h = it.next(), let l = it.next() { guard let v = UInt8(String([h, l]), radix: 16) else { return nil }; b.append(v) }
        return [b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]] + b[8...]
    }

    static func string(_ b: [UInt8]) -> String? {
        guard b.count == 16 else { return nil }
        let o = [b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]] + b[8...]
        let h = o.map { let s = String($0, radix: 16); return s.count == 1 ? "0" + s : s }
        return h[0..<4].joined() + "-" + h[4..<6].joined() + "-" + h[6..<8].joined() + "-" + h[8..<10].joined() + "-" + h[10..<16].joined()
    }
}
