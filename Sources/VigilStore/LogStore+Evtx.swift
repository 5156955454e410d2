import Foundation
import Synchronization
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
    /// `ingest.batchRows` (or of `evtxPartBytes` of the file, whichever comes first: EVTX rows are
    /// wide). Chunks are self-contained (their own strings and templates), so the file is read in
    /// one part per core, each part mapping and storing its own batches.
    public func ingestEvtx(_ bytes: [UInt8], source: String, durability: Durability = .extent, parts: Int? = nil) throws -> EvtxSummary {
        let started = Date(), now = clock()
        let chunks = EvtxReader.chunkCount(bytes)
        // A part is worth a thread from 64 chunks (4 MB) on, unless the caller asks for parts.
        let n = max(1, parts.map { min($0, chunks) } ?? min(ProcessInfo.processInfo.activeProcessorCount, chunks / 64))
        let results = Mutex<[EvtxPart]>([])
        DispatchQueue.concurrentPerform(iterations: n) { p in
            let part = ingestEvtxPart(bytes, chunks: (chunks * p / n)..<(chunks * (p + 1) / n), whole: chunks == 0, source: source, durability: durability, now: now)
            results.withLock { $0.append(part) }
        }
        let done = results.withLock { $0 }
        // A batch stored by one part stays stored when another fails: like a file ingest that stops
        // half-way, the error says so and what landed is in the catalog.
        if let failure = done.lazy.compactMap(\.failure).first { throw failure }
        if durability == .writeAhead { _ = try? seal() }
        var accepted: [String: Int] = [:], log: [String: DiagnosticLog] = [:]
        for part in done {
            for (t, k) in part.accepted { accepted[t, default: 0] += k }
            for (t, l) in part.log { log[t, default: DiagnosticLog()].merge(l) }
        }
        let secs = Date().timeIntervalSince(started)
        let summaries = accepted.keys.sorted().map { t in
            recordIngest(source: source, table: t, format: .json, accepted: accepted[t] ?? 0, log: log[t] ?? DiagnosticLog(), at: now, seconds: secs)
        }
        let problems = done.flatMap(\.problems).sorted { $0.offset < $1.offset }
        return EvtxSummary(records: done.reduce(0) { $0 + $1.records }, tables: summaries, problems: problems.map(\.description))
    }

    /// A file part's batches are flushed once they hold this much of the file (about 150 MB of rows).
    static let evtxPartBytes = 96 << 20

    struct EvtxPart: @unchecked Sendable {
        var records = 0
        var problems: [EvtxReader.Problem] = []
        var accepted: [String: Int] = [:]
        var log: [String: DiagnosticLog] = [:]
        var failure: (any Error)?
    }

    /// One part of a file (`chunks`; the whole input when it is not EVTX, for its error) mapped and
    /// stored.
    func ingestEvtxPart(_ bytes: [UInt8], chunks: Range<Int>, whole: Bool, source: String, durability: Durability, now: Int64) -> EvtxPart {
        var part = EvtxPart()
        var batches = EvtxTables.Batches { table in
            var b = BatchBuilder(table: table, schema: storageSchema(of: table), policy: policy(for: table), source: source, ingestionTime: now)
            b.keepsJSONText = true
            return b
        }
        func flush(_ b: inout BatchBuilder) throws {
            guard b.rows > 0 else { return }
            part.accepted[b.table, default: 0] += try commit(&b, durability: durability, sealWhenDue: false, log: &part.log[b.table, default: DiagnosticLog()])
        }
        func flushAll(_ b: inout EvtxTables.Batches) throws { try flush(&b.security); try flush(&b.event); try flush(&b.windows) }
        let limit = workspace.config.ingest.batchRows
        var mapper = EvtxMapper()
        var batchStart = -1, mapped = 0
        (part.records, part.problems) = mapper.map(bytes, chunks: whole ? nil : chunks, into: &batches) { batches, position in
            guard part.failure == nil else { return }
            mapped += 1
            do {
                if batches.security.rows >= limit { try flush(&batches.security) }
                if batches.event.rows >= limit { try flush(&batches.event); try flush(&batches.windows) }
                // Every 1,024 events, whether the part's rows have grown past their bytes' budget.
                if batchStart < 0 { batchStart = position }
                if mapped & 1023 == 0, position - batchStart >= Self.evtxPartBytes {
                    batchStart = position
                    try flushAll(&batches)
                }
            } catch { part.failure = error }
        }
        guard part.failure == nil else { return part }
        do { try flushAll(&batches) } catch { part.failure = error }
        return part
    }

    /// Whether a file is an EVTX log (by its signature).
    public static func isEvtx(path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 8)) == Data("ElfFile\0".utf8)
    }
}
