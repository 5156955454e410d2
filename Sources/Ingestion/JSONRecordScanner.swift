/// Scans flat JSON objects from bytes into key and value ranges without building `Value` trees:
/// strings without escapes are referenced in place, escaped ones are decoded into a scratch buffer,
/// nested objects and arrays are kept as raw text for `dynamic` columns.
struct JSONRecordScanner {
    let b: UnsafeBufferPointer<UInt8>
    var pos: Int
    let end: Int

    struct Field {
        var keyStart: Int, keyEnd: Int, keyInScratch: Bool
        var valStart: Int, valEnd: Int, valInScratch: Bool
        var kind: FieldKind
    }

    init(_ b: UnsafeBufferPointer<UInt8>, from: Int = 0, to: Int? = nil) {
        self.b = b
        pos = from
        end = to ?? b.count
    }

    @inline(__always) mutating func skipSpace() {
        while pos < end {
            let c = b[pos]
            if c == 32 || c == 10 || c == 13 || c == 9 { pos += 1 } else { break }
        }
    }

    @inline(__always) var peek: UInt8 { pos < end ? b[pos] : 0 }

    /// One object starting at `pos` (which must be `{`); nil on a syntax error, with `pos` where it stopped.
    mutating func object(_ fields: inout [Field], _ scratch: inout [UInt8]) -> Bool {
        fields.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        guard peek == UInt8(ascii: "{") else { return false }
        pos += 1
        skipSpace()
        if peek == UInt8(ascii: "}") { pos += 1; return true }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\""), let key = string(&scratch) else { return false }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { return false }
            pos += 1
            skipSpace()
            guard let v = value(&scratch) else { return false }
            fields.append(Field(keyStart: key.0, keyEnd: key.1, keyInScratch: key.2, valStart: v.0, valEnd: v.1, valInScratch: v.2, kind: v.3))
            skipSpace()
            if peek == UInt8(ascii: ",") { pos += 1; continue }
            if peek == UInt8(ascii: "}") { pos += 1; return true }
            return false
        }
    }

    /// A string at `pos` (on its opening quote): its content range, in the input or in scratch.
    mutating func string(_ scratch: inout [UInt8]) -> (Int, Int, Bool)? {
        pos += 1
        let start = pos
        while pos < end {
            let c = b[pos]
            if c == UInt8(ascii: "\"") { pos += 1; return (start, pos - 1, false) }
            if c == UInt8(ascii: "\\") { break }
            pos += 1
        }
        guard pos < end else { return nil }
        // Escapes: decode from the start into scratch.
        let s = scratch.count
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<pos]))
        while pos < end {
            let c = b[pos]
            if c == UInt8(ascii: "\"") { pos += 1; return (s, scratch.count, true) }
            if c != UInt8(ascii: "\\") { scratch.append(c); pos += 1; continue }
            guard pos + 1 < end else { return nil }
            let e = b[pos + 1]
            pos += 2
            switch e {
            case UInt8(ascii: "n"): scratch.append(10)
            case UInt8(ascii: "t"): scratch.append(9)
            case UInt8(ascii: "r"): scratch.append(13)
            case UInt8(ascii: "b"): scratch.append(8)
            case UInt8(ascii: "f"): scratch.append(12)
            case UInt8(ascii: "u"):
                guard var u = hex4() else { return nil }
                if u >= 0xD800 && u < 0xDC00, pos + 1 < end, b[pos] == UInt8(ascii: "\\"), b[pos + 1] == UInt8(ascii: "u") {
                    pos += 2
                    guard let lo = hex4(), lo >= 0xDC00 && lo < 0xE000 else { return nil }
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                }
                let scalar = Unicode.Scalar(u) ?? "\u{FFFD}"
                scratch.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: scratch.append(e)
            }
        }
        return nil
    }

    mutating func hex4() -> UInt32? {
        guard pos + 4 <= end else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[pos]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: return nil
            }
            v = v * 16 + d
            pos += 1
        }
        return v
    }

    /// Any value at `pos`: its range, whether in scratch, and its kind.
    mutating func value(_ scratch: inout [UInt8]) -> (Int, Int, Bool, FieldKind)? {
        let c = peek
        switch c {
        case UInt8(ascii: "\""):
            guard let s = string(&scratch) else { return nil }
            return (s.0, s.1, s.2, .text)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = pos
            guard skipComposite() else { return nil }
            return (start, pos, false, .json)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let start = pos
            while pos < end, b[pos] >= 97, b[pos] <= 122 { pos += 1 }
            let word = String(decoding: UnsafeBufferPointer(rebasing: b[start..<pos]), as: UTF8.self)
            switch word {
            case "true", "false": return (start, pos, false, .bool)
            case "null": return (start, pos, false, .null)
            default: return nil
            }
        default:
            let start = pos
            while pos < end {
                let d = b[pos]
                if (d >= 48 && d <= 57) || d == UInt8(ascii: "-") || d == UInt8(ascii: "+") || d == UInt8(ascii: ".") || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") { pos += 1 } else { break }
            }
            return pos > start ? (start, pos, false, .number) : nil
        }
    }

    /// Moves past a nested object or array, honouring strings.
    mutating func skipComposite() -> Bool {
        var depth = 0
        while pos < end {
            let c = b[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                while pos < end && b[pos] != UInt8(ascii: "\"") { pos += b[pos] == UInt8(ascii: "\\") ? 2 : 1 }
                guard pos < end else { return false }
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
                if depth > 512 { return false }
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { pos += 1; return true }
            }
            pos += 1
        }
        return false
    }
}
