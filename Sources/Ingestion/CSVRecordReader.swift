/// Reads RFC 4180 records from bytes as field ranges, without building strings: quoted fields with
/// doubled quotes are unescaped into a scratch buffer. A UTF-8 BOM is skipped.
struct CSVRecordReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var pos = 0
    /// 1-based line of the next record (quoted newlines counted).
    var line = 1
    let separator: UInt8

    struct Field {
        var start: Int
        var end: Int
        var inScratch: Bool
        var quoted: Bool
    }

    init(_ b: UnsafeBufferPointer<UInt8>, separator: UInt8 = UInt8(ascii: ",")) {
        bytes = b
        self.separator = separator
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { pos = 3 }
    }

    /// Reads one record's fields into `fields` (reused); false at end of input.
    mutating func next(_ fields: inout [Field], _ scratch: inout [UInt8]) -> Bool {
        fields.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        guard pos < bytes.count else { return false }
        let b = bytes, sep = separator
        while true {
            if pos < b.count && b[pos] == UInt8(ascii: "\"") {
                pos += 1
                let start = pos
                var escaped = false
                while pos < b.count {
                    let c = b[pos]
                    if c == UInt8(ascii: "\"") {
                        if pos + 1 < b.count && b[pos + 1] == UInt8(ascii: "\"") { escaped = true; pos += 2; continue }
                        break
                    }
                    if c == 10 { line += 1 }
                    pos += 1
                }
                if escaped {
                    let s = scratch.count
                    var i = start
                    while i < pos { scratch.append(b[i]); i += b[i] == UInt8(ascii: "\"") ? 2 : 1 }
                    fields.append(Field(start: s, end: scratch.count, inScratch: true, quoted: true))
                } else {
                    fields.append(Field(start: start, end: min(pos, b.count), inScratch: false, quoted: true))
                }
                pos += 1
                while pos < b.count && b[pos] != sep && b[pos] != 10 && b[pos] != 13 { pos += 1 }
            } else {
                let start = pos
                while pos < b.count && b[pos] != sep && b[pos] != 10 && b[pos] != 13 { pos += 1 }
                fields.append(Field(start: start, end: pos, inScratch: false, quoted: false))
            }
            if pos >= b.count { line += 1; return true }
            if b[pos] == sep { pos += 1; continue }
            if b[pos] == 13 { pos += 1 }
            if pos < b.count && b[pos] == 10 { pos += 1 }
            line += 1
            return true
        }
    }

    func string(_ f: Field, _ scratch: [UInt8]) -> String {
        f.inScratch ? String(decoding: scratch[f.start..<f.end], as: UTF8.self) : String(decoding: bytes[f.start..<f.end], as: UTF8.self)
    }

    @inline(__always) func withBytes<R>(_ f: Field, _ scratch: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if f.inScratch { return scratch.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[f.start..<f.end])) } }
        return body(UnsafeBufferPointer(rebasing: bytes[f.start..<f.end]))
    }
}
