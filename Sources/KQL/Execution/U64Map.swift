/// Open-addressing hash map from 64-bit keys to dense Int32 ids: the hot inner structure of grouping,
/// distinct counting and joins. Swift's Dictionary hashes with seeded SipHash, several times slower here.
struct U64Map {
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        values = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    @inline(__always) static func slot(_ k: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The id of `k`, assigning the next dense id (`count`) when it is new.
    @inline(__always) mutating func id(_ k: UInt64) -> Int32 {
        var i = U64Map.slot(k, mask)
        while true {
            let v = values[i]
            if v < 0 {
                let id = Int32(count)
                keys[i] = k
                values[i] = id
                count += 1
                if count * 2 > mask { grow() }
                return id
            }
            if keys[i] == k { return v }
            i = (i + 1) & mask
        }
    }

    /// Inserts `k`; returns true when it was not present.
    @inline(__always) mutating func insert(_ k: UInt64) -> Bool {
        let before = count
        _ = id(k)
        return count > before
    }

    @inline(__always) func get(_ k: UInt64) -> Int32? {
        var i = U64Map.slot(k, mask)
        while true {
            let v = values[i]
            if v < 0 { return nil }
            if keys[i] == k { return v }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        let size = (mask + 1) * 2
        keys = [UInt64](repeating: 0, count: size)
        values = [Int32](repeating: -1, count: size)
        mask = size - 1
        for j in 0..<oldValues.count where oldValues[j] >= 0 {
            var i = U64Map.slot(oldKeys[j], mask)
            while values[i] >= 0 { i = (i + 1) & mask }
            keys[i] = oldKeys[j]
            values[i] = oldValues[j]
        }
    }
}
