/// Called whenever a parser has filled a batch (and once at the end): the handler takes the rows
/// with `builder.finish()` and calls `builder.reset()`, so a multi-gigabyte file streams in bounded memory.
public typealias BatchHandler = (inout BatchBuilder) throws -> Void

/// What every parser shares.
public struct ParseOptions: Sendable {
    /// Rows per batch handed to the store.
    public var batchRows: Int
    /// The year of RFC 3164 timestamps, which carry none (the ingestion year, corrected for year turns).
    public var referenceTime: Int64
    public init(batchRows: Int = 1_000_000, referenceTime: Int64) {
        self.batchRows = batchRows; self.referenceTime = referenceTime
    }
}

extension BatchBuilder {
    /// Starts the next batch with the same columns (including those added so far) and no rows.
    public mutating func reset() {
        appenders = Array(repeating: nil, count: columns.count)
        lastSet = Array(repeating: -1, count: columns.count)
        active = []
        rows = 0
        addedColumns = []
        diagnostics = DiagnosticLog(cap: diagnostics.cap)
    }

    /// Flushes through `handler` when the batch is full.
    @inline(__always) mutating func flushIfFull(_ options: ParseOptions, _ handler: BatchHandler) throws {
        if rows >= options.batchRows { try handler(&self) }
    }
}
