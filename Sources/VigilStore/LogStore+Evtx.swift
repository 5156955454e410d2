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
    /// (every other channel), through the same typed JSON path as any other input.
    public func ingestEvtx(_ bytes: [UInt8], source: String, durability: Durability = .extent) throws -> EvtxSummary {
        let read = EvtxReader.read(bytes)
        let columns = Set(storageSchema(of: "SecurityEvent").columns.map(\.name))
        var summaries: [IngestSummary] = []
        for (table, lines) in EvtxTables.jsonLines(read.records, securityColumns: columns).sorted(by: { $0.key < $1.key }) {
            let data = Array(lines.utf8)
            summaries.append(try data.withUnsafeBufferPointer { try ingest($0, source: source, format: .json, table: table, durability: durability) })
        }
        return EvtxSummary(records: read.records.count, tables: summaries, problems: read.problems.map(\.description))
    }

    /// Whether a file is an EVTX log (by its signature).
    public static func isEvtx(path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 8)) == Data("ElfFile\0".utf8)
    }
}
