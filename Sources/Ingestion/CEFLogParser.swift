public import KQL
import Foundation

/// CEF lines (bare or behind a syslog header) into `CommonSecurityLog`, with the standard key → column
/// mapping of the Sentinel CEF connector; keys without a column are kept in `AdditionalExtensions`.
public enum CEFLogParser {
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, into b: inout BatchBuilder, options: ParseOptions,
                             senderIP: String? = nil, handler: BatchHandler) throws {
        try SyslogLogParser.forEachLine(bytes) { line, lineNo, end in
            b.position = end
            guard let cef = CEFMessage.parse(line) else {
                b.diagnostics.add(RecordDiagnostic(source: b.source, line: lineNo, reason: "not a CEF record (no 'CEF:' with seven '|' header fields); skipped", severity: .error))
                return
            }
            b.beginRecord(line: lineNo)
            // The syslog header in front of `CEF:`, when there is one, gives the host and the time.
            let prefix = line[..<line.range(of: "CEF:")!.lowerBound]
            let header = prefix.isEmpty ? nil : SyslogMessage.parse(prefix, reference: options.referenceTime)
            set(cef, syslog: header, into: &b)
            if let senderIP, header?.hostname.isEmpty ?? true { b.set("Computer", senderIP) }
            b.endRecord()
            try b.flushIfFull(options, handler)
        }
        if b.rows > 0 { try handler(&b) }
    }

    public static func set(_ m: CEFMessage, syslog: SyslogMessage?, into b: inout BatchBuilder) {
        b.set("DeviceVendor", m.deviceVendor)
        b.set("DeviceProduct", m.deviceProduct)
        b.set("DeviceVersion", m.deviceVersion)
        b.set("DeviceEventClassID", m.signatureID)
        b.set("Activity", m.name)
        b.set("LogSeverity", m.severity)
        b.set("SourceSystem", "OpsManager")
        if let s = syslog, !s.hostname.isEmpty { b.set("Computer", s.hostname) }
        // The device's own event time (`rt`) beats the syslog header's, which has no year.
        var time: Int64? = nil
        var additional: [String] = []
        for (k, v) in m.extensions {
            switch k {
            case "rt":
                b.set("ReceiptTime", v)
                time = cefTime(v)
                continue
            case "start", "end":
                if let t = cefTime(v) { b.set(k == "start" ? "StartTime" : "EndTime", value: .datetime(t)) }
                continue
            default: break
            }
            if let col = columnFor(k), let c = b.resolveExisting(col) {
                var text = v
                text.withUTF8 { b.set(c, $0, kind: .text) }
            } else {
                additional.append("\(k)=\(v)")
            }
        }
        if !additional.isEmpty { b.set("AdditionalExtensions", additional.joined(separator: ";")) }
        if let t = time ?? syslog?.timestamp { b.set("TimeGenerated", value: .datetime(t)) }
    }

    /// CEF times: milliseconds since the epoch, or `MMM dd yyyy HH:mm:ss[.SSS][ zone]`, or ISO.
    static func cefTime(_ v: String) -> Int64? {
        if let ms = Int64(v), v.count >= 12 { return ms * 10_000 }
        let parts = v.split(separator: " ")
        if parts.count >= 4, let mon = SyslogMessage.months.firstIndex(of: String(parts[0])), let d = Int64(parts[1]), let y = Int64(parts[2]),
           let tod = DateTimeParser.parse("2000-01-01T\(parts[3])Z") {
            return DateTimeMath.ticks(year: y, month: Int64(mon + 1), day: d) + (tod - DateTimeMath.ticks(year: 2000, month: 1, day: 1))
        }
        return DateTimeParser.parse(v)
    }

    static func columnFor(_ key: String) -> String? {
        if let c = keyColumns[key] { return c }
        // cs1..cs6, cn1..cn3, cfp1..cfp4, c6a1..c6a4, flexString1.. and their Label keys.
        for (prefix, column) in [("cs", "DeviceCustomString"), ("cn", "DeviceCustomNumber"), ("cfp", "DeviceCustomFloatingPoint"),
                                 ("c6a", "DeviceCustomIPv6Address"), ("flexString", "FlexString"), ("flexNumber", "FlexNumber"),
                                 ("flexDate", "FlexDate"), ("deviceCustomDate", "DeviceCustomDate")] where key.hasPrefix(prefix) {
            var rest = key.dropFirst(prefix.count)
            let label = rest.hasSuffix("Label")
            if label { rest = rest.dropLast(5) }
            guard rest.count == 1, let n = Int(rest) else { continue }
            return column + String(n) + (label ? "Label" : "")
        }
        return nil
    }

    /// The CEF dictionary keys and the `CommonSecurityLog` columns the Sentinel connector maps them to.
    static let keyColumns: [String: String] = [
        "act": "DeviceAction", "app": "ApplicationProtocol", "cat": "DeviceEventCategory", "cnt": "EventCount",
        "destinationDnsDomain": "DestinationDnsDomain", "destinationServiceName": "DestinationServiceName",
        "destinationTranslatedAddress": "DestinationTranslatedAddress", "destinationTranslatedPort": "DestinationTranslatedPort",
        "deviceDirection": "CommunicationDirection", "deviceDnsDomain": "DeviceDnsDomain", "deviceExternalId": "DeviceExternalID",
        "deviceFacility": "DeviceFacility", "deviceInboundInterface": "DeviceInboundInterface", "deviceNtDomain": "DeviceNtDomain",
        "deviceOutboundInterface": "DeviceOutboundInterface", "devicePayloadId": "DevicePayloadId", "deviceProcessName": "ProcessName",
        "deviceTranslatedAddress": "DeviceTranslatedAddress", "dhost": "DestinationHostName", "dmac": "DestinationMACAddress",
        "dntdom": "DestinationNTDomain", "dpid": "DestinationProcessId", "dpriv": "DestinationUserPrivileges",
        "dproc": "DestinationProcessName", "dpt": "DestinationPort", "dst": "DestinationIP", "dtz": "DeviceTimeZone",
        "duid": "DestinationUserID", "duser": "DestinationUserName", "dvc": "DeviceAddress", "dvchost": "DeviceName",
        "dvcmac": "DeviceMacAddress", "dvcpid": "ProcessID", "externalId": "ExternalID", "fileCreateTime": "FileCreateTime",
        "fileHash": "FileHash", "fileId": "FileID", "fileModificationTime": "FileModificationTime", "filePath": "FilePath",
        "filePermission": "FilePermission", "fileType": "FileType", "fname": "FileName", "fsize": "FileSize",
        "in": "ReceivedBytes", "msg": "Message", "oldFileCreateTime": "OldFileCreateTime", "oldFileHash": "OldFileHash",
        "oldFileId": "OldFileID", "oldFileModificationTime": "OldFileModificationTime", "oldFileName": "OldFileName",
        "oldFilePath": "OldFilePath", "oldFilePermission": "OldFilePermission", "oldFileSize": "OldFileSize",
        "oldFileType": "OldFileType", "out": "SentBytes", "outcome": "Outcome", "proto": "Protocol", "reason": "Reason",
        "request": "RequestURL", "requestClientApplication": "RequestClientApplication", "requestContext": "RequestContext",
        "requestCookies": "RequestCookies", "requestMethod": "RequestMethod", "shost": "SourceHostName", "smac": "SourceMACAddress",
        "sntdom": "SourceNTDomain", "sourceDnsDomain": "SourceDnsDomain", "sourceServiceName": "SourceServiceName",
        "sourceTranslatedAddress": "SourceTranslatedAddress", "sourceTranslatedPort": "SourceTranslatedPort",
        "spid": "SourceProcessId", "spriv": "SourceUserPrivileges", "sproc": "SourceProcessName", "spt": "SourcePort",
        "src": "SourceIP", "suid": "SourceUserID", "suser": "SourceUserName", "type": "EventType",
    ]
}
