public import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`) in a time zone, as the
/// report job's `schedule`, or six fields with a leading second (as Quartz and Spring write it:
/// `*/10 * * * * *`): numbers, `*`, lists, ranges, steps (`*/15`, `1-5/2`), month and day names
/// (`JAN`, `FRI`), and 0 or 7 for Sunday. As in Vixie cron, when both day fields are restricted a day
/// matching either runs. Local times that a daylight-saving change skips do not run; repeated ones
/// run once.
public struct CronSchedule: Sendable, Equatable {
    public let text: String
    public let timeZone: TimeZone
    let seconds: Set<Int>, minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    let daysRestricted: Bool, weekdaysRestricted: Bool

    public init(_ text: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws(ReportError) {
        var f = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard f.count == 5 || f.count == 6 else {
            throw ReportError("schedule '\(text)': a cron expression has five fields (minute hour day month weekday), or six with a leading second")
        }
        self.text = text
        self.timeZone = timeZone
        seconds = f.count == 6 ? try Self.field(f.removeFirst(), 0...59, names: [:], what: "second", text) : [0]
        minutes = try Self.field(f[0], 0...59, names: [:], what: "minute", text)
        hours = try Self.field(f[1], 0...23, names: [:], what: "hour", text)
        days = try Self.field(f[2], 1...31, names: [:], what: "day of month", text)
        months = try Self.field(f[3], 1...12, names: Self.monthNames, what: "month", text)
        var wd = try Self.field(f[4], 0...7, names: Self.dayNames, what: "day of week", text)
        if wd.remove(7) != nil { wd.insert(0) }
        weekdays = wd
        daysRestricted = f[2] != "*" && f[2] != "?"
        weekdaysRestricted = f[4] != "*" && f[4] != "?"
    }

    static let monthNames = ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
    static let dayNames = ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]

    static func field(_ s: String, _ range: ClosedRange<Int>, names: [String: Int], what: String, _ text: String) throws(ReportError) -> Set<Int> {
        func value(_ v: Substring) throws(ReportError) -> Int {
            if let n = Int(v), range.contains(n) { return n }
            if let n = names[v.lowercased()] { return n }
            throw ReportError("schedule '\(text)': '\(v)' is not a \(what) (\(range.lowerBound)-\(range.upperBound))")
        }
        var out = Set<Int>()
        for part in s.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else { throw ReportError("schedule '\(text)': '\(part)' is not a \(what)") }
            var step = 1
            if pieces.count == 2 {
                guard let n = Int(pieces[1]), n > 0 else { throw ReportError("schedule '\(text)': '\(pieces[1])' is not a step") }
                step = n
            }
            var lo: Int, hi: Int
            if pieces[0] == "*" || pieces[0] == "?" {
                lo = range.lowerBound; hi = range.upperBound
            } else if let dash = pieces[0].firstIndex(of: "-") {
                lo = try value(pieces[0][..<dash]); hi = try value(pieces[0][pieces[0].index(after: dash)...])
                guard lo <= hi else { throw ReportError("schedule '\(text)': the range '\(pieces[0])' runs backwards") }
            } else {
                lo = try value(pieces[0]); hi = pieces.count == 2 ? range.upperBound : lo
            }
            out.formUnion(stride(from: lo, through: hi, by: step))
        }
        return out
    }

    /// The first time after `date` the schedule fires (nil if none within eight years: `0 0 30 2 *`).
    public func next(after date: Date) -> Date? {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let start = cal.dateComponents([.year, .month, .day], from: date)
        guard var day = cal.date(from: DateComponents(year: start.year, month: start.month, day: start.day, hour: 12)) else { return nil }
        for _ in 0..<(366 * 8) {
            let c = cal.dateComponents([.year, .month, .day, .weekday], from: day)
            if let y = c.year, let m = c.month, let d = c.day, let w = c.weekday, matches(month: m, day: d, weekday: w - 1) {
                for h in hours.sorted() {
                    for mi in minutes.sorted() {
                        for sec in seconds.sorted() {
                            let want = DateComponents(year: y, month: m, day: d, hour: h, minute: mi, second: sec)
                            guard let t = cal.date(from: want), t > date else { continue }
                            // A time the clocks skip comes back shifted: not a real local time.
                            let got = cal.dateComponents([.day, .hour, .minute], from: t)
                            if got.day == d && got.hour == h && got.minute == mi { return t }
                        }
                    }
                }
            }
            guard let n = cal.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = n
        }
        return nil
    }

    func matches(month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        switch (daysRestricted, weekdaysRestricted) {
        case (true, true): return days.contains(day) || weekdays.contains(weekday)
        case (true, false): return days.contains(day)
        case (false, true): return weekdays.contains(weekday)
        case (false, false): return true
        }
    }
}
