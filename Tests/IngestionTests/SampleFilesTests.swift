import Foundation
import Ingestion
import KQL
import Testing

/// Every file in the shared Sentinel samples either loads into its table or is rejected with a reason.
@Suite struct SampleFilesTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/sentinel-samples").standardized
    static let now = DateTimeParser.parse("2026-11-24T00:00:00Z")!

    struct Entry: Decodable { var file: String; var table: String; var format: String; var rows: Int }

    static func entries() throws -> [Entry] {
        try JSONDecoder().decode([Entry].self, from: Data(contentsOf: samples.appendingPathComponent("manifest.json")))
    }

    /// Loads one file the way `vigil ingest` does (table inferred unless given).
    static func load(_ file: String, table explicit: String? = nil) throws -> (table: String, rows: Int, diagnostics: DiagnosticLog, batches: [Table]) {
        let data = try Data(contentsOf: samples.appendingPathComponent(file))
        return try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let head = UnsafeBufferPointer(rebasing: bytes[0..<min(bytes.count, 65536)])
            guard let format = LogFormat.detect(name: file, head: head) else { throw IngestionError.unknownFormat(file) }
            let table = try Ingestor.resolveTable(explicit: explicit, format: format, source: file, head: head) { SchemaCatalog.builtIn[$0] != nil }
            let schema = SchemaCatalog.builtIn[table] ?? Schema([])
            let r = try Ingestor.parseAll(bytes, format: format, table: table, schema: schema,
                                          policy: SchemaCatalog.builtIn[table] != nil ? .fixed : .extensible, source: file, ingestionTime: now)
            return (table, r.batches.reduce(0) { $0 + $1.count }, r.diagnostics, r.batches)
        }
    }

    @Test func everySampleLoadsOrIsRejectedWithAReason() throws {
        var loaded: [String: Int] = [:], rejected: [String: String] = [:]
        for e in try Self.entries() {
            // Files whose rows name no table need one, as `vigil ingest --table` gives it.
            let known = e.table.hasPrefix("(") ? nil : e.table
            do {
                let r = try Self.load(e.file, table: known)
                loaded[e.file] = r.rows
                #expect(r.rows == e.rows, "\(e.file): \(r.rows) rows, manifest says \(e.rows)")
                if r.diagnostics.warnings > 0 { print("warnings \(e.file): \(r.diagnostics.warnings) e.g. \(r.diagnostics.items.prefix(2))") }
                if known != nil { #expect(r.table == known, "\(e.file)") }
                #expect(r.diagnostics.skippedRecords == 0, "\(e.file): \(r.diagnostics.items.prefix(3))")
            } catch {
                rejected[e.file] = "\(error)"
            }
        }
        for (f, n) in loaded.sorted(by: { $0.key < $1.key }) { print("loaded \(f): \(n)") }
        for (f, m) in rejected.sorted(by: { $0.key < $1.key }) { print("rejected \(f): \(m)") }
        #expect(loaded.count + rejected.count == 64)
        #expect(loaded.count == 45)
        // A rejected feed is a lookup list, not a log: named as a custom table, it loads.
        for f in rejected.keys {
            let name = f.split(separator: ".").first!.map { $0.isLetter || $0.isNumber ? $0 : "_" }
            let r = try Self.load(f, table: String(name) + "_CL")
            #expect(r.rows > 0, "\(f)")
            #expect(r.diagnostics.skippedRecords == 0, "\(f)")
        }
    }
}
