public import OrderedCollections

/// One scalar or dynamic value. Used for constants, dynamic cells and the long tail of functions;
/// hot paths work on typed column buffers instead.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case long(Int64)
    case real(Double)
    case string(String)
    /// 100 ns ticks since the Unix epoch.
    case datetime(Int64)
    /// 100 ns ticks.
    case timespan(Int64)
    case guid(String)
    case array([Value])
    case bag(OrderedDictionary<String, Value>)

    public var isNull: Bool { if case .null = self { return true }; return false }

    public var asInt64: Int64? {
        switch self {
        case .long(let v), .datetime(let v), .timespan(let v): return v
        case .real(let d): return d.isFinite && abs(d) < 9.2e18 ? Int64(d) : nil
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    public var asDouble: Double? {
        switch self {
        case .long(let v): return Double(v)
        case .real(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .datetime(let v), .timespan(let v): return Double(v)
        default: return nil
        }
    }

    public var asString: String? { if case .string(let s) = self { return s }; return nil }
    public var asBool: Bool? { if case .bool(let b) = self { return b }; return nil }
}

/// Datetime and timespan constants in 100 ns ticks.
public enum Ticks {
    /// Kusto's datetime range, 0001-01-01 to 9999-12-31T23:59:59.9999999, in ticks since the Unix epoch.
    public static let minDatetime: Int64 = -62_135_596_800 * 10_000_000
    public static let maxDatetime: Int64 = 253_402_300_800 * 10_000_000 - 1

    /// A rounded double as ticks, or nil when it does not fit (converting it would trap).
    public static func from(_ d: Double) -> Int64? {
        let r = d.rounded()
        return r.isFinite && abs(r) < 9.2e18 ? Int64(r) : nil
    }

    /// `a * b + c` in ticks, or nil on overflow.
    public static func scaled(_ a: Int64, _ b: Int64, plus c: Int64 = 0) -> Int64? {
        let (m, o1) = a.multipliedReportingOverflow(by: b)
        let (s, o2) = m.addingReportingOverflow(c)
        return o1 || o2 ? nil : s
    }

    /// A datetime value when it lies in Kusto's range, else null.
    public static func datetime(_ t: Int64?) -> Value {
        guard let t, t >= minDatetime, t <= maxDatetime else { return .null }
        return .datetime(t)
    }

    public static let perMicrosecond: Int64 = 10
    public static let perMillisecond: Int64 = 10_000
    public static let perSecond: Int64 = 10_000_000
    public static let perMinute: Int64 = 600_000_000
    public static let perHour: Int64 = 36_000_000_000
    public static let perDay: Int64 = 864_000_000_000
}
