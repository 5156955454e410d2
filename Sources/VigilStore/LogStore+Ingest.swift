public import Foundation
public import Ingestion
public import KQL
import GRDB
import Metrics

extension LogStore {
    /// The outcome of one ingested input.
    public struct IngestSummary: Sendable {
        public var source: String
        public var table: String
        public var format: LogFormat
        public var accepted: Int
        public var skipped: Int
        public var warnings: Int
        public var diagnostics: [RecordDiagnostic]
        public var seconds: Double
        public var rowsPerSecond: Double { seconds > 0 ? Double(accepted) / seconds : 0 }
    }

    /// How parsed batches become durable: whole extents (files), or write-ahead batches (small,
    /// frequent inputs such as HTTP requests and syslog bursts).
    public enum Durability: Sendable { case extent, writeAhead }

    /// Parses an input and stores every batch durably; returns once all of it is acknowledged.
    /// `progress` is called after each durable batch with the rows so far and the percent parsed.
    /// One bad record is reported in the summary and skipped; the rest of its batch lands.
    public func ingest(_ bytes: UnsafeBufferPointer<UInt8>, source: String, format explicitFormat: LogFormat? = nil, table explicitTable: String? = nil,
                       durability: Durability = .extent, batchRows: Int? = nil, senderIP: String? = nil, sealWhenDue: Bool = true,
                       progress: ((Int, Int) -> Void)? = nil) throws -> IngestSummary {
        let started = Date()
        let head = UnsafeBufferPointer(rebasing: bytes[0..<min(bytes.count, 1 << 16)])
        guard let format = explicitFormat ?? LogFormat.detect(name: source, head: head) else {
            throw IngestionError.unknownFormat("\(source): cannot tell the format from the name or content; pass --format json|csv|syslog|cef|w3c")
        }
        let table = try Ingestor.resolveTable(explicit: explicitTable, format: format, source: source, head: head) { self.isBuiltIn($0) }
        let now = clock()
        var builder = BatchBuilder(table: table, schema: storageSchema(of: table), policy: policy(for: table), source: source, ingestionTime: now)
        builder.warnsDroppedFields = isDeclared(table)
        var log = DiagnosticLog()
        var accepted = 0
        let options = ParseOptions(batchRows: batchRows ?? workspace.config.ingest.batchRows, referenceTime: now)
        try Ingestor.parse(bytes, format: format, into: &builder, options: options, senderIP: senderIP) { b in
            accepted += try self.commit(&b, durability: durability, sealWhenDue: sealWhenDue, log: &log)
            // Only now is the batch acknowledged: it is on disk and in the catalog.
            progress?(accepted, bytes.isEmpty ? 100 : b.position * 100 / bytes.count)
        }
        log.merge(builder.diagnostics)
        return recordIngest(source: source, table: table, format: format, accepted: accepted, log: log, at: now, seconds: Date().timeIntervalSince(started))
    }

    /// Stores a builder's batch durably and starts its next one: the rows stored.
    func commit(_ b: inout BatchBuilder, durability: Durability, sealWhenDue: Bool, log: inout DiagnosticLog) throws -> Int {
        let added = b.addedColumns
        let batch = b.finish()
        log.merge(b.diagnostics)
        b.reset()
        switch durability {
        case .extent: try writeExtent(table: b.table, batch: batch, addedColumns: added)
        case .writeAhead:
            try appendWAL(table: b.table, batch: batch, addedColumns: added)
            // The batch is already durable: a failed seal must not turn its acknowledgement into an
            // error (a retry would duplicate it); the batches wait for the next seal.
            if sealWhenDue { try? seal() }
        }
        return batch.count
    }

    /// An input's outcome in the ingest log and the metrics, as its summary.
    func recordIngest(source: String, table: String, format: LogFormat, accepted: Int, log: DiagnosticLog, at now: Int64, seconds secs: Double) -> IngestSummary {
        try? db.pool.write { db in
            try db.execute(sql: "INSERT INTO ingest_log (source, table_name, format, accepted, skipped, warnings, at, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           arguments: [source, table, format.rawValue, accepted, log.skippedRecords, log.warnings, now, Int(secs * 1000)])
        }
        Counter(label: "vigil_ingest_rows_total", dimensions: [("table", table)]).increment(by: accepted)
        if log.skippedRecords > 0 { Counter(label: "vigil_ingest_rejected_total", dimensions: [("table", table)]).increment(by: log.skippedRecords) }
        return IngestSummary(source: source, table: table, format: format, accepted: accepted, skipped: log.skippedRecords, warnings: log.warnings,
                             diagnostics: log.items, seconds: secs)
    }

    /// Ingests a file, memory-mapped so that a multi-gigabyte export is parsed in place.
    public func ingestFile(_ path: String, format: LogFormat? = nil, table: String? = nil, durability: Durability = .extent, batchRows: Int? = nil,
                           progress: ((Int, Int) -> Void)? = nil) throws -> IngestSummary {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw StoreError.io("cannot read \(path): \(error.localizedDescription)")
        }
        guard !data.isEmpty else { throw IngestionError.empty("\(path) is empty") }
        return try data.withUnsafeBytes { raw in
            try ingest(raw.bindMemory(to: UInt8.self), source: path, format: format, table: table, durability: durability, batchRows: batchRows, progress: progress)
        }
    }
}
