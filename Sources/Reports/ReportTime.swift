/// A time in a report: 100 ns ticks since 1970, shown in UTC. Reports state times in one form
/// (`2024-06-21 02:00 UTC`) so that the grounding check can find each of them in the evidence; the
/// JSON form is ISO 8601.
public struct ReportTime: Sendable, Equatable, Comparable, Codable {
    public var ticks: Int64
    public init(_ ticks: Int64) { self.ticks = ticks }

    public static func < (a: ReportTime, b: ReportTime) -> Bool { a.ticks < b.ticks }

    /// `2024-06-21 02:00 UTC`.
    public var display: String {
        let (y, mo, d, h, mi, _) = Self.civil(ticks)
        return "\(y)-\(Self.two(mo))-\(Self.two(d)) \(Self.two(h)):\(Self.two(mi)) UTC"
    }

    /// `2024-06-21T02:00:00Z`.
    public var iso: String {
        let (y, mo, d, h, mi, s) = Self.civil(ticks)
        return "\(y)-\(Self.two(mo))-\(Self.two(d))T\(Self.two(h)):\(Self.two(mi)):\(Self.two(s))Z"
    }

    /// A span in words: `2 h 10 min`, `3 d 4 h`, `45 s`.
    public static func duration(_ ticks: Int64) -> String {
        let s = max(0, ticks / 10_000_000)
        let d = s / 86_400, h = (s % 86_400) / 3600, m = (s % 3600) / 60
        if d > 0 { return h > 0 ? "\(d) d \(h) h" : "\(d) d" }
        if h > 0 { return m > 0 ? "\(h) h \(m) min" : "\(h) h" }
        if m > 0 { return "\(m) min" }
        return "\(s) s"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let t = Self.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 UTC time: \(text)"))
        }
        ticks = t
    }

    static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// Days-from-civil inverse (Howard Hinnant's algorithm): no calendar object, no locale.
    static func civil(_ ticks: Int64) -> (Int64, Int64, Int64, Int64, Int64, Int64) {
        let secs = ticks >= 0 ? ticks / 10_000_000 : (ticks - 9_999_999) / 10_000_000
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let rem = secs - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d, rem / 3600, (rem % 3600) / 60, rem % 60)
    }

    static func days(_ y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y2 = m <= 2 ? y - 1 : y
        let era = (y2 >= 0 ? y2 : y2 - 399) / 400
        let yoe = y2 - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `yyyy-MM-ddTHH:mm:ss[.fff]Z` as ticks.
    public static func parseISO(_ s: String) -> Int64? { parse(s) }

    static func parse(_ s: String) -> Int64? {
        let parts = s.split(whereSeparator: { "-T:Z.".contains($0) }).map(String.init)
        guard parts.count >= 6, let y = Int64(parts[0]), let mo = Int64(parts[1]), let d = Int64(parts[2]),
              let h = Int64(parts[3]), let mi = Int64(parts[4]), let sec = Int64(parts[5]) else { return nil }
        return ((days(y, mo, d) * 86_400) + h * 3600 + mi * 60 + sec) * 10_000_000
    }
}
