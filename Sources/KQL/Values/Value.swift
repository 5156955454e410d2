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
    public static let perMicrosecond: Int64 = 10
    public static let perMillisecond: Int64 = 10_000
    public static let perSecond: Int64 = 10_000_000
    public static let perMinute: Int64 = 600_000_000
    public static let perHour: Int64 = 36_000_000_000
    public static let perDay: Int64 = 864_000_000_000
}
