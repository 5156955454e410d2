/// Maps strings to dense codes with a fast byte hash and open addressing: merging the dictionaries
/// of many extents hashes millions of strings, where `Dictionary`'s SipHash dominated the profile.
public struct StringInterner: Sendable {
    public private(set) var values: [String] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int

    public init(capacity: Int = 0) {
        var size = 64
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        values.reserveCapacity(capacity)
        hashes.reserveCapacity(capacity)
    }

    public var count: Int { values.count }

    @inline(__always) static func hash(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8 { ByteHash.hash($0) }
    }

    /// Where `s` is or would go: its slot, and its code (-1 when absent).
    @inline(__always) private func probe(_ s: String, _ h: UInt64) -> (slot: Int, code: Int32) {
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let k = slots[i]
            if k < 0 || (hashes[Int(k)] == h && values[Int(k)] == s) { return (i, k) }
            i = (i + 1) & mask
        }
    }

    /// The code of `s`, or nil when it was never added.
    public func existingCode(_ s: String) -> UInt32? {
        let k = probe(s, Self.hash(s)).code
        return k < 0 ? nil : UInt32(k)
    }

    /// The code of `s`, adding it when new.
    public mutating func code(_ s: String) -> UInt32 {
        let h = Self.hash(s)
        let (i, found) = probe(s, h)
        if found >= 0 { return UInt32(found) }
        let k = Int32(values.count)
        values.append(s)
        hashes.append(h)
        slots[i] = k
        if values.count * 2 > mask { grow() }
        return UInt32(k)
    }

    private mutating func grow() {
        let size = (mask + 1) * 2
        var fresh = [Int32](repeating: -1, count: size)
        let m = size - 1
        for (k, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h) & m
            while fresh[i] >= 0 { i = (i + 1) & m }
            fresh[i] = Int32(k)
        }
        slots = fresh
        mask = m
    }
}

/// A fast non-cryptographic hash of bytes (FNV-style, eight bytes a step) for the engine's and the
/// ingestion's open-addressing dictionaries.
public enum ByteHash {
    @inline(__always) public static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var i = 0
        let n = b.count
        if let base = b.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01b3
                h ^= h >> 29
                i += 8
            }
        }
        while i < n { h = (h ^ UInt64(b[i])) &* 0x0000_0100_0000_01b3; i += 1 }
        return h ^ (h >> 32) ^ UInt64(n)
    }
}

extension StringInterner {
    /// Whether a string column is mostly distinct from the start (rendered event data, command lines,
    /// each event's own bag), judged once after its first 4,096 values: not worth a dictionary, nor
    /// hashing long values to find out. Nearly every value must be new: a month of sign-ins has 20,000
    /// accounts and 30,000 addresses, half of them new in the first 4,096 rows, and belongs in a
    /// dictionary (judged at half, such columns were stored plain and a 100M-row `dcount` took 13 GB).
    /// Ingest's builders and the extent codec judge by this one rule.
    public static let judgedAfter = 4_096
    public static func mostlyDistinct(rows: Int, distinct: Int) -> Bool { rows == judgedAfter && distinct > 3_900 }
}
