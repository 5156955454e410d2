extension Value {
    /// The value a type takes where Kusto needs one (empty string; zero for numbers; null otherwise).
    public static func defaultValue(for type: KQLType) -> Value {
        switch type {
        case .string: return .string("")
        case .bool: return .bool(false)
        case .int, .long: return .long(0)
        case .real, .decimal: return .real(0)
        case .datetime: return .datetime(0)
        case .timespan: return .timespan(0)
        case .guid, .dynamic: return .null
        }
    }

    /// The Kusto type a value carries on its own (dynamic for arrays and bags).
    public var kqlType: KQLType {
        switch self {
        case .null: return .dynamic
        case .bool: return .bool
        case .long: return .long
        case .real: return .real
        case .string: return .string
        case .datetime: return .datetime
        case .timespan: return .timespan
        case .guid: return .guid
        case .array, .bag: return .dynamic
        }
    }

    /// Conversion as a column of `type` stores it; impossible conversions give null.
    public func converted(to type: KQLType) -> Value {
        switch type {
        case .dynamic: return self
        case .string: return .string(kqlString)
        case .bool:
            switch self {
            case .bool: return self
            case .long(let v): return .bool(v != 0)
            case .real(let d): return .bool(d != 0)
            case .string(let s):
                switch s.lowercased() { case "true", "1": return .bool(true); case "false", "0": return .bool(false); default: return .null }
            default: return .null
            }
        case .int, .long:
            switch self {
            case .long: return self
            case .datetime(let v), .timespan(let v): return .long(v)
            case .bool(let b): return .long(b ? 1 : 0)
            case .real(let d): return d.isFinite && abs(d) < 9.2e18 ? .long(Int64(d)) : .null
            case .string(let s):
                let t = s.trimmingSpacesKQL()
                if let v = Int64(t) { return .long(v) }
                if let d = Double(t), d.isFinite, abs(d) < 9.2e18 { return .long(Int64(d)) }
                return .null
            default: return .null
            }
        case .real, .decimal:
            switch self {
            case .real: return self
            case .long(let v): return .real(Double(v))
            case .bool(let b): return .real(b ? 1 : 0)
            case .datetime(let v), .timespan(let v): return .real(Double(v))
            case .string(let s): return Double(s.trimmingSpacesKQL()).map { .real($0) } ?? .null
            default: return .null
            }
        case .datetime:
            switch self {
            case .datetime: return self
            case .string(let s): return DateTimeParser.parse(s).map { .datetime($0) } ?? .null
            default: return .null
            }
        case .timespan:
            switch self {
            case .timespan: return self
            case .long(let v): return .timespan(v)
            case .real(let d): return Ticks.from(d).map { .timespan($0) } ?? .null
            case .string(let s): return DateTimeParser.parseTimespan(s).map { .timespan($0) } ?? .null
            default: return .null
            }
        case .guid:
            switch self {
            case .guid: return self
            case .string(let s): return Value.parseGuid(s).map { .guid($0) } ?? .null
            default: return .null
            }
        }
    }

    /// `tostring()`: strings as-is, null as empty, dynamic as compact JSON.
    public var kqlString: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .long(let v): return String(v)
        case .real(let d): return Value.formatReal(d)
        case .string(let s): return s
        case .datetime(let t): return DateTimeMath.format(t)
        case .timespan(let t): return DateTimeMath.formatTimespan(t)
        case .guid(let g): return g
        case .array, .bag: return jsonText
        }
    }

    /// Doubles the way Kusto prints them: integral values without `.0`, NaN and infinities by name.
    public static func formatReal(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
        // .NET's shortest round-trip form, as Kusto prints reals: the same digits as Swift's, laid out
        // in fixed notation for decimal exponents -4...14 and as `1.5E-07` / `1E+15` outside them.
        let swift = String(d)
        let negative = swift.hasPrefix("-")
        let body = negative ? String(swift.dropFirst()) : swift
        var mantissa = body, exp10 = 0
        if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(body[..<e]); exp10 = Int(body[body.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0]), fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var point = intPart.count + exp10  // the decimal point's position within `digits`
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); point -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sci = point - 1
        var out: String
        if sci > -5 && sci < 15 {
            if point <= 0 { out = "0." + String(repeating: "0", count: -point) + digits }
            else if point >= digits.count { out = digits + String(repeating: "0", count: point - digits.count) }
            else { out = String(digits.prefix(point)) + "." + String(digits.dropFirst(point)) }
        } else {
            let e = abs(sci) < 10 ? "0\(abs(sci))" : "\(abs(sci))"
            out = String(digits.prefix(1)) + (digits.count > 1 ? "." + String(digits.dropFirst()) : "") + "E" + (sci < 0 ? "-" : "+") + e
        }
        return negative ? "-" + out : out
    }

    /// Lower-case canonical `8-4-4-4-12` form, or nil.
    public static func parseGuid(_ s: String) -> String? {
        var t = s.trimmingSpacesKQL().lowercased()
        if t.hasPrefix("{") && t.hasSuffix("}") { t = String(t.dropFirst().dropLast()) }
        let hex = t.filter { $0 != "-" }
        guard hex.count == 32, hex.allSatisfy({ $0.isHexDigit }) else { return nil }
        if t.count == 36 {
            let parts = t.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.map(\.count) == [8, 4, 4, 4, 12] else { return nil }
            return t
        }
        guard t.count == 32 else { return nil }
        let a = Array(hex)
        return String(a[0..<8]) + "-" + String(a[8..<12]) + "-" + String(a[12..<16]) + "-" + String(a[16..<20]) + "-" + String(a[20..<32])
    }
}

extension Value: Comparable {
    /// A total order for sorting and min/max: nulls first, then by type family, then by value.
    public static func < (a: Value, b: Value) -> Bool { compare(a, b) < 0 }

    public static func compare(_ a: Value, _ b: Value) -> Int {
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return -1
        case (_, .null): return 1
        case (.long(let x), .long(let y)), (.datetime(let x), .datetime(let y)), (.timespan(let x), .timespan(let y)):
            return x < y ? -1 : (x > y ? 1 : 0)
        case (.string(let x), .string(let y)), (.guid(let x), .guid(let y)):
            return x < y ? -1 : (x > y ? 1 : 0)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        default:
            if let x = a.asDouble, let y = b.asDouble, a.kqlType.isNumeric || a.kqlType == .bool, b.kqlType.isNumeric || b.kqlType == .bool {
                return x < y ? -1 : (x > y ? 1 : 0)
            }
            let sa = a.kqlString, sb = b.kqlString
            return sa < sb ? -1 : (sa > sb ? 1 : 0)
        }
    }
}
