/// Civil-calendar arithmetic on 100 ns ticks since the Unix epoch, without Foundation, so that
/// datetime parsing and formatting are exact and fast.
public enum DateTimeMath {
    /// Days since 1970-01-01 for a proleptic Gregorian date (Hinnant's algorithm).
    public static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public static func civilFromDays(_ z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public struct Parts: Sendable {
        public var year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, fraction: Int64
    }

    @inline(__always) static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a &- b &+ 1) / b }

    public static func parts(_ ticks: Int64) -> Parts {
        let days = floorDiv(ticks, Ticks.perDay)
        let rem = ticks - days * Ticks.perDay
        let (y, m, d) = civilFromDays(days)
        return Parts(year: y, month: m, day: d, hour: rem / Ticks.perHour, minute: rem % Ticks.perHour / Ticks.perMinute,
                     second: rem % Ticks.perMinute / Ticks.perSecond, fraction: rem % Ticks.perSecond)
    }

    public static func ticks(year: Int64, month: Int64, day: Int64, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, fraction: Int64 = 0) -> Int64 {
        daysFromCivil(year, month, day) * Ticks.perDay + hour * Ticks.perHour + minute * Ticks.perMinute + second * Ticks.perSecond + fraction
    }

    public static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// ISO 8601 in UTC with `Z`; seven fraction digits only when the fraction is not zero.
    public static func format(_ ticks: Int64) -> String {
        let p = parts(ticks)
        var s = pad(p.year, 4) + "-" + pad(p.month, 2) + "-" + pad(p.day, 2) + "T" + pad(p.hour, 2) + ":" + pad(p.minute, 2) + ":" + pad(p.second, 2)
        if p.fraction != 0 { s += "." + pad(p.fraction, 7) }
        return s + "Z"
    }

    /// `[-][d.]hh:mm:ss[.fffffff]`, as Kusto prints timespans.
    public static func formatTimespan(_ t: Int64) -> String {
        let neg = t < 0
        let a = t.magnitude
        let days = a / UInt64(Ticks.perDay)
        let rem = a % UInt64(Ticks.perDay)
        var s = neg ? "-" : ""
        if days > 0 { s += String(days) + "." }
        s += pad(Int64(rem / UInt64(Ticks.perHour)), 2) + ":" + pad(Int64(rem % UInt64(Ticks.perHour) / UInt64(Ticks.perMinute)), 2) + ":" + pad(Int64(rem % UInt64(Ticks.perMinute) / UInt64(Ticks.perSecond)), 2)
        let frac = rem % UInt64(Ticks.perSecond)
        if frac != 0 { s += "." + pad(Int64(frac), 7) }
        return s
    }

    @inline(__always) public static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
