import OrderedCollections

extension Value {
    /// Compact JSON, as Kusto prints dynamic values.
    public var jsonText: String {
        var out = ""
        writeJSON(into: &out)
        return out
    }

    public func writeJSON(into out: inout String) { writeJSONText(into: &out) }

    /// The JSON text as UTF-8, for writers that keep bytes (a stored dynamic column).
    public func writeJSON(into out: inout [UInt8]) { writeJSONText(into: &out) }

    public static func writeJSONString(_ s: String, into out: inout String) { writeJSONText(s, into: &out) }

    func writeJSONText<Sink: JSONTextSink>(into out: inout Sink) {
        switch self {
        case .null: out.write("null")
        case .bool(let b): out.write(b ? "true" : "false")
        case .long(let v): out.write(String(v))
        case .real(let d): out.write(d.isFinite ? Value.formatReal(d) : "\"\(Value.formatReal(d))\"")
        case .string(let s): Value.writeJSONText(s, into: &out)
        case .datetime, .timespan, .guid: Value.writeJSONText(kqlString, into: &out)
        case .array(let a):
            out.write("[")
            for (i, v) in a.enumerated() {
                if i > 0 { out.write(",") }
                v.writeJSONText(into: &out)
            }
            out.write("]")
        case .bag(let d):
            out.write("{")
            var first = true
            for (k, v) in d {
                if !first { out.write(",") }
                first = false
                Value.writeJSONText(k, into: &out)
                out.write(":")
                v.writeJSONText(into: &out)
            }
            out.write("}")
        }
    }

    static func writeJSONText<Sink: JSONTextSink>(_ s: String, into out: inout Sink) {
        out.write("\"")
        // Most strings need no escape and are appended whole (a scalar at a time was a fifth of
        // storing a table's dynamic column).
        let plain = s.utf8.withContiguousStorageIfAvailable { b in !b.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5c } }
            ?? !s.utf8.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5c }
        if plain { out.write(s); out.write("\""); return }
        // The runs between escapes are appended whole (Windows paths escape every backslash).
        let u = s.utf8
        var run = u.startIndex
        for i in u.indices {
            let c = u[i]
            guard c < 0x20 || c == 0x22 || c == 0x5c else { continue }
            out.write(s[run..<i])
            switch c {
            case 0x22: out.write("\\\"")
            case 0x5c: out.write("\\\\")
            case 0x0a: out.write("\\n")
            case 0x0d: out.write("\\r")
            case 0x09: out.write("\\t")
            default:
                let h = String(c, radix: 16)
                out.write("\\u" + String(repeating: "0", count: 4 - h.count) + h)
            }
            run = u.index(after: i)
        }
        out.write(s[run...])
        out.write("\"")
    }

    /// A JSON string of UTF-8 text, byte for byte what `writeJSON` writes for `.string` of it: for
    /// writers that build a dynamic value's JSON text without making the value.
    public static func writeJSONString(_ s: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(0x22)
        var run = 0
        for i in 0..<s.count {
            let c = s[i]
            guard c < 0x20 || c == 0x22 || c == 0x5c else { continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: s[run..<i]))
            switch c {
            case 0x22: out.append(0x5c); out.append(0x22)
            case 0x5c: out.append(0x5c); out.append(0x5c)
            case 0x0a: out.append(0x5c); out.append(UInt8(ascii: "n"))
            case 0x0d: out.append(0x5c); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5c); out.append(UInt8(ascii: "t"))
            default:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5c, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(c >> 4)], hex[Int(c & 15)]])
            }
            run = i + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: s[run...]))
        out.append(0x22)
    }

    /// `parse_json()`: JSON text to a dynamic value; text that is not JSON stays a string.
    public static func parseJSON(_ text: String) -> Value {
        var p = JSONReader(Array(text.utf8))
        p.skip()
        guard let v = p.value(depth: 0) else { return .string(text) }
        p.skip()
        return p.i == p.b.count ? v : .string(text)
    }
}

/// A small strict JSON reader producing `Value`s; numbers without fraction become `long`.
struct JSONReader {
    let b: [UInt8]
    var i = 0
    init(_ b: [UInt8]) { self.b = b }

    mutating func skip() { while i < b.count && (b[i] == 32 || b[i] == 9 || b[i] == 10 || b[i] == 13) { i += 1 } }

    mutating func value(depth: Int) -> Value? {
        guard i < b.count, depth < 200 else { return nil }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var d = OrderedDictionary<String, Value>()
            skip()
            if i < b.count && b[i] == UInt8(ascii: "}") { i += 1; return .bag(d) }
            while true {
                skip()
                guard let k = string() else { return nil }
                skip()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                skip()
                guard let v = value(depth: depth + 1) else { return nil }
                d[k] = v
                skip()
                guard i < b.count else { return nil }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .bag(d) }
                return nil
            }
        case UInt8(ascii: "["):
            i += 1
            var a: [Value] = []
            skip()
            if i < b.count && b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
            while true {
                skip()
                guard let v = value(depth: depth + 1) else { return nil }
                a.append(v)
                skip()
                guard i < b.count else { return nil }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                return nil
            }
        case UInt8(ascii: "\""):
            return string().map { .string($0) }
        case UInt8(ascii: "t"): return word("true", .bool(true))
        case UInt8(ascii: "f"): return word("false", .bool(false))
        case UInt8(ascii: "n"): return word("null", .null)
        default: return number()
        }
    }

    mutating func word(_ w: String, _ v: Value) -> Value? {
        let u = Array(w.utf8)
        guard i + u.count <= b.count, Array(b[i..<(i + u.count)]) == u else { return nil }
        i += u.count
        return v
    }

    mutating func number() -> Value? {
        let s = i
        var isReal = false
        if i < b.count && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) { i += 1 }
        while i < b.count {
            let c = b[i]
            if c >= 48 && c <= 57 { i += 1 } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || ((c == UInt8(ascii: "-") || c == UInt8(ascii: "+")) && isReal) { isReal = true; i += 1 } else { break }
        }
        guard i > s else { return nil }
        let t = String(decoding: b[s..<i], as: UTF8.self)
        if !isReal, let v = Int64(t) { return .long(v) }
        return Double(t).map { .real($0) }
    }

    mutating func string() -> String? {
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        let start = i
        while i < b.count && b[i] != UInt8(ascii: "\"") && b[i] != UInt8(ascii: "\\") { i += 1 }
        if i < b.count && b[i] == UInt8(ascii: "\"") {
            let s = String(decoding: b[start..<i], as: UTF8.self)
            i += 1
            return s
        }
        var out = Array(b[start..<i])
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < b.count else { return nil }
                let e = b[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    guard i + 4 <= b.count, var code = UInt32(String(decoding: b[i..<(i + 4)], as: UTF8.self), radix: 16) else { return nil }
                    i += 4
                    if code >= 0xD800 && code < 0xDC00, i + 6 <= b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u"),
                       let low = UInt32(String(decoding: b[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16), low >= 0xDC00 && low < 0xE000 {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    out.append(contentsOf: Array(String(UnicodeScalar(code).map { Character($0) } ?? "\u{FFFD}").utf8))
                default: out.append(e)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        return nil
    }
}

/// Where JSON text is written: a String, or UTF-8 bytes.
protocol JSONTextSink {
    mutating func write(_ s: String)
    mutating func write(_ s: Substring)
}

extension String: JSONTextSink {
    mutating func write(_ s: String) { self += s }
    mutating func write(_ s: Substring) { self += s }
}

extension Array: JSONTextSink where Element == UInt8 {
    mutating func write(_ s: String) { append(contentsOf: s.utf8) }
    mutating func write(_ s: Substring) { append(contentsOf: s.utf8) }
}
