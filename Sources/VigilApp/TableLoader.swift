public import Foundation
import Ingestion
public import KQL

/// Loads a CSV or JSON file into a typed table for `vigil query --table` and the benchmark, with the
/// store's parsers: types come from the schema when the table is known, else are inferred per
/// column. Only the file's own columns are kept. Bad cells become nulls and are reported.
public enum TableLoader {
    public struct Report: Sendable {
        public var rows: Int
        public var problems: [String]
    }

    /// The column names of a CSV file's header line. Read as bytes: a CRLF file's "\r\n" is one
    /// Swift Character, so a Character scan for "\n" never stops and swallows the whole file.
    public static func csvHeader(path: String) throws -> [String] {
        let h = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? h.close() }
        let head = try h.read(upToCount: 1 << 16) ?? Data()
        let line = head.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        return String(decoding: line, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"\r\u{FEFF} ")) }
    }

    public static func load(path: String, table: String, schema known: Schema?) throws -> (Table, Report) {
        // Mapped, not read: a multi-gigabyte export is parsed in place without a second copy, and the
        // pages already parsed are handed back as the parse goes, so peak memory is the table plus a
        // window of the file rather than the table plus the whole file.
        let file = try MappedFile(path: path)
        defer { file.close() }
        let bytes = file.bytes
        let head = UnsafeBufferPointer(rebasing: bytes[0..<min(bytes.count, 1 << 16)])
        let format: LogFormat = LogFormat.detect(name: path, head: head) == .json ? .json : .csv
        var b = BatchBuilder(table: table, schema: known ?? Schema([]), policy: .extensible, source: path, ingestionTime: 0, stampsSystemColumns: false)
        var released = 0
        // The handler keeps the rows (one table is wanted, not batches): past `batchRows` it is called
        // after every record, and releases the parsed prefix of the file every 32 MB.
        try Ingestor.parse(bytes, format: format, into: &b, options: ParseOptions(batchRows: 1 << 16, referenceTime: 0)) { bb in
            if bb.position - released >= 32 << 20 { released = file.release(upTo: bb.position) }
        }
        var log = DiagnosticLog(cap: 50)
        log.merge(b.diagnostics)
        let t = b.rows > 0 ? b.finish() : Table.empty(Schema([]))
        return (t, Report(rows: t.count, problems: log.items.map(\.description)))
    }
}
