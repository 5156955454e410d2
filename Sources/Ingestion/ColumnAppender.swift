public import KQL

/// Appends field bytes to one typed column, converting without intermediate values where it can:
/// integers and ISO datetimes are parsed from bytes, strings are interned by their bytes.
public struct ColumnAppender {
    public let type: KQLType
    var ints: [Int64] = []
    var doubles: [Double] = []
    var bools: [Bool] = []
    var codes: [UInt32] = []
    var dictionary = ByteDictionary()
    var dynamics: [Value] = []
    /// Parsed values of the dictionary's texts, for dynamic columns.
    var parsed: [Value] = []
    var nulls: [Bool] = []
    var anyNull = false
    /// A string column found mostly distinct (rendered event data, command lines) after its first
    /// values (`StringInterner.mostlyDistinct`) keeps its values as they come: interning each would
    /// only hash and copy it to find it new.
    var plain: [String]?
    /// A dynamic column fed JSON text its writer made (`appendJSONText`) keeps each value as that
    /// text, for a store to write as it is (a stored dynamic column is JSON text): no value is built
    /// only to be serialised again. Values appended otherwise join as their JSON text.
    var texts: [String]?

    public init(type: KQLType, capacity: Int = 0) {
        self.type = type
        nulls.reserveCapacity(capacity)
        switch type {
        case .int, .long, .datetime, .timespan: ints.reserveCapacity(capacity)
        case .real, .decimal: doubles.reserveCapacity(capacity)
        case .string, .guid: codes.reserveCapacity(capacity)
        default: break
        }
    }

    public var count: Int { nulls.count }

    public mutating func appendNull() {
        switch type {
        case .bool: bools.append(false)
        case .int, .long, .datetime, .timespan: ints.append(0)
        case .real, .decimal: doubles.append(0)
        case .string, .guid:
            if plain != nil { plain!.append("") } else { codes.append(dictionary.code(UnsafeBufferPointer(start: nil, count: 0))) }
        case .dynamic: if texts != nil { texts!.append("") } else { dynamics.append(.null) }
        }
        // Kusto strings have no null: an absent string is the empty string.
        let isNull = type != .string && type != .dynamic
        if isNull { anyNull = true }
        nulls.append(isNull)
    }

    /// Appends a field; returns false when it does not convert to the column type (a null is stored).
    @discardableResult
    public mutating func append(_ b: UnsafeBufferPointer<UInt8>, kind: FieldKind) -> Bool {
        if kind == .null || (b.isEmpty && type != .string) { appendNull(); return true }
        // Exports spell a missing number as the text `null`: it is a null, not a bad value.
        if type != .string, type != .dynamic, b.count == 4, b[0] == UInt8(ascii: "n"), b[1] == UInt8(ascii: "u"), b[2] == UInt8(ascii: "l"), b[3] == UInt8(ascii: "l") {
            appendNull(); return true
        }
        var ok = true
        switch type {
        case .string:
            if plain != nil { plain!.append(String(decoding: b, as: UTF8.self)) }
            else {
                codes.append(dictionary.code(b))
                if StringInterner.mostlyDistinct(rows: codes.count, distinct: dictionary.count) { goPlain() }
            }
        case .int, .long:
            if kind != .json, let v = Self.parseInt(b) { ints.append(v) }
            else if kind == .bool { ints.append(b.first == UInt8(ascii: "t") || b.first == UInt8(ascii: "T") ? 1 : 0) }
            else if kind != .json, let v = Value.string(String(decoding: b, as: UTF8.self)).converted(to: .long).asInt64 { ints.append(v) }
            else { ints.append(0); ok = false }
        case .datetime:
            if kind != .json, let v = Self.parseISO(b) ?? DateTimeParser.parse(String(decoding: b, as: UTF8.self)) { ints.append(v) }
            else { ints.append(0); ok = false }
        case .timespan:
            if kind != .json, let v = DateTimeParser.parseTimespan(String(decoding: b, as: UTF8.self)) { ints.append(v) }
            else { ints.append(0); ok = false }
        case .real, .decimal:
            if kind != .json, let v = Double(String(decoding: b, as: UTF8.self)) { doubles.append(v) }
            else { doubles.append(0); ok = false }
        case .bool:
            switch Self.boolValue(b) {
            case .some(let v): bools.append(v)
            case .none: bools.append(false); ok = false
            }
        case .guid:
            if let code = canonicalGuidCode(b) { codes.append(code) }
            else if let g = Value.parseGuid(String(decoding: b, as: UTF8.self)) { codes.append(dictionary.code(g)) }
            else { codes.append(dictionary.code(UnsafeBufferPointer(start: nil, count: 0))); ok = false }
        case .dynamic:
            // Each distinct text is parsed once: device details, locations and statuses repeat.
            let code = dictionary.code(b)
            if Int(code) == parsed.count {
                let text = dictionary.values[Int(code)]
                // JSON text in a string becomes the value it spells (Log Analytics' dynamic from JSON text).
                parsed.append(kind == .text && !Self.looksLikeJSON(b) ? .string(text) : Value.parseJSON(text))
            }
            if texts != nil { texts!.append(Self.text(of: parsed[Int(code)])) } else { dynamics.append(parsed[Int(code)]) }
        }
        if !ok { anyNull = true }
        nulls.append(!ok)
        return ok
    }

    /// Appends an already-typed value (syslog and CEF parsers compute some).
    @discardableResult
    public mutating func append(value v: Value) -> Bool {
        if v.isNull { appendNull(); return true }
        switch (type, v) {
        case (.datetime, .datetime(let t)), (.timespan, .timespan(let t)), (.long, .long(let t)), (.int, .long(let t)):
            ints.append(t); nulls.append(false); return true
        case (.dynamic, _):
            if texts != nil { texts!.append(Self.text(of: v)) } else { dynamics.append(v) }
            nulls.append(false); return true
        default:
            var text = v.kqlString
            return text.withUTF8 { append($0, kind: v.kqlType == .string ? .text : .number) }
        }
    }

    /// A dynamic value's JSON text, as a text-keeping column holds it ("" for null, as a stored
    /// column writes it).
    static func text(of v: Value) -> String { v.isNull ? "" : v.jsonText }

    /// Appends a dynamic value as the JSON text `b` (which its writer made: it is not checked); the
    /// column keeps texts from then on (see `texts`).
    public mutating func appendJSONText(_ b: UnsafeBufferPointer<UInt8>) {
        precondition(type == .dynamic, "JSON text is for dynamic columns")
        if texts == nil { texts = dynamics.map(Self.text(of:)); dynamics = [] }
        texts!.append(String(decoding: b, as: UTF8.self))
        nulls.append(false)
    }

    static func looksLikeJSON(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < b.count, b[i] == 32 || b[i] == 9 || b[i] == 10 || b[i] == 13 { i += 1 }
        guard i < b.count else { return false }
        let c = b[i]
        return c == UInt8(ascii: "{") || c == UInt8(ascii: "[") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "-") || (c >= 48 && c <= 57)
            || c == UInt8(ascii: "t") || c == UInt8(ascii: "f") || c == UInt8(ascii: "n")
    }

    static func boolValue(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        switch String(decoding: b, as: UTF8.self).lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: return nil
        }
    }

    static func parseInt(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !b.isEmpty else { return nil }
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
            guard digits >= 1, let f = num(20, min(digits, 7)) else { return nil }
            frac = f
            for _ in min(digits, 7)..<7 { frac *= 10 }
        }
        return DateTimeMath.ticks(year: y, month: mo, day: d, hour: h, minute: mi, second: s, fraction: frac)
    }

    /// The code of a GUID written the usual way (`8-4-4-4-12` hex digits, in braces or not), its
    /// letters in lower case as `Value.parseGuid` gives them, without making a String (EVTX writes
    /// one or two per event); nil for any other spelling, which `parseGuid` decides.
    mutating func canonicalGuidCode(_ b: UnsafeBufferPointer<UInt8>) -> UInt32? {
        let braced = b.count == 38 && b[0] == UInt8(ascii: "{") && b[37] == UInt8(ascii: "}")
        guard b.count == 36 || braced else { return nil }
        let from = braced ? 1 : 0
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { out -> UInt32? in
            for i in 0..<36 {
                let c = b[from + i]
                if i == 8 || i == 13 || i == 18 || i == 23 { guard c == UInt8(ascii: "-") else { return nil }; out[i] = c; continue }
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): out[i] = c
                case UInt8(ascii: "A")...UInt8(ascii: "F"): out[i] = c | 0x20
                default: return nil
                }
            }
            return dictionary.code(UnsafeBufferPointer(out))
        }
    }

    mutating func goPlain() {
        let values = dictionary.values
        var out: [String] = []
        out.reserveCapacity(Swift.max(codes.capacity, codes.count * 2))
        for c in codes { out.append(values[Int(c)]) }
        plain = out
        codes = []
        dictionary = ByteDictionary()
    }

    public func finish() -> Column {
        let n = anyNull ? nulls : nil
        switch type {
        case .bool: return Column(type: type, data: .bool(bools), nulls: n)
        case .int, .long, .datetime, .timespan: return Column(type: type, data: .int64(ints), nulls: n)
        case .real, .decimal: return Column(type: type, data: .double(doubles), nulls: n)
        // JSON texts are a string column of type dynamic, which only a store's encoder takes.
        case .dynamic: return texts.map { Column(type: type, data: .string($0)) } ?? Column(type: type, data: .value(dynamics))
        case .string, .guid:
            if let plain { return Column(type: type, data: .string(plain), nulls: nil) }
            let values = dictionary.values
            // High-cardinality columns stay plain: a dictionary would only add an indirection.
            if values.count > 4096 && values.count * 2 > codes.count {
                return Column(type: type, data: .string(codes.map { values[Int($0)] }), nulls: type == .guid ? n : nil)
            }
            return Column(type: type, data: .dict(codes: codes, values: values), nulls: type == .guid ? n : nil)
        }
    }
}
