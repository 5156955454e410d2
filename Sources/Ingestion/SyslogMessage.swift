public import KQL

/// One syslog message split into its header fields: RFC 5424, RFC 3164 (BSD) and header-less lines,
/// as devices actually send them (optional PRI, space-padded days, ISO times in BSD position).
public struct SyslogMessage: Sendable, Equatable {
    public enum Format: String, Sendable { case rfc5424, rfc3164, bare }
    public var format: Format
    public var facility: Int?
    public var severity: Int?
    public var timestamp: Int64?
    public var hostname: String = ""
    public var appName: String = ""
    public var procID: String = ""
    public var msgID: String = ""
    public var structuredData: String = ""
    public var message: String = ""

    public static let facilityNames = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
                                       "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4",
                                       "local5", "local6", "local7"]
    public static let severityNames = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Parses one line. `reference` is the receive time: RFC 3164 dates carry no year, so the year is
    /// the reference's, or the one before when that would put the event more than a day in the future.
    public static func parse(_ line: Substring, reference: Int64) -> SyslogMessage {
        var m = SyslogMessage(format: .bare)
        var rest = line.drop { $0 == " " || $0 == "\u{FEFF}" }
        if rest.first == "<", let close = rest.firstIndex(of: ">"), rest.distance(from: rest.startIndex, to: close) <= 4,
           let pri = Int(rest[rest.index(after: rest.startIndex)..<close]), pri < 192 {
            m.facility = pri / 8
            m.severity = pri % 8
            rest = rest[rest.index(after: close)...]
        }
        // RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]
        if rest.first == "1", rest.dropFirst().first == " " {
            var t = Tokens(rest.dropFirst(2))
            m.format = .rfc5424
            let ts = t.next()
            if ts != "-" { m.timestamp = DateTimeParser.parse(String(ts)) }
            m.hostname = nilDash(t.next())
            m.appName = nilDash(t.next())
            m.procID = nilDash(t.next())
            m.msgID = nilDash(t.next())
            let sd = t.structuredData()
            m.structuredData = sd == "-" ? "" : String(sd)
            var msg = t.remainder
            if msg.hasPrefix("\u{FEFF}") { msg = msg.dropFirst() }
            m.message = String(msg)
            return m
        }
        // RFC 3164: Mmm dd hh:mm:ss HOST TAG[PID]: MSG (also ISO time in place of the BSD one).
        var t = Tokens(rest)
        if let (ts, after) = bsdTime(rest, reference: reference) {
            m.format = .rfc3164
            m.timestamp = ts
            t = Tokens(after)
        } else if let first = rest.split(separator: " ", maxSplits: 1).first, first.count >= 19, first.first?.isNumber == true,
                  let ts = DateTimeParser.parse(String(first)) {
            m.format = .rfc3164
            m.timestamp = ts
            t = Tokens(rest.dropFirst(first.count))
        } else {
            m.message = String(rest)
            return m
        }
        m.hostname = String(t.next())
        // TAG: a word ending in ':' or '[pid]:'; otherwise the line has no tag.
        let save = t
        let tag = t.next()
        if let colon = tag.lastIndex(of: ":"), colon == tag.index(before: tag.endIndex) {
            let word = tag[..<colon]
            if let lb = word.firstIndex(of: "["), word.last == "]" {
                m.appName = String(word[..<lb])
                m.procID = String(word[word.index(after: lb)..<word.index(before: word.endIndex)])
            } else {
                m.appName = String(word)
            }
            m.message = String(t.remainder)
        } else if let lb = tag.firstIndex(of: "["), tag.last == "]" {
            m.appName = String(tag[..<lb])
            m.procID = String(tag[tag.index(after: lb)..<tag.index(before: tag.endIndex)])
            m.message = String(t.remainder)
        } else {
            t = save
            m.message = String(t.remainder)
        }
        return m
    }

    static func nilDash(_ s: Substring) -> String { s == "-" ? "" : String(s) }

    /// `Mmm dd hh:mm:ss` (day space-padded), optionally followed by a year: the time and the rest.
    static func bsdTime(_ s: Substring, reference: Int64) -> (Int64, Substring)? {
        let u = Array(s.utf8.prefix(21))
        guard u.count >= 15, let mon = months.firstIndex(of: String(decoding: u[0..<3], as: UTF8.self)), u[3] == 32 else { return nil }
        var i = 4
        if u[i] == 32 { i += 1 }
        var day = 0
        while i < u.count, u[i] >= 48, u[i] <= 57 { day = day * 10 + Int(u[i] - 48); i += 1 }
        guard i < u.count, u[i] == 32, day >= 1, day <= 31, i + 9 <= u.count else { return nil }
        i += 1
        func two(_ k: Int) -> Int? { (u[k] >= 48 && u[k] <= 57 && u[k + 1] >= 48 && u[k + 1] <= 57) ? Int(u[k] - 48) * 10 + Int(u[k + 1] - 48) : nil }
        guard let h = two(i), u[i + 2] == 58, let mi = two(i + 3), u[i + 5] == 58, let sec = two(i + 6) else { return nil }
        i += 8
        let refYear = DateTimeMath.parts(reference).year
        var ticks = DateTimeMath.ticks(year: refYear, month: Int64(mon + 1), day: Int64(day), hour: Int64(h), minute: Int64(mi), second: Int64(sec))
        if ticks > reference + 864_000_000_000 {
            ticks = DateTimeMath.ticks(year: refYear - 1, month: Int64(mon + 1), day: Int64(day), hour: Int64(h), minute: Int64(mi), second: Int64(sec))
        }
        var rest = s.dropFirst(i)
        if rest.first == " " { rest = rest.dropFirst() }
        return (ticks, rest)
    }

    /// Space-separated header tokens, then the remainder verbatim.
    struct Tokens {
        var s: Substring
        init(_ s: Substring) { self.s = s }
        mutating func next() -> Substring {
            s = s.drop { $0 == " " }
            let end = s.firstIndex(of: " ") ?? s.endIndex
            let tok = s[..<end]
            s = s[end...]
            return tok
        }
        /// RFC 5424 STRUCTURED-DATA: `-` or one or more `[...]` elements (with `\]` escapes).
        mutating func structuredData() -> Substring {
            s = s.drop { $0 == " " }
            if s.first == "-" { s = s.dropFirst(); return "-" }
            var i = s.startIndex
            while i < s.endIndex, s[i] == "[" {
                var escaped = false
                i = s.index(after: i)
                while i < s.endIndex {
                    let c = s[i]
                    if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "]" { break }
                    i = s.index(after: i)
                }
                if i < s.endIndex { i = s.index(after: i) }
            }
            let sd = s[..<i]
            s = s[i...]
            return sd
        }
        var remainder: Substring { s.first == " " ? s.dropFirst() : s }
    }
}
