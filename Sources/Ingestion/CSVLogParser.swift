public import KQL
import Foundation

/// CSV logs, including Log Analytics portal exports: BOM, `Column [UTC]` headers, US-style times and
/// JSON text in dynamic cells. Custom tables get column types from a sample of the first 1,000 records.
public enum CSVLogParser {
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, into b: inout BatchBuilder, options: ParseOptions, handler: BatchHandler) throws {
        var r = CSVRecordReader(bytes)
        var fields: [CSVRecordReader.Field] = [], scratch: [UInt8] = []
        // Skip blank lines before the header.
        var headerLine = 0
        repeat {
            headerLine = r.line
            guard r.next(&fields, &scratch) else { return }
        } while fields.count == 1 && fields[0].start == fields[0].end
        var header = fields.map { r.string($0, scratch) }
        var dataStart = r.pos, dataLine = r.line
        if b.policy == .extensible, looksLikeData(header) {
            // A headerless feed: the first line is a record; columns are named as Kusto names them.
            header = header.indices.map { "Column\($0 + 1)" }
            r = CSVRecordReader(bytes)
            _ = r.pos
            dataStart = r.pos; dataLine = r.line
            b.diagnostics.add(RecordDiagnostic(source: b.source, line: headerLine, reason: "no header row; columns named Column1...Column\(header.count)"))
        }
        if b.policy == .extensible {
            // Types of new columns from a sample, not from one value.
            var sample: [[String]] = Array(repeating: [], count: header.count)
            var n = 0
            while n < 1000, r.next(&fields, &scratch) {
                for (i, f) in fields.enumerated() where i < header.count { sample[i].append(r.string(f, scratch)) }
                n += 1
            }
            for (i, h) in header.enumerated() where b.resolveExisting(h) == nil {
                let name = BatchBuilder.cleanName(h)
                b.declare(name, name == "TimeGenerated" ? .datetime : BatchBuilder.suffixType(name) ?? BatchBuilder.inferSample(sample[i]), alias: h)
            }
            r.pos = dataStart; r.line = dataLine
        }
        let target: [Int?] = header.map { b.resolve($0) }
        for (i, t) in target.enumerated() where t == nil { b.noteDropped(header[i]) }
        while true {
            let line = r.line
            guard r.next(&fields, &scratch) else { break }
            if fields.count == 1 && fields[0].start == fields[0].end && !fields[0].quoted { continue }
            b.beginRecord(line: line)
            if fields.count != header.count {
                b.diagnostics.add(RecordDiagnostic(source: b.source, line: line, reason: "\(fields.count) fields where the header has \(header.count)"))
            }
            for (i, f) in fields.enumerated() where i < target.count {
                guard let c = target[i] else { continue }
                r.withBytes(f, scratch) { b.set(c, $0, kind: .text) }
            }
            b.endRecord()
            b.position = r.pos
            try b.flushIfFull(options, handler)
        }
        if b.rows > 0 { try handler(&b) }
    }

    /// A first row of data rather than names: numbers, addresses or times where names would be.
    static func looksLikeData(_ row: [String]) -> Bool {
        row.contains { v in
            let t = BatchBuilder.inferText(v)
            return t == .long || t == .real || t == .datetime || v.split(separator: ".").count == 4 || v.contains("/") || v.contains(":")
        }
    }
}

extension BatchBuilder {
    /// The column of a name already in the schema, without adding one.
    func resolveExisting(_ raw: String) -> Int? {
        if let i = lookup[raw] { return i >= 0 ? i : nil }
        if let i = lookup[Self.cleanName(raw)], i >= 0 { return i }
        return nil
    }

    /// A header name without the export's time-zone decoration (`TimeGenerated [UTC]`).
    static func cleanName(_ raw: String) -> String {
        var name = raw.trimmingCharacters(in: .whitespaces)
        if let br = name.range(of: " ["), name.hasSuffix("]") { name = String(name[..<br.lowerBound]) }
        return name
    }
}
