public import KQL

/// Raw syslog lines (RFC 3164, RFC 5424) into Sentinel's `Syslog` columns. A line that carries a CEF
/// payload belongs to `CommonSecurityLog` instead; `LogFormat.detect` routes such files to the CEF parser.
public enum SyslogLogParser {
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, into b: inout BatchBuilder, options: ParseOptions,
                             senderIP: String? = nil, handler: BatchHandler) throws {
        try forEachLine(bytes) { line, lineNo, end in
            b.beginRecord(line: lineNo)
            b.position = end
            set(SyslogMessage.parse(line, reference: options.referenceTime), senderIP: senderIP, into: &b)
            b.endRecord()
            try b.flushIfFull(options, handler)
        }
        if b.rows > 0 { try handler(&b) }
    }

    /// Fills one record from a parsed message.
    public static func set(_ m: SyslogMessage, senderIP: String?, into b: inout BatchBuilder) {
        if let t = m.timestamp {
            b.set("TimeGenerated", value: .datetime(t))
            b.set("EventTime", value: .datetime(t))
        }
        if !m.hostname.isEmpty { b.set("Computer", m.hostname); b.set("HostName", m.hostname) }
        let facility = m.facility ?? 1, severity = m.severity ?? 5   // RFC 3164 §4.3.3: no PRI means user.notice
        b.set("Facility", SyslogMessage.facilityNames[min(facility, 23)])
        b.set("SeverityLevel", SyslogMessage.severityNames[severity])
        if !m.appName.isEmpty { b.set("ProcessName", m.appName) }
        if let pid = Int64(m.procID) { b.set("ProcessID", value: .long(pid)) }
        var message = m.message
        // Structured data is kept in front of the message so that nothing the sender wrote is lost.
        if !m.structuredData.isEmpty { message = m.message.isEmpty ? m.structuredData : m.structuredData + " " + m.message }
        b.set("SyslogMessage", message)
        if let senderIP { b.set("HostIP", senderIP) }
        b.set("SourceSystem", "Linux")
    }

    /// Calls `body` with each non-empty line (without CR/LF), its 1-based number and its end offset.
    static func forEachLine(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Substring, Int, Int) throws -> Void) throws {
        var start = 0, lineNo = 1
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 10 { end += 1 }
            var e = end
            if e > start && bytes[e - 1] == 13 { e -= 1 }
            if e > start {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<e]), as: UTF8.self)
                try body(Substring(s), lineNo, end)
            }
            lineNo += 1
            start = end + 1
        }
    }
}
