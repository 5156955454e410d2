import KQL

/// Interns UTF-8 byte strings to dense codes without building a `String` for values already seen:
/// log columns repeat the same hosts, accounts and event names millions of times, and hashing the
/// bytes in place is several times cheaper than allocating a `String` per cell to look it up.
struct ByteDictionary {
    private(set) var values: [String] = []
    private var arena: [UInt8] = []
    private var starts: [Int] = []
    private var slots: [Int32]
    private var mask: Int

    init() {
        slots = [Int32](repeating: -1, count: 1024)
        mask = 1023
    }

    var count: Int { values.count }

    @inline(__always) static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 { ByteHash.hash(b) }

    /// The code of these bytes, adding them when new.
    mutating func code(_ b: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let h = Self.hash(b)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let k = slots[s]
            if k < 0 { break }
            if equal(Int(k), b) { return UInt32(k) }
            s = (s + 1) & mask
        }
        let k = Int32(values.count)
        starts.append(arena.count)
        arena.append(contentsOf: b)
        values.append(String(decoding: b, as: UTF8.self))
        slots[s] = k
        if values.count * 2 > mask { grow() }
        return UInt32(k)
    }

    mutating func code(_ s: String) -> UInt32 {
        var s = s
        return s.withUTF8 { code($0) }
    }

    @inline(__always) private func equal(_ k: Int, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[k]
        let end = k + 1 < starts.count ? starts[k + 1] : arena.count
        guard end - start == b.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            b.count == 0 || memcmpBytes(a.baseAddress! + start, b.baseAddress!, b.count)
        }
    }

    private mutating func grow() {
        let size = (mask + 1) * 2
        var fresh = [Int32](repeating: -1, count: size)
        let m = size - 1
        arena.withUnsafeBufferPointer { a in
            for k in 0..<values.count {
                let start = starts[k], end = k + 1 < starts.count ? starts[k + 1] : a.count
                var s = Int(truncatingIfNeeded: Self.hash(UnsafeBufferPointer(rebasing: a[start..<end]))) & m
                while fresh[s] >= 0 { s = (s + 1) & m }
                fresh[s] = Int32(k)
            }
        }
        slots = fresh
        mask = m
    }
}

@inline(__always) func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < n { if a[i] != b[i] { return false }; i += 1 }
    return true
}
