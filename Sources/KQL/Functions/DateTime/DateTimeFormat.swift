/// `format_datetime` / `format_timespan` format strings (`yyyy-MM-dd HH:mm:ss.fff tt`).
enum DateTimeFormat {
    static func tokens(_ f: String) -> [(Character, Int)] {
        var out: [(Character, Int)] = []
        for c in f {
            if let last = out.last, last.0 == c, c.isLetter { out[out.count - 1].1 += 1 } else { out.append((c, 1)) }
        }
        return out
    }

    static func format(_ t: Int64, _ f: String) -> String {
        let p = DateTimeMath.parts(t)
        var s = ""
        for (c, n) in tokens(f) {
            switch c {
            case "y": s += n == 1 ? String(p.year % 100) : n == 2 ? DateTimeMath.pad(p.year % 100, 2) : DateTimeMath.pad(p.year, n)
            case "M": s += DateTimeMath.pad(p.month, n)
            case "d": s += DateTimeMath.pad(p.day, n)
            case "H": s += DateTimeMath.pad(p.hour, n)
            case "h": s += DateTimeMath.pad(p.hour % 12 == 0 ? 12 : p.hour % 12, n)
            case "m": s += DateTimeMath.pad(p.minute, n)
            case "s": s += DateTimeMath.pad(p.second, n)
            case "f", "F":
                var frac = DateTimeMath.pad(p.fraction, 7)
                frac = String(frac.prefix(n))
                if c == "F" { while frac.hasSuffix("0") { frac.removeLast() } }
                s += frac
            case "t": s += p.hour < 12 ? (n == 1 ? "A" : "AM") : (n == 1 ? "P" : "PM")
            default: s += String(repeating: c, count: n)
            }
        }
        return s
    }

    static func formatTimespan(_ t: Int64, _ f: String) -> String {
        let a = t.magnitude
        let days = Int64(a / UInt64(Ticks.perDay))
        let rem = Int64(a % UInt64(Ticks.perDay))
        var s = t < 0 ? "-" : ""
        for (c, n) in tokens(f) {
            switch c {
            case "d": s += DateTimeMath.pad(days, n)
            case "h", "H": s += DateTimeMath.pad(rem / Ticks.perHour, n)
            case "m": s += DateTimeMath.pad(rem % Ticks.perHour / Ticks.perMinute, n)
            case "s": s += DateTimeMath.pad(rem % Ticks.perMinute / Ticks.perSecond, n)
            case "f", "F":
                var frac = String(DateTimeMath.pad(rem % Ticks.perSecond, 7).prefix(n))
                if c == "F" { while frac.hasSuffix("0") { frac.removeLast() } }
                s += frac
            default: s += String(repeating: c, count: n)
            }
        }
        return s
    }
}
