import KQL
import Synchronization

/// Zero-filled buffers of one length, made on first use and shared (copy-on-write) by every null
/// column of that length.
enum NullBuffers {
    private struct Key: Hashable { var kind: UInt8; var n: Int }
    private static let cache = Mutex<[Key: any Sendable]>([:])

    private static func get<T: Sendable>(_ kind: UInt8, _ n: Int, _ make: () -> T) -> T {
        cache.withLock { c in
            if let b = c[Key(kind: kind, n: n)] as? T { return b }
            // A handful of lengths are live at a time (one per extent and batch size); drop the rest.
            if c.count > 64 { c.removeAll() }
            let b = make()
            c[Key(kind: kind, n: n)] = b
            return b
        }
    }

    static func codes(_ n: Int) -> [UInt32] { get(0, n) { [UInt32](repeating: 0, count: n) } }
    static func ints(_ n: Int) -> [Int64] { get(1, n) { [Int64](repeating: 0, count: n) } }
    static func doubles(_ n: Int) -> [Double] { get(2, n) { [Double](repeating: 0, count: n) } }
    static func falses(_ n: Int) -> [Bool] { get(3, n) { [Bool](repeating: false, count: n) } }
    static func trues(_ n: Int) -> [Bool] { get(4, n) { [Bool](repeating: true, count: n) } }
    static func values(_ n: Int) -> [Value] { get(5, n) { [Value](repeating: .null, count: n) } }
    /// 0, 1, ..., n-1: the row numbers of a part, for late materialisation.
    static func rowNumbers(_ n: Int) -> [Int64] { get(6, n) { (0..<Int64(n)).map { $0 } } }
}
