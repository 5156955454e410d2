public import KQL
import Foundation

/// The pure entry point of ingestion: decides the format and table of an input, then parses it into
/// batches typed by the table's schema. Reading files and storing batches are the caller's.
public enum Ingestor {
    /// The table an input belongs to: the one named, the one its format implies, the `Type` its first
    /// record carries, or the file's name when that is a table name.
    public static func resolveTable(explicit: String?, format: LogFormat, source: String, head: UnsafeBufferPointer<UInt8>,
                                    isBuiltIn: (String) -> Bool) throws -> String {
        if let t = explicit { return try validate(t, isBuiltIn: isBuiltIn) }
        switch format {
        case .cef: return "CommonSecurityLog"
        case .syslog: return "Syslog"
        case .w3c: return "W3CIISLog"
        case .json, .csv: break
        }
        if let t = peekType(format: format, head: head), isBuiltIn(t) || isCustomName(t) { return t }
        let stem = ((source as NSString).lastPathComponent as NSString).deletingPathExtension
        if isBuiltIn(stem) || isCustomName(stem) { return stem }
        throw IngestionError.unknownTable("\(source): cannot tell which table this is (no Type column naming a table, and '\(stem)' is not a table name); pass --table NAME, e.g. --table \(sanitize(stem))_CL")
    }

    public static func validate(_ t: String, isBuiltIn: (String) -> Bool) throws -> String {
        if isBuiltIn(t) || isCustomName(t) { return t }
        throw IngestionError.invalidTableName("'\(t)' is not a Sentinel table, and custom table names end in _CL (e.g. \(sanitize(t))_CL)")
    }

    /// `Name_CL`: a letter first, then letters, digits and underscores.
    public static func isCustomName(_ t: String) -> Bool {
        guard t.hasSuffix("_CL"), t.count > 3, let f = t.unicodeScalars.first, CharacterSet.letters.contains(f) else { return false }
        return t.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" } && t.unicodeScalars.allSatisfy(\.isASCII)
    }

    static func sanitize(_ s: String) -> String {
        let cleaned = String(s.unicodeScalars.map { $0.isASCII && CharacterSet.alphanumerics.contains($0) ? Character($0) : "_" })
        return cleaned.first?.isLetter == true ? cleaned : "T" + cleaned
    }

    /// The value of a `Type` field in the first record, if any.
    static func peekType(format: LogFormat, head: UnsafeBufferPointer<UInt8>) -> String? {
        switch format {
        case .csv:
            var r = CSVRecordReader(head)
            var f: [CSVRecordReader.Field] = [], scratch: [UInt8] = []
            guard r.next(&f, &scratch) else { return nil }
            let header = f.map { BatchBuilder.cleanName(r.string($0, scratch)) }
            guard let ti = header.firstIndex(of: "Type"), r.next(&f, &scratch), ti < f.count else { return nil }
            return r.string(f[ti], scratch)
        case .json:
            var s = JSONRecordScanner(head)
            if head.count >= 3 && head[0] == 0xEF { s.pos = 3 }
            s.skipSpace()
            if s.peek == UInt8(ascii: "[") { s.pos += 1; s.skipSpace() }
            var f: [JSONRecordScanner.Field] = [], scratch: [UInt8] = []
            guard s.peek == UInt8(ascii: "{") else { return nil }
            var probe = s
            guard probe.object(&f, &scratch) else { return nil }
            if f.count == 1, f[0].kind == .json {
                // `{"table": [ {...} ]}`
                var inner = JSONRecordScanner(head, from: f[0].valStart + 1, to: f[0].valEnd)
                inner.skipSpace()
                guard inner.object(&f, &scratch) else { return nil }
            }
            for x in f {
                let key = x.keyInScratch ? String(decoding: scratch[x.keyStart..<x.keyEnd], as: UTF8.self) : String(decoding: head[x.keyStart..<x.keyEnd], as: UTF8.self)
                if key == "Type" {
                    return x.valInScratch ? String(decoding: scratch[x.valStart..<x.valEnd], as: UTF8.self) : String(decoding: head[x.valStart..<x.valEnd], as: UTF8.self)
                }
            }
            return nil
        default: return nil
        }
    }

    /// Parses a whole input into `builder`, calling `handler` for each full batch and the last one.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, format: LogFormat, into builder: inout BatchBuilder,
                             options: ParseOptions, senderIP: String? = nil, handler: BatchHandler) throws {
        switch format {
        case .json: try JSONLogParser.parse(bytes, into: &builder, options: options, handler: handler)
        case .csv: try CSVLogParser.parse(bytes, into: &builder, options: options, handler: handler)
        case .syslog: try SyslogLogParser.parse(bytes, into: &builder, options: options, senderIP: senderIP, handler: handler)
        case .cef: try CEFLogParser.parse(bytes, into: &builder, options: options, senderIP: senderIP, handler: handler)
        case .w3c: try W3CLogParser.parse(bytes, into: &builder, options: options, handler: handler)
        }
    }

    /// Convenience for small inputs (tests, HTTP bodies): every batch collected, with all diagnostics.
    public static func parseAll(_ bytes: UnsafeBufferPointer<UInt8>, format: LogFormat, table: String, schema: Schema,
                                policy: BatchBuilder.ColumnPolicy, source: String, ingestionTime: Int64,
                                batchRows: Int = 1_000_000) throws -> (batches: [Table], builder: BatchBuilder, diagnostics: DiagnosticLog) {
        var b = BatchBuilder(table: table, schema: schema, policy: policy, source: source, ingestionTime: ingestionTime)
        var out: [Table] = []
        var log = DiagnosticLog()
        try parse(bytes, format: format, into: &b, options: ParseOptions(batchRows: batchRows, referenceTime: ingestionTime)) { bb in
            out.append(bb.finish())
            log.merge(bb.diagnostics)
            bb.reset()
        }
        log.merge(b.diagnostics)
        return (out, b, log)
    }
}
