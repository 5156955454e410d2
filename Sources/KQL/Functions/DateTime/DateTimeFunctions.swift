import Foundation

/// Datetime functions. Weeks start on Sunday as in Kusto; bins align to 0001-01-01 like Kusto's ticks.
enum DateTimeFunctions {
    /// Ticks between 0001-01-01 and the Unix epoch: Kusto's bins are aligned to its own epoch.
    static let kustoEpochOffset: Int64 = 719_162 * Ticks.perDay

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((0 &- a &+ b &- 1) / b) }

    static func binTicks(_ t: Int64, _ step: Int64, origin: Int64 = -kustoEpochOffset) -> Int64 {
        guard step > 0 else { return t }
        // Wrapping: out-of-range inputs give a wrong bin, never a trap; datetimes are range-checked by callers.
        return floorDiv(t &- origin, step) &* step &+ origin
    }

    static func binValue(_ v: Value, _ s: Value) -> Value {
        switch (v, s) {
        case (.datetime(let t), .timespan(let st)): return Ticks.datetime(binTicks(t, st))
        case (.timespan(let t), .timespan(let st)): return .timespan(binTicks(t, st, origin: 0))
        case (.long(let x), .long(let y)): return y <= 0 ? .null : .long(floorDiv(x, y) &* y)
        case (.null, _), (_, .null): return .null
        default:
            guard let x = v.asDouble, let y = s.asDouble, y > 0 else { return .null }
            return .real((x / y).rounded(.down) * y)
        }
    }

    static let binDef = FunctionDef("bin", args: 2...2, returns: { t in
        if t[0] == .datetime || t[0] == .timespan { return t[0] }
        if t[0] == .real || t[1] == .real || t[0] == .decimal { return .real }
        return t[0].isNumeric ? t[0] : (t[0] == .dynamic ? .real : nil)
    }, row: { a, _ in binValue(a[0], a[1]) }, vector: { v, t, n, _ in
        guard case .column(let c) = v[0], case .int64(let xs) = c.data, case .scalar(let s) = v[1] else { return nil }
        let step: Int64, origin: Int64
        switch (c.type, s) {
        case (.datetime, .timespan(let st)): step = st; origin = -kustoEpochOffset
        case (.timespan, .timespan(let st)), (.long, .long(let st)), (.int, .long(let st)): step = st; origin = 0
        default: return nil
        }
        guard step > 0 else { return nil }
        var out = [Int64](repeating: 0, count: n)
        xs.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let d = p[i] &- origin
                out[i] = (d >= 0 ? d / step : -((-d &+ step &- 1) / step)) &* step &+ origin
            }
        }
        return .column(Column(type: c.type, data: .int64(out), nulls: c.nulls))
    })

    static func parts(_ v: Value) -> DateTimeMath.Parts? {
        if case .datetime(let t) = v { return DateTimeMath.parts(t) }
        return nil
    }

    static func dt(_ name: String, _ ret: KQLType, _ f: @escaping @Sendable (Int64) -> Value) -> FunctionDef {
        F.row(name, 1...1, ret) { a, _ in
            guard case .datetime(let t) = a[0].converted(to: .datetime) else { return .null }
            return f(t)
        }
    }

    static func startOf(_ unit: String, _ t: Int64, _ offset: Int64) -> Int64? {
        // Offsets beyond 10,000 years leave Kusto's datetime range; refusing them also avoids overflow.
        guard offset.magnitude <= 4_000_000 else { return nil }
        let p = DateTimeMath.parts(t)
        switch unit {
        case "day": return DateTimeMath.ticks(year: p.year, month: p.month, day: p.day) + offset * Ticks.perDay
        case "week":
            let day = DateTimeMath.ticks(year: p.year, month: p.month, day: p.day)
            let dow = (floorDiv(day, Ticks.perDay) + 4) % 7
            return day - ((dow + 7) % 7) * Ticks.perDay + offset * 7 * Ticks.perDay
        case "month":
            let m = p.year * 12 + (p.month - 1) + offset
            return DateTimeMath.ticks(year: floorDiv(m, 12), month: m - floorDiv(m, 12) * 12 + 1, day: 1)
        case "year": return DateTimeMath.ticks(year: p.year + offset, month: 1, day: 1)
        default: return nil
        }
    }

    static func addMonths(_ t: Int64, _ months: Int64) -> Int64 {
        let p = DateTimeMath.parts(t)
        let m = p.year * 12 + (p.month - 1) + months
        let y = floorDiv(m, 12), mo = m - y * 12 + 1
        let d = min(p.day, DateTimeMath.daysInMonth(y, mo))
        return DateTimeMath.ticks(year: y, month: mo, day: d, hour: p.hour, minute: p.minute, second: p.second, fraction: p.fraction)
    }

    static func unitTicks(_ part: String) -> Int64? {
        switch part.lowercased() {
        case "day", "days", "d": return Ticks.perDay
        case "hour", "hours", "h": return Ticks.perHour
        case "minute", "minutes", "m": return Ticks.perMinute
        case "second", "seconds", "s": return Ticks.perSecond
        case "millisecond", "milliseconds", "ms": return Ticks.perMillisecond
        case "microsecond", "microseconds": return 10
        case "nanosecond", "nanoseconds": return 1
        case "week", "weeks": return 7 * Ticks.perDay
        default: return nil
        }
    }

    static func diff(_ part: String, _ a: Int64, _ b: Int64) -> Int64? {
        let p = part.lowercased()
        switch p {
        case "year", "years": return DateTimeMath.parts(a).year - DateTimeMath.parts(b).year
        case "quarter", "quarters":
            let pa = DateTimeMath.parts(a), pb = DateTimeMath.parts(b)
            return (pa.year * 4 + (pa.month - 1) / 3) - (pb.year * 4 + (pb.month - 1) / 3)
        case "month", "months":
            let pa = DateTimeMath.parts(a), pb = DateTimeMath.parts(b)
            return (pa.year * 12 + pa.month) - (pb.year * 12 + pb.month)
        case "week", "weeks":
            guard let sa = startOf("week", a, 0), let sb = startOf("week", b, 0) else { return nil }
            return (sa - sb) / (7 * Ticks.perDay)
        case "nanosecond", "nanoseconds":
            let (d, o) = a.subtractingReportingOverflow(b)
            return o ? nil : Ticks.scaled(d, 100)
        default:
            guard let u = unitTicks(p) else { return nil }
            return floorDiv(a, u) - floorDiv(b, u)
        }
    }

    static func isoWeek(_ t: Int64) -> Int64 {
        let days = floorDiv(t, Ticks.perDay)
        let dow = ((days + 3) % 7 + 7) % 7 // Monday = 0
        let thursday = days - dow + 3
        let y = DateTimeMath.civilFromDays(thursday).year
        let jan1 = DateTimeMath.daysFromCivil(y, 1, 1)
        return (thursday - jan1) / 7 + 1
    }

    static func tzOffset(_ t: Int64, _ zone: String, toLocal: Bool) -> Int64? {
        guard let tz = TimeZone(identifier: zone) else { return nil }
        let date = Date(timeIntervalSince1970: Double(t) / 1e7)
        if toLocal { return Int64(tz.secondsFromGMT(for: date)) * Ticks.perSecond }
        // Local → UTC: find the offset that maps back to the same local time.
        let guess = Int64(tz.secondsFromGMT(for: date)) * Ticks.perSecond
        let d2 = Date(timeIntervalSince1970: Double(t - guess) / 1e7)
        return -Int64(tz.secondsFromGMT(for: d2)) * Ticks.perSecond
    }

    static var all: [FunctionDef] {
        [
            F.row("now", 0...1, .datetime) { a, ctx in Ticks.datetime(ctx.now.addingReportingOverflow(a.first?.asInt64 ?? 0).partialValue) },
            F.row("utcnow", 0...0, .datetime) { _, ctx in .datetime(ctx.now) },
            F.row("ago", 1...1, .datetime) { a, ctx in
                guard case .timespan(let t) = a[0].converted(to: .timespan) else { return .null }
                let (r, o) = ctx.now.subtractingReportingOverflow(t)
                return o ? .null : Ticks.datetime(r)
            },
            binDef, F.alias(binDef, "floor"),
            FunctionDef("bin_at", args: 3...3, returns: { $0[0] == .dynamic ? .real : $0[0] }, row: { a, _ in
                switch (a[0], a[1], a[2]) {
                case (.datetime(let t), .timespan(let s), .datetime(let o)): return .datetime(binTicks(t, s, origin: o))
                case (.timespan(let t), .timespan(let s), .timespan(let o)): return .timespan(binTicks(t, s, origin: o))
                case (.long(let x), .long(let s), .long(let o)): return s <= 0 ? .null : .long(binTicks(x, s, origin: o))
                default:
                    guard let x = a[0].asDouble, let s = a[1].asDouble, let o = a[2].asDouble, s > 0 else { return .null }
                    return .real(((x - o) / s).rounded(.down) * s + o)
                }
            }),
            F.row("datetime_add", 3...3, .datetime) { a, _ in
                guard let n = a[1].asInt64, case .datetime(let t) = a[2] else { return .null }
                // Anything past ±10,000 years is out of Kusto's datetime range anyway.
                guard n.magnitude < 10_000 * 366 * 24 * 3600 * 1000 else { return .null }
                switch a[0].kqlString.lowercased() {
                case "year", "years": return n.magnitude > 10_000 ? .null : Ticks.datetime(addMonths(t, n * 12))
                case "quarter", "quarters": return n.magnitude > 40_000 ? .null : Ticks.datetime(addMonths(t, n * 3))
                case "month", "months": return n.magnitude > 120_000 ? .null : Ticks.datetime(addMonths(t, n))
                default:
                    guard let u = unitTicks(a[0].kqlString) else { return .null }
                    return Ticks.datetime(Ticks.scaled(n, u, plus: t))
                }
            },
            F.row("datetime_diff", 3...3, .long) { a, _ in
                guard case .datetime(let x) = a[1], case .datetime(let y) = a[2], let d = diff(a[0].kqlString, x, y) else { return .null }
                return .long(d)
            },
            F.row("datetime_part", 2...2, .long) { a, _ in
                guard case .datetime(let t) = a[1] else { return .null }
                let p = DateTimeMath.parts(t)
                switch a[0].kqlString.lowercased() {
                case "year": return .long(p.year)
                case "quarter": return .long((p.month - 1) / 3 + 1)
                case "month": return .long(p.month)
                case "week_of_year", "weekofyear", "week": return .long(isoWeek(t))
                case "day": return .long(p.day)
                case "dayofyear": return .long(floorDiv(t, Ticks.perDay) - DateTimeMath.daysFromCivil(p.year, 1, 1) + 1)
                case "hour": return .long(p.hour)
                case "minute": return .long(p.minute)
                case "second": return .long(p.second)
                case "millisecond": return .long(p.fraction / Ticks.perMillisecond)
                case "microsecond": return .long(p.fraction / 10)
                case "nanosecond": return .long(p.fraction * 100)
                default: return .null
                }
            },
            dt("dayofweek", .timespan) { t in .timespan(((floorDiv(t, Ticks.perDay) + 4) % 7 + 7) % 7 * Ticks.perDay) },
            dt("dayofmonth", .int) { .long(DateTimeMath.parts($0).day) },
            dt("dayofyear", .int) { t in .long(floorDiv(t, Ticks.perDay) - DateTimeMath.daysFromCivil(DateTimeMath.parts(t).year, 1, 1) + 1) },
            dt("hourofday", .int) { .long(DateTimeMath.parts($0).hour) },
            dt("getmonth", .int) { .long(DateTimeMath.parts($0).month) },
            dt("monthofyear", .int) { .long(DateTimeMath.parts($0).month) },
            dt("getyear", .int) { .long(DateTimeMath.parts($0).year) },
            dt("weekofyear", .int) { .long(isoWeek($0)) },
            dt("week_of_year", .int) { .long(isoWeek($0)) },
            dt("unixtime_seconds", .long) { .long(floorDiv($0, Ticks.perSecond)) },
            startEnd("startofday", "day", end: false), startEnd("startofweek", "week", end: false),
            startEnd("startofmonth", "month", end: false), startEnd("startofyear", "year", end: false),
            startEnd("endofday", "day", end: true), startEnd("endofweek", "week", end: true),
            startEnd("endofmonth", "month", end: true), startEnd("endofyear", "year", end: true),
            F.row("format_datetime", 2...2, .string) { a, _ in
                guard case .datetime(let t) = a[0] else { return .string("") }
                return .string(DateTimeFormat.format(t, a[1].kqlString))
            },
            F.row("format_timespan", 2...2, .string) { a, _ in
                guard case .timespan(let t) = a[0] else { return .string("") }
                return .string(DateTimeFormat.formatTimespan(t, a[1].kqlString))
            },
            F.row("make_datetime", 1...7, .datetime) { a, _ in
                let n = a.map { $0.asDouble }
                guard let y = n[0], y >= 1, y <= 9999 else { return .null }
                func part(_ i: Int, _ def: Double, _ range: ClosedRange<Double>) -> Int64? {
                    let v = i < n.count ? (n[i] ?? def) : def
                    return range.contains(v) ? Int64(v) : nil
                }
                guard let mo = part(1, 1, 1...12), let d = part(2, 1, 1...31), let h = part(3, 0, 0...23), let mi = part(4, 0, 0...59),
                      d <= DateTimeMath.daysInMonth(Int64(y), mo) else { return .null }
                let s = n.count > 5 ? n[5] ?? 0 : 0
                guard s >= 0, s < 60 else { return .null }
                return Ticks.datetime(DateTimeMath.ticks(year: Int64(y), month: mo, day: d, hour: h, minute: mi) + Int64((s * 1e7).rounded()))
            },
            F.row("make_timespan", 1...5, .timespan) { a, _ in
                let n = a.map { $0.asDouble ?? 0 }
                let units: [Double]
                switch n.count {
                case 1: units = [Double(Ticks.perDay)]
                case 2: units = [Double(Ticks.perHour), Double(Ticks.perMinute)]
                case 3: units = [Double(Ticks.perHour), Double(Ticks.perMinute), 1e7]
                default: units = [Double(Ticks.perDay), Double(Ticks.perHour), Double(Ticks.perMinute), 1e7]
                }
                return Ticks.from(zip(n, units).reduce(0) { $0 + $1.0 * $1.1 }).map { .timespan($0) } ?? .null
            },
            unix("unixtime_seconds_todatetime", 1e7), unix("unixtime_milliseconds_todatetime", 1e4),
            unix("unixtime_microseconds_todatetime", 10), unix("unixtime_nanoseconds_todatetime", 0.01),
            F.row("datetime_utc_to_local", 2...2, .datetime) { a, _ in
                guard case .datetime(let t) = a[0] else { return .null }
                guard let off = tzOffset(t, a[1].kqlString, toLocal: true) else { throw KQLError.runtime("unknown time zone '\(a[1].kqlString)'") }
                return .datetime(t + off)
            },
            F.row("datetime_local_to_utc", 2...2, .datetime) { a, _ in
                guard case .datetime(let t) = a[0] else { return .null }
                guard let off = tzOffset(t, a[1].kqlString, toLocal: false) else { throw KQLError.runtime("unknown time zone '\(a[1].kqlString)'") }
                return .datetime(t + off)
            },
            F.row("totimespan_ticks", 1...1, .timespan) { a, _ in a[0].asInt64.map { .timespan($0) } ?? .null },
        ]
    }

    static func startEnd(_ name: String, _ unit: String, end: Bool) -> FunctionDef {
        F.row(name, 1...2, .datetime) { a, _ in
            guard case .datetime(let t) = a[0] else { return .null }
            let off = a.count > 1 ? (a[1].asInt64 ?? 0) : 0
            if end { return Ticks.datetime(startOf(unit, t, off &+ 1).map { $0 - 1 }) }
            return Ticks.datetime(startOf(unit, t, off))
        }
    }

    static func unix(_ name: String, _ ticksPerUnit: Double) -> FunctionDef {
        F.row(name, 1...1, .datetime) { a, _ in
            guard let v = a[0].converted(to: .real).asDouble, v.isFinite else { return .null }
            return Ticks.datetime(Ticks.from(v * ticksPerUnit))
        }
    }
}
