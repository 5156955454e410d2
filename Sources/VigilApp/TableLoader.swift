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
