import Foundation
import Ingestion
import KQL

extension LogStore {
    /// What one .evtx file became: a summary per table written, and the damaged chunks and records
    /// that were skipped (each with its file offset).
    public struct EvtxSummary: Sendable {
        public var records: Int
        public var tables: [IngestSummary]
        public var problems: [String]
    }

    /// A Windows event log file into SecurityEvent (the Security channel) and Event + WindowsEvent
    /// (every other channel), each table's rows typed by its schema and stored in batches of
    /// `ingest.batchRows`.
    public func ingestEvtx(_ bytes: [UInt8], source: String, durability: Durability = .extent) throws -> EvtxSummary {
        let started = Date(), now = clock()
        var batches = EvtxTables.Batches { table in
            BatchBuilder(table: table, schema: storageSchema(of: table), policy: policy(for: table), source: source, ingestionTime: now)
        }
        var accepted: [String: Int] = [:], log: [String: DiagnosticLog] = [:]
        var failure: (any Error)?
        func flush(_ b: inout BatchBuilder) throws {
            guard b.rows > 0 else { return }
            accepted[b.table, default: 0] += try commit(&b, durability: durability, sealWhenDue: false, log: &log[b.table, default: DiagnosticLog()])
        }
        let limit = workspace.config.ingest.batchRows
        var mapper = EvtxMapper()
        let (records, problems) = mapper.map(bytes, into: &batches) { batches in
            guard failure == nil else { return }
            do {
                if batches.security.rows >= limit { try flush(&batches.security) }
                if batches.event.rows >= limit { try flush(&batches.event); try flush(&batches.windows) }
            } catch { failure = error }
        }
        if let failure { throw failure }
        try flush(&batches.security); try flush(&batches.event); try flush(&batches.windows)
        if durability == .writeAhead { try? seal() }
        let secs = Date().timeIntervalSince(started)
        let summaries = accepted.keys.sorted().map { t in
            recordIngest(source: source, table: t, format: .json, accepted: accepted[t] ?? 0, log: log[t] ?? DiagnosticLog(), at: now, seconds: secs)
        }
        return EvtxSummary(records: records, tables: summaries, problems: problems.map(\.description))
    }

    /// Whether a file is an EVTX log (by its signature).
    public static func isEvtx(path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 8)) == Data("ElfFile\0".utf8)
    }
}
