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

    /// Maps row ranges of `0..<n` in parallel chunks and concatenates the results in order.
    static func chunkedMap<T: Sendable>(_ n: Int, work: Int? = nil, _ f: @Sendable (Range<Int>) -> [T]) -> [T] {
        let w = work ?? n
        guard w >= threshold, n > 1 else { return f(0..<n) }
        let parts = 2
        let size = (n + parts - 1) / parts
        let chunks = map(parts, work: w) { i in f(min(n, i * size)..<min(n, (i + 1) * size)) }
        if chunks.count == 1 { return chunks[0] }
        var out = chunks[0]
        out.reserveCapacity(n)
        for c in chunks.dropFirst() { out.append(contentsOf: c) }
        return out
    }
}
