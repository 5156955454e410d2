import Dispatch

/// Runs independent pieces of work on all cores. Used where the work splits cleanly (columns of a
/// gather, chunks of a filter), never inside kernels that need an order.
enum Parallel {
    /// Work below this many row-operations runs inline: thread hand-off would cost more than it saves.
    static let threshold = 200_000

    /// Each index writes only its own slot, so sharing the buffer across threads is safe.
    private final class Slots<T>: @unchecked Sendable {
        var items: [T?]
        init(_ n: Int) { items = [T?](repeating: nil, count: n) }
    }

    static func map<T: Sendable>(_ n: Int, work: Int, _ f: @Sendable (Int) -> T) -> [T] {
        if n <= 1 || work < threshold { return (0..<n).map(f) }
        let slots = Slots<T>(n)
        slots.items.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let b = buf
            DispatchQueue.concurrentPerform(iterations: n) { i in b[i] = f(i) }
        }
        return slots.items.map { $0! }
    }
}
