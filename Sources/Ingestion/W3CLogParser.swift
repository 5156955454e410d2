public import KQL

/// W3C extended log format (IIS): `#Fields:` names the space-separated columns; `-` is an empty value.
/// `date` and `time` make `TimeGenerated` (UTC, as IIS writes them).
public enum W3CLogParser {
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, into b: inout BatchBuilder, options: ParseOptions, handler: BatchHandler) throws {
        var fields: [String] = []
        var targets: [Int?] = []
        try SyslogLogParser.forEachLine(bytes) { line, lineNo, end in
            b.position = end
            if line.hasPrefix("#") {
                if line.hasPrefix("#Fields:") {
                    fields = line.dropFirst(8).split(separator: " ").map(String.init)
                    targets = fields.map { f in fieldColumns[f].flatMap { b.resolveExisting($0) } }
                    for (f, t) in zip(fields, targets) where t == nil && f != "date" && f != "time" { b.noteDropped(f) }
                }
                return
            }
            guard !fields.isEmpty else {
                b.diagnostics.add(RecordDiagnostic(source: b.source, line: lineNo, reason: "record before any #Fields: directive; skipped", severity: .error))
                return
            }
            let values = line.split(separator: " ", omittingEmptySubsequences: false)
            b.beginRecord(line: lineNo)
            if values.count != fields.count {
                b.diagnostics.add(RecordDiagnostic(source: b.source, line: lineNo, reason: "\(values.count) values where #Fields: names \(fields.count)"))
            }
            var date: Substring = "", time: Substring = ""
            for (i, v) in values.enumerated() where i < fields.count {
                if fields[i] == "date" { date = v; b.set("Date", String(v)) }
                if fields[i] == "time" { time = v; b.set("Time", String(v)) }
                guard let c = targets[i], v != "-" else { continue }
                var s = String(v)
                s.withUTF8 { b.set(c, $0, kind: .text) }
            }
            if !date.isEmpty, let t = DateTimeParser.parse("\(date)T\(time.isEmpty ? "00:00:00" : time)Z") {
                b.set("TimeGenerated", value: .datetime(t))
            }
            b.endRecord()
            try b.flushIfFull(options, handler)
        }
        if b.rows > 0 { try handler(&b) }
    }

    static let fieldColumns: [String: String] = [
        "s-sitename": "sSiteName", "s-computername": "sComputerName", "s-ip": "sIP", "cs-method": "csMethod",
        "cs-uri-stem": "csUriStem", "cs-uri-query": "csUriQuery", "s-port": "sPort", "cs-username": "csUserName",
        "c-ip": "cIP", "cs-version": "csVersion", "cs(User-Agent)": "csUserAgent", "cs(Cookie)": "csCookie",
        "cs(Referer)": "csReferer", "cs-host": "csHost", "sc-status": "scStatus", "sc-substatus": "scSubStatus",
        "sc-win32-status": "scWin32Status", "sc-bytes": "scBytes", "cs-bytes": "csBytes", "time-taken": "TimeTaken",
    ]
}
