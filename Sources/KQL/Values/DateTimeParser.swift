import Foundation
/// Parses the datetime spellings Kusto and Sentinel's exports use: ISO 8601 (`T` or space, optional
/// fraction, `Z` or offset), `M/d/yyyy[, h:mm:ss[.fff] AM|PM]`, and RFC 822 (`Sat, 8 Nov 2014 15:05:02 GMT`).
public enum DateTimeParser {
    public static func parse(_ text: String) -> Int64? {
        var s = Array(text.trimmingSpacesKQL().utf8)
        if s.isEmpty { return nil }
        if let v = parseISO(s) { return v }
        if let v = parseUS(s) { return v }
        // RFC 822 / 1123: drop a leading weekday.
        if let comma = s.firstIndex(of: UInt8(ascii: ",")), comma <= 4 { s = Array(s[(comma + 1)...]) }
        return parseRFC(s)
    }

    struct Cursor {
        let b: [UInt8]
        var i = 0
        var done: Bool { i >= b.count }
        var peek: UInt8 { i < b.count ? b[i] : 0 }
        mutating func number(maxDigits: Int = 9) -> (Int64, Int)? {
            var v: Int64 = 0, n = 0
            while i < b.count && n < maxDigits && b[i] >= 48 && b[i] <= 57 { v = v * 10 + Int64(b[i] - 48); i += 1; n += 1 }
            return n == 0 ? nil : (v, n)
        }
        mutating func eat(_ c: Character) -> Bool { if peek == c.asciiValue! { i += 1; return true }; return false }
        mutating func skipSpaces() { while peek == 32 { i += 1 } }
    }

    static func parseTime(_ c: inout Cursor) -> Int64? {
        guard let (h, _) = c.number(maxDigits: 2), c.eat(":"), let (mi, _) = c.number(maxDigits: 2) else { return nil }
        var sec: Int64 = 0, frac: Int64 = 0
        if c.eat(":") {
            guard let (s, _) = c.number(maxDigits: 2) else { return nil }
            sec = s
            if c.eat(".") || c.eat(",") {
                guard let (f, n) = c.number(maxDigits: 7) else { return nil }
                frac = f
                for _ in n..<7 { frac *= 10 }
                while c.peek >= 48 && c.peek <= 57 { c.i += 1 }
            }
        }
        guard h < 24 || (h == 24 && mi == 0), mi < 60, sec < 61 else { return nil }
        return h * Ticks.perHour + mi * Ticks.perMinute + sec * Ticks.perSecond + frac
    }

    static func parseOffset(_ c: inout Cursor) -> Int64? {
        c.skipSpaces()
        if c.done { return 0 }
        if c.eat("Z") || c.eat("z") { return 0 }
        let b = c.b[c.i...]
        if b.starts(with: Array("UTC".utf8)) || b.starts(with: Array("GMT".utf8)) { c.i += 3; if c.done { return 0 } }
        let sign: Int64
        if c.eat("+") { sign = 1 } else if c.eat("-") { sign = -1 } else { return nil }
        guard let (hh, n) = c.number(maxDigits: 4) else { return nil }
        var h = hh, m: Int64 = 0
        if n == 4 { h = hh / 100; m = hh % 100 } else if c.eat(":") { m = c.number(maxDigits: 2)?.0 ?? 0 }
        return -sign * (h * Ticks.perHour + m * Ticks.perMinute)
    }

    static func parseISO(_ s: [UInt8]) -> Int64? {
        var c = Cursor(b: s)
        guard let (y, yn) = c.number(maxDigits: 4), yn == 4, c.eat("-"), let (m, _) = c.number(maxDigits: 2), c.eat("-"),
              let (d, _) = c.number(maxDigits: 2), m >= 1, m <= 12, d >= 1, d <= DateTimeMath.daysInMonth(y, m) else { return nil }
        var t: Int64 = 0
        if c.eat("T") || c.eat("t") || c.eat(" ") {
            c.skipSpaces()
            if !c.done && c.peek != UInt8(ascii: "Z") {
                guard let tt = parseTime(&c) else { return nil }
                t = tt
            }
        }
        guard let off = parseOffset(&c), c.done else { return nil }
        return DateTimeMath.daysFromCivil(y, m, d) * Ticks.perDay + t + off
    }

    static func parseUS(_ s: [UInt8]) -> Int64? {
        var c = Cursor(b: s)
        guard let (m, _) = c.number(maxDigits: 2), c.eat("/"), let (d, _) = c.number(maxDigits: 2), c.eat("/"),
              let (y, yn) = c.number(maxDigits: 4), yn == 4, m >= 1, m <= 12, d >= 1, d <= DateTimeMath.daysInMonth(y, m) else { return nil }
        _ = c.eat(",")
        c.skipSpaces()
        var t: Int64 = 0
        if !c.done {
            guard var tt = parseTime(&c) else { return nil }
            c.skipSpaces()
            let rest = String(decoding: c.b[c.i...], as: UTF8.self).uppercased()
            if rest.hasPrefix("PM") { if tt < 12 * Ticks.perHour { tt += 12 * Ticks.perHour }; c.i += 2 }
            else if rest.hasPrefix("AM") { if tt >= 12 * Ticks.perHour { tt -= 12 * Ticks.perHour }; c.i += 2 }
            t = tt
        }
        guard let off = parseOffset(&c), c.done else { return nil }
        return DateTimeMath.daysFromCivil(y, m, d) * Ticks.perDay + t + off
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parseRFC(_ s: [UInt8]) -> Int64? {
        var c = Cursor(b: s)
        c.skipSpaces()
        guard let (d, _) = c.number(maxDigits: 2) else { return nil }
        c.skipSpaces()
        guard c.i + 3 <= s.count, let mi = months.firstIndex(of: String(decoding: s[c.i..<(c.i + 3)], as: UTF8.self).lowercased()) else { return nil }
        c.i += 3
        c.skipSpaces()
        guard var (y, yn) = c.number(maxDigits: 4) else { return nil }
        if yn == 2 { y += 2000 }
        c.skipSpaces()
        var t: Int64 = 0
        if !c.done, let tt = parseTime(&c) { t = tt }
        guard let off = parseOffset(&c), c.done else { return nil }
        let m = Int64(mi + 1)
        guard d >= 1 && d <= DateTimeMath.daysInMonth(y, m) else { return nil }
        return DateTimeMath.daysFromCivil(y, m, d) * Ticks.perDay + t + off
    }

    /// `1d`, `1.5h`, `30m`, `10s`, `100ms`, `1tick`, `-2d` and `[-][d.]hh:mm[:ss[.fffffff]]`.
    /// Ticks since midnight of a time of day alone: `8:00`, `08:00:00`, `8:00:00 AM`, `11:30 PM`,
    /// with optional fractional seconds; nil for anything else.
    public static func timeOfDay(_ text: String) -> Int64? {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        var pm: Bool? = nil
        if t.hasSuffix("AM") || t.hasSuffix("PM") { pm = t.hasSuffix("PM"); t = String(t.dropLast(2)).trimmingCharacters(in: .whitespaces) }
        let parts = t.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), let h = Int(parts[0]), let m = Int(parts[1]), (0...59).contains(m) else { return nil }
        var seconds = 0.0
        if parts.count == 3 { guard let sec = Double(parts[2]), sec >= 0, sec < 60 else { return nil }; seconds = sec }
        var hour = h
        if let pm {
            guard (1...12).contains(h) else { return nil }
            hour = h % 12 + (pm ? 12 : 0)
        }
        guard (0...23).contains(hour) else { return nil }
        return Int64(hour) * 36_000_000_000 + Int64(m) * 600_000_000 + Int64((seconds * 1e7).rounded())
    }

    public static func parseTimespan(_ text: String) -> Int64? {
        var s = text.trimmingSpacesKQL()
        var neg = false
        if s.hasPrefix("-") { neg = true; s.removeFirst() } else if s.hasPrefix("+") { s.removeFirst() }
        guard !s.isEmpty else { return nil }
        let letters = s.drop { $0.isNumber || $0 == "." }
        if !letters.isEmpty && letters.first!.isLetter {
            let num = s.dropLast(letters.count)
            guard let v = Double(num) else { return nil }
            let unit: Double
            switch letters.lowercased() {
            case "d", "day", "days": unit = Double(Ticks.perDay)
            case "h", "hr", "hrs", "hour", "hours": unit = Double(Ticks.perHour)
            case "m", "min", "minute", "minutes": unit = Double(Ticks.perMinute)
            case "s", "sec", "second", "seconds": unit = Double(Ticks.perSecond)
            case "ms", "milli", "millis", "millisecond", "milliseconds": unit = Double(Ticks.perMillisecond)
            case "microsecond", "microseconds": unit = 10
            case "nanosecond", "nanoseconds": unit = 0.01
            case "tick", "ticks": unit = 1
            default: return nil
            }
            let t = (v * unit).rounded()
            guard abs(t) < 9.2e18 else { return nil }
            return neg ? -Int64(t) : Int64(t)
        }
        // d.hh:mm:ss.fffffff or hh:mm:ss
        var days: Int64 = 0
        var rest = Substring(s)
        if let colon = rest.firstIndex(of: ":"), let dot = rest[..<colon].firstIndex(of: ".") {
            guard let d = Int64(rest[..<dot]) else { return nil }
            days = d
            rest = rest[rest.index(after: dot)...]
        } else if !rest.contains(":") {
            guard let d = Int64(rest), let t = Ticks.scaled(d, Ticks.perDay) else { return nil }
            return neg ? -t : t
        }
        var c = Cursor(b: Array(rest.utf8))
        guard let t = parseTime(&c), c.done else { return nil }
        guard let total = Ticks.scaled(days, Ticks.perDay, plus: t) else { return nil }
        return neg ? -total : total
    }
}

extension String {
    func trimmingSpacesKQL() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
