/// The input formats Vigil parses, recognised from a file name and its first bytes.
public enum LogFormat: String, Sendable, CaseIterable {
    case json, csv, syslog, cef, w3c

    /// The format of an input: an explicit choice wins, then the content, then the extension.
    public static func detect(name: String, head: UnsafeBufferPointer<UInt8>) -> LogFormat? {
        var i = 0
        if head.count >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF { i = 3 }
        while i < head.count, head[i] == 32 || head[i] == 9 || head[i] == 10 || head[i] == 13 { i += 1 }
        guard i < head.count else { return nil }
        if head[i] == UInt8(ascii: "{") || head[i] == UInt8(ascii: "[") { return .json }
        let firstLines = String(decoding: UnsafeBufferPointer(rebasing: head[i..<min(head.count, i + 4096)]), as: UTF8.self)
        let first = firstLines.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        if first.hasPrefix("#Software:") || first.hasPrefix("#Version:") || first.hasPrefix("#Fields:") || first.hasPrefix("#Date:") { return .w3c }
        let lower = name.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") { return .csv }
        if lower.hasSuffix(".json") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .json }
        if first.contains("CEF:") { return .cef }
        if first.hasPrefix("<") || SyslogMessage.bsdTime(Substring(first), reference: 0) != nil { return .syslog }
        if first.contains("\",\"") || first.hasPrefix("\"") || first.split(separator: ",").count >= 3 { return .csv }
        return nil
    }
}
