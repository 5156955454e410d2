import Dispatch
import Synchronization

/// Per-part results concatenated on a thread of their own, while the caller works on the next part:
/// merging a hundred extents' dictionaries (every account of a month, once per extent) costs about as
/// much as filtering and summarizing them, so on two cores the two run side by side.
final class PartMerger: @unchecked Sendable {
    private let queue = DispatchQueue(label: "vigil.kql.part-merger")
    /// Touched only on `queue`.
    private var schema: Schema?
    private var merged: [ColumnAppender] = []
    private var rows = 0
    /// The first error of a part's work; later parts' work is skipped.
    private let failure = Mutex<(any Error)?>(nil)
    /// Parts whose work is queued or running: the caller waits for a slot, so it is never more than
    /// two parts ahead (each holds its part's columns).
    private let slots = DispatchSemaphore(value: 2)

    func add(_ t: Table) {
        queue.async { self.append(t) }
    }

    /// Runs `work` on the merger's thread after the parts added before it and adds its table, while the
    /// caller goes on with the next part (a streamed join's gathers and filter beside the next part's
    /// probe); `rowsBefore` is how many rows the parts before it added. Throws the error of an earlier part's work, so the caller stops scanning.
    func add(_ work: @escaping @Sendable (_ rowsBefore: Int) throws -> Table) throws {
        slots.wait()
        if let e = failure.withLock({ $0 }) { slots.signal(); throw e }
        queue.async {
            defer { self.slots.signal() }
            guard self.failure.withLock({ $0 == nil }) else { return }
            do { self.append(try work(self.rows)) } catch { self.failure.withLock { $0 = error } }
        }
    }

    private func append(_ t: Table) {
        if schema == nil { schema = t.schema; merged = t.schema.columns.map { ColumnAppender(type: $0.type) } }
        for (c, col) in t.columns.enumerated() { merged[c].append(col) }
        rows += t.count
    }

    /// The concatenation of every part added, nil when none was; the first part's error, if one failed.
    func finish() throws -> Table? {
        try queue.sync {
            if let e = failure.withLock({ $0 }) { throw e }
            guard let schema else { return nil }
            return Table(schema: schema, columns: merged.map { $0.finish() }, count: rows)
        }
    }
}
