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
        // Mapped, not read: a multi-gigabyte export is parsed in place without a second copy.
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        return try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let head = UnsafeBufferPointer(rebasing: bytes[0..<min(bytes.count, 1 << 16)])
            let format: LogFormat = LogFormat.detect(name: path, head: head) == .json ? .json : .csv
            var b = BatchBuilder(table: table, schema: known ?? Schema([]), policy: .extensible, source: path, ingestionTime: 0, stampsSystemColumns: false)
            var out: Table?
            var log = DiagnosticLog(cap: 50)
            try Ingestor.parse(bytes, format: format, into: &b, options: ParseOptions(batchRows: Int.max, referenceTime: 0)) { bb in
                out = bb.finish()
                log.merge(bb.diagnostics)
                bb.reset()
            }
            log.merge(b.diagnostics)
            let t = out ?? Table.empty(Schema([]))
            return (t, Report(rows: t.count, problems: log.items.map(\.description)))
        }
    }
}
