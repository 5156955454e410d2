import Foundation
import KQL

/// Streams CSV bytes straight into typed column buffers: no per-record dictionaries, strings
/// dictionary-encoded as they are read, ISO datetimes parsed from bytes. Handles RFC 4180 quoting,
/// a UTF-8 BOM and Log Analytics export headers (`TimeGenerated [UTC]`).
struct CSVLoader {
    /// The file's bytes, borrowed from a (memory-mapped) Data for the duration of `load`.
    let bytes: UnsafeBufferPointer<UInt8>
    var pos = 0

    init(_ b: UnsafeBufferPointer<UInt8>) {
        bytes = b
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { pos = 3 }
    }

    /// Reads one record's fields as byte ranges into `fields` (reused); false at end of input.
    /// Quoted fields with doubled quotes are unescaped into `scratch`, and their range points there.
    mutating func nextRecord(_ fields: inout [Field], _ scratch: inout [UInt8]) -> Bool {
        fields.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        guard pos < bytes.count else { return false }
        let b = bytes
        while true {
            if pos < b.count && b[pos] == UInt8(ascii: "\"") {
                pos += 1
                let start = pos
                var escaped = false
                while pos < b.count {
                    if b[pos] == UInt8(ascii: "\"") {
                        if pos + 1 < b.count && b[pos + 1] == UInt8(ascii: "\"") { escaped = true; pos += 2; continue }
                        break
                    }
                    pos += 1
                }
                if escaped {
                    let s = scratch.count
                    var i = start
                    while i < pos { scratch.append(b[i]); i += b[i] == UInt8(ascii: "\"") ? 2 : 1 }
                    fields.append(Field(start: s, end: scratch.count, inScratch: true, quoted: true))
                } else {
                    fields.append(Field(start: start, end: pos, inScratch: false, quoted: true))
                }
                pos += 1
                while pos < b.count && b[pos] != UInt8(ascii: ",") && b[pos] != 10 && b[pos] != 13 { pos += 1 }
            } else {
                let start = pos
                while pos < b.count && b[pos] != UInt8(ascii: ",") && b[pos] != 10 && b[pos] != 13 { pos += 1 }
                fields.append(Field(start: start, end: pos, inScratch: false, quoted: false))
            }
            if pos >= b.count { return true }
            if b[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if b[pos] == 13 { pos += 1 }
            if pos < b.count && b[pos] == 10 { pos += 1 }
            return true
        }
    }

    struct Field {
        var start: Int
        var end: Int
        var inScratch: Bool
        var quoted: Bool
    }

    func string(_ f: Field, _ scratch: [UInt8]) -> String {
        f.inScratch ? String(decoding: scratch[f.start..<f.end], as: UTF8.self) : String(decoding: bytes[f.start..<f.end], as: UTF8.self)
    }

    /// Loads the whole file: header, then every record, typed by `known` or by inference on a sample.
    static func load(_ data: Data, known: Schema?, path: String, problems: inout [String]) -> Table {
        data.withUnsafeBytes { raw in load(raw.bindMemory(to: UInt8.self), known: known, path: path, problems: &problems) }
    }

    static func load(_ buffer: UnsafeBufferPointer<UInt8>, known: Schema?, path: String, problems: inout [String]) -> Table {
        var r = CSVLoader(buffer)
        var fields: [Field] = [], scratch: [UInt8] = []
        guard r.nextRecord(&fields, &scratch) else { return Table.empty(known ?? Schema([])) }
        let header = fields.map { f -> String in
            var n = r.string(f, scratch).trimmingCharacters(in: .whitespaces)
            if let br = n.range(of: " [") { n = String(n[..<br.lowerBound]) }
            return n
        }
        // Sample for inference of columns the schema does not declare.
        let sampleStart = r.pos
        var sample: [[String]] = []
        while sample.count < 1000, r.nextRecord(&fields, &scratch) { sample.append(fields.map { r.string($0, scratch) }) }
        r.pos = sampleStart
        // Catalog columns the file does not have are left out: a 10M-row sample of a 200-column
        // Sentinel table would otherwise allocate gigabytes of nulls. (The store keeps full schemas.)
        var columns = (known?.columns ?? []).filter { header.contains($0.name) }
        for (i, h) in header.enumerated() where !columns.contains(where: { $0.name == h }) {
            columns.append(ColumnSchema(h, TableLoader.infer(sample.map { i < $0.count ? .string($0[i]) : .null })))
        }
        let fieldOf = columns.map { c in header.firstIndex(of: c.name) }
        var builders = columns.map { FastColumnBuilder(type: $0.type) }
        var row = 0
        while r.nextRecord(&fields, &scratch) {
            if fields.count == 1 && fields[0].start == fields[0].end && !fields[0].quoted { continue }
            row += 1
            for (ci, fi) in fieldOf.enumerated() {
                guard let fi, fi < fields.count else { builders[ci].appendNull(); continue }
                let f = fields[fi]
                let ok: Bool = f.inScratch
                    ? scratch.withUnsafeBufferPointer { builders[ci].append(UnsafeBufferPointer(rebasing: $0[f.start..<f.end])) }
                    : builders[ci].append(UnsafeBufferPointer(rebasing: r.bytes[f.start..<f.end]))
                if !ok && problems.count < 50 {
                    problems.append("\(path): row \(row): '\(r.string(f, scratch).prefix(40))' is not a \(columns[ci].type.rawValue) for \(columns[ci].name); stored as null")
                }
            }
        }
        return Table(schema: Schema(columns), columns: builders.map { $0.finish() }, count: row)
    }
}

/// Appends CSV field bytes to one typed column, converting without intermediate values where it can.
struct FastColumnBuilder {
    let type: KQLType
    var ints: [Int64] = []
    var doubles: [Double] = []
    var bools: [Bool] = []
    var codes: [UInt32] = []
    var dictionary: [String: UInt32] = [:]
    var values: [String] = []
    var dynamics: [Value] = []
    var nulls: [Bool] = []
    var anyNull = false

    init(type: KQLType) { self.type = type }

    mutating func appendNull() {
        switch type {
        case .bool: bools.append(false)
        case .int, .long, .datetime, .timespan: ints.append(0)
        case .real, .decimal: doubles.append(0)
        case .string, .guid: appendString("")
        case .dynamic: dynamics.append(.null)
        }
        if type != .string && type != .dynamic { anyNull = true }
        nulls.append(type != .string && type != .dynamic)
    }

    mutating func appendString(_ s: String) {
        if let k = dictionary[s] { codes.append(k) } else { let k = UInt32(values.count); dictionary[s] = k; values.append(s); codes.append(k) }
    }

    /// Returns false when the text does not convert (a null is stored).
    mutating func append(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if b.isEmpty && type != .string { appendNull(); return true }
        var isNull = false
        switch type {
        case .string:
            appendString(String(decoding: b, as: UTF8.self))
        case .int, .long:
            if let v = FastColumnBuilder.parseInt(b) { ints.append(v) }
            else if let v = Value.string(String(decoding: b, as: UTF8.self)).converted(to: .long).asInt64 { ints.append(v) }
            else { ints.append(0); isNull = true }
        case .datetime:
            if let v = FastColumnBuilder.parseISO(b) ?? DateTimeParser.parse(String(decoding: b, as: UTF8.self)) { ints.append(v) }
            else { ints.append(0); isNull = true }
        case .timespan:
            if let v = DateTimeParser.parseTimespan(String(decoding: b, as: UTF8.self)) { ints.append(v) } else { ints.append(0); isNull = true }
        case .real, .decimal:
            if let v = Double(String(decoding: b, as: UTF8.self)) { doubles.append(v) } else { doubles.append(0); isNull = true }
        case .bool:
            switch String(decoding: b, as: UTF8.self).lowercased() {
            case "true", "1": bools.append(true)
            case "false", "0": bools.append(false)
            default: bools.append(false); isNull = true
            }
        case .guid:
            if let g = Value.parseGuid(String(decoding: b, as: UTF8.self)) { appendString(g) } else { appendString(""); isNull = true }
        case .dynamic:
            dynamics.append(Value.parseJSON(String(decoding: b, as: UTF8.self)))
        }
        if isNull { anyNull = true }
        nulls.append(isNull)
        return !isNull
    }

    static func parseInt(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0, neg = false
        if b[0] == UInt8(ascii: "-") { neg = true; i = 1 }
        guard i < b.count, b.count - i <= 18 else { return nil }
        var v: Int64 = 0
        while i < b.count {
            let c = b[i]
            guard c >= 48 && c <= 57 else { return nil }
            v = v * 10 + Int64(c - 48)
            i += 1
        }
        return neg ? -v : v
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fffffff]Z`, the shape every machine-written log uses.
    static func parseISO(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 32, b[13] == 58, b[16] == 58, b[b.count - 1] == 90 else { return nil }
        func num(_ s: Int, _ n: Int) -> Int64? {
            var v: Int64 = 0
            for k in s..<(s + n) { let c = b[k]; guard c >= 48 && c <= 57 else { return nil }; v = v * 10 + Int64(c - 48) }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2),
              mo >= 1, mo <= 12, d >= 1, d <= DateTimeMath.daysInMonth(y, mo), h < 24, mi < 60, s < 61 else { return nil }
        var frac: Int64 = 0
        if b.count > 20 {
            guard b[19] == 46 else { return nil }
            let digits = b.count - 21
            guard digits >= 1, digits <= 7, let f = num(20, digits) else { return nil }
            frac = f
            for _ in digits..<7 { frac *= 10 }
        }
        return DateTimeMath.ticks(year: y, month: mo, day: d, hour: h, minute: mi, second: s, fraction: frac)
    }

    func finish() -> Column {
        let n = anyNull ? nulls : nil
        switch type {
        case .bool: return Column(type: type, data: .bool(bools), nulls: n)
        case .int, .long, .datetime, .timespan: return Column(type: type, data: .int64(ints), nulls: n)
        case .real, .decimal: return Column(type: type, data: .double(doubles), nulls: n)
        case .dynamic: return Column(type: type, data: .value(dynamics))
        case .string, .guid:
            // High-cardinality columns stay plain: a dictionary would only add a hash table.
            if values.count > 4096 && values.count * 2 > codes.count {
                return Column(type: type, data: .string(codes.map { values[Int($0)] }), nulls: type == .guid ? n : nil)
            }
            return Column(type: type, data: .dict(codes: codes, values: values), nulls: type == .guid ? n : nil)
        }
    }
}
