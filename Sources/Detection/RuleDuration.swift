import Foundation
import KQL

/// Rule durations: Sentinel's short form (`5m`, `1h`, `14d`, `30s`) and ISO 8601 (`PT5M`, `P14D`,
/// `P1DT12H`), as 100 ns ticks.
public enum RuleDuration {
    public static func parse(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return nil }
        if t.first == "P" || t.first == "p" { return iso(Array(t.uppercased().dropFirst())) }
        let unit = t.last!.lowercased()
        guard let n = Int64(t.dropLast()), n >= 0 else { return nil }
        switch unit {
        case "s": return n * Ticks.perSecond
        case "m": return n * Ticks.perMinute
        case "h": return n * Ticks.perHour
        case "d": return n * Ticks.perDay
        default: return nil
        }
    }

    static func iso(_ c: [Character]) -> Int64? {
        var total: Int64 = 0, n: Int64 = 0, digits = 0, inTime = false, any = false
        for ch in c {
            if let d = ch.wholeNumberValue { n = n * 10 + Int64(d); digits += 1; continue }
            if ch == "T" { inTime = true; continue }
            guard digits > 0 else { return nil }
            switch (ch, inTime) {
            case ("W", false): total += n * 7 * Ticks.perDay
            case ("D", false): total += n * Ticks.perDay
            case ("H", true): total += n * Ticks.perHour
            case ("M", true): total += n * Ticks.perMinute
            case ("S", true): total += n * Ticks.perSecond
            default: return nil
            }
            n = 0; digits = 0; any = true
        }
        return any && digits == 0 ? total : nil
    }

    /// The short form back (`1h`, `14d`, `90m`), for messages and exports.
    public static func format(_ ticks: Int64) -> String {
        if ticks % Ticks.perDay == 0 { return "\(ticks / Ticks.perDay)d" }
        if ticks % Ticks.perHour == 0 { return "\(ticks / Ticks.perHour)h" }
        if ticks % Ticks.perMinute == 0 { return "\(ticks / Ticks.perMinute)m" }
        return "\(ticks / Ticks.perSecond)s"
    }
}
