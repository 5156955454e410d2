import Dispatch

/// Per-part results concatenated on a thread of their own, while the caller works on the next part:
/// merging a hundred extents' dictionaries (every account of a month, once per extent) costs about as
/// much as filtering and summarizing them, so on two cores the two run side by side.
final class PartMerger: @unchecked Sendable {
    private let queue = DispatchQueue(label: "vigil.kql.part-merger")
    /// Touched only on `queue`.
    private var schema: Schema?
    private var merged: [ColumnAppender] = []
    private var rows = 0

    func add(_ t: Table) {
        queue.async {
            if self.schema == nil { self.schema = t.schema; self.merged = t.schema.columns.map { ColumnAppender(type: $0.type) } }
            for (c, col) in t.columns.enumerated() { self.merged[c].append(col) }
            self.rows += t.count
        }
    }

    /// The concatenation of every part added, nil when none was.
    func finish() -> Table? {
        queue.sync {
            guard let schema else { return nil }
            return Table(schema: schema, columns: merged.map { $0.finish() }, count: rows)
        }
    }
}
