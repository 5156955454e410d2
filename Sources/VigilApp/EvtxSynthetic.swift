import Foundation
import Ingestion
import KQL

/// A busy Windows host's event log for the EVTX benchmark: Security logons (4624, 4625) and process
/// creations (4688), Sysmon process creations (1) and network connections (3), with the fields and
/// value types Windows writes, packed by `EvtxWriter` as Windows packs them (about 50 events per
/// chunk sharing their templates; each event's data an instance of its own template embedded in the
/// System template's, as in every recording of the Sigma regression set). Deterministic for a seed.
public enum EvtxSynthetic {
    struct Kind {
        var eventID: UInt64, provider: String, guid: String, channel: String, task: UInt64, version: UInt64, weight: Int
        var fields: [(String, UInt8)]
    }

    static let security = ("Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-A5BA-3E3B0328C30D}")
    static let sysmon = ("Microsoft-Windows-Sysmon", "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}")
    static let logon: [(String, UInt8)] = [
        ("SubjectUserSid", 0x13), ("SubjectUserName", 0x01), ("SubjectDomainName", 0x01), ("SubjectLogonId", 0x15), ("TargetUserSid", 0x13),
        ("TargetUserName", 0x01), ("TargetDomainName", 0x01), ("TargetLogonId", 0x15), ("LogonType", 0x08), ("LogonProcessName", 0x01),
        ("AuthenticationPackageName", 0x01), ("WorkstationName", 0x01), ("LogonGuid", 0x0f), ("TransmittedServices", 0x01), ("LmPackageName", 0x01),
        ("KeyLength", 0x08), ("ProcessId", 0x15), ("ProcessName", 0x01), ("IpAddress", 0x01), ("IpPort", 0x01), ("ImpersonationLevel", 0x01),
        ("ElevatedToken", 0x01),
    ]
    static let kinds: [Kind] = [
        Kind(eventID: 4624, provider: security.0, guid: security.1, channel: "Security", task: 12544, version: 2, weight: 35, fields: logon),
        Kind(eventID: 4625, provider: security.0, guid: security.1, channel: "Security", task: 12544, version: 0, weight: 5,
             fields: logon + [("Status", 0x14), ("FailureReason", 0x01), ("SubStatus", 0x14)]),
        Kind(eventID: 4688, provider: security.0, guid: security.1, channel: "Security", task: 13312, version: 2, weight: 25, fields: [
            ("SubjectUserSid", 0x13), ("SubjectUserName", 0x01), ("SubjectDomainName", 0x01), ("SubjectLogonId", 0x15), ("NewProcessId", 0x15),
            ("NewProcessName", 0x01), ("TokenElevationType", 0x01), ("ProcessId", 0x15), ("CommandLine", 0x01), ("TargetUserSid", 0x13),
            ("TargetUserName", 0x01), ("TargetDomainName", 0x01), ("TargetLogonId", 0x15), ("ParentProcessName", 0x01), ("MandatoryLabel", 0x13),
        ]),
        Kind(eventID: 1, provider: sysmon.0, guid: sysmon.1, channel: "Microsoft-Windows-Sysmon/Operational", task: 1, version: 5, weight: 20, fields: [
            ("RuleName", 0x01), ("UtcTime", 0x01), ("ProcessGuid", 0x0f), ("ProcessId", 0x08), ("Image", 0x01), ("FileVersion", 0x01),
            ("Description", 0x01), ("Product", 0x01), ("Company", 0x01), ("OriginalFileName", 0x01), ("CommandLine", 0x01), ("CurrentDirectory", 0x01),
            ("User", 0x01), ("LogonGuid", 0x0f), ("LogonId", 0x15), ("TerminalSessionId", 0x08), ("IntegrityLevel", 0x01), ("Hashes", 0x01),
            ("ParentProcessGuid", 0x0f), ("ParentProcessId", 0x08), ("ParentImage", 0x01), ("ParentCommandLine", 0x01), ("ParentUser", 0x01),
        ]),
        Kind(eventID: 3, provider: sysmon.0, guid: sysmon.1, channel: "Microsoft-Windows-Sysmon/Operational", task: 3, version: 5, weight: 15, fields: [
            ("RuleName", 0x01), ("UtcTime", 0x01), ("ProcessGuid", 0x0f), ("ProcessId", 0x08), ("Image", 0x01), ("User", 0x01), ("Protocol", 0x01),
            ("Initiated", 0x01), ("SourceIsIpv6", 0x01), ("SourceIp", 0x01), ("SourceHostname", 0x01), ("SourcePort", 0x06), ("SourcePortName", 0x01),
            ("DestinationIsIpv6", 0x01), ("DestinationIp", 0x01), ("DestinationHostname", 0x01), ("DestinationPort", 0x06), ("DestinationPortName", 0x01),
        ]),
    ]

    /// The System part's slots (0-12) as Windows' templates have them; slot 13 embeds the event's data,
    /// an instance of its own template (`data`), as Windows writes it.
    static func system(_ k: Kind, id: UInt32) -> EvtxWriter.Template {
        typealias T = EvtxWriter.Template
        func slotValue(_ i: Int, _ type: UInt8) -> EvtxValue { .xml([T.slot(i, type)]) }
        let system = el("System", [], [
            el("Provider", [("Name", .string(k.provider)), ("Guid", .string(k.guid))]),
            el("EventID", [], [T.slot(0, 0x06)]), el("Version", [], [T.slot(1, 0x04)]), el("Level", [], [T.slot(2, 0x04)]),
            el("Task", [], [T.slot(3, 0x06)]), el("Opcode", [], [T.slot(4, 0x04)]), el("Keywords", [], [T.slot(5, 0x15)]),
            el("TimeCreated", [("SystemTime", slotValue(6, 0x11))]), el("EventRecordID", [], [T.slot(7, 0x0a)]),
            el("Correlation"), el("Execution", [("ProcessID", slotValue(8, 0x08)), ("ThreadID", slotValue(9, 0x08))]),
            el("Channel", [], [T.slot(10, 0x01)]), el("Computer", [], [T.slot(11, 0x01)]), el("Security", [("UserID", slotValue(12, 0x13))]),
        ])
        return T(id: id, body: EvtxElement(name: "Event", attributes: [("xmlns", .string("http://schemas.microsoft.com/win/2004/08/events/event"))],
                                           children: [system, T.slot(13, 0x21)]))
    }

    static func data(_ k: Kind, id: UInt32) -> EvtxWriter.Template {
        EvtxWriter.Template(id: id, body: EvtxElement(name: "EventData", attributes: [], children: k.fields.enumerated().map { i, f in
            el("Data", [("Name", .string(f.0))], [EvtxWriter.Template.slot(i, f.1)])
        }))
    }

    static func el(_ name: String, _ attrs: [(String, EvtxValue)] = [], _ children: [EvtxNode] = []) -> EvtxNode {
        .element(EvtxElement(name: name, attributes: attrs, children: children))
    }

    /// `events` events from `start` (FILETIME), one every few milliseconds, as one .evtx file.
    public static func file(events: Int, start: Int64 = 133_620_000_000_000_000, seed: UInt64 = 42) -> [UInt8] {
        var writer = EvtxWriter()
        let systems = kinds.enumerated().map { system($1, id: UInt32(0x100 + $0)) }, datas = kinds.enumerated().map { Self.data($1, id: UInt32(0x1000 + $0)) }
        let weights = kinds.flatMap { k in Array(repeating: kinds.firstIndex { $0.eventID == k.eventID }!, count: k.weight) }
        var rng = seed
        func next() -> UInt64 { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return rng >> 33 }
        func pick<T>(_ xs: [T]) -> T { xs[Int(next() % UInt64(xs.count))] }
        let hosts = (1...40).map { "WS-\(String(format: "%04d", $0)).contoso.local" } + ["DC01.contoso.local", "FS01.contoso.local"]
        let users = (1...150).map { "user\($0)" } + ["svc_backup", "svc_sql", "administrator"]
        let images = [#"C:\Windows\System32\svchost.exe"#, #"C:\Windows\System32\cmd.exe"#, #"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"#,
                      #"C:\Program Files\Google\Chrome\Application\chrome.exe"#, #"C:\Windows\System32\conhost.exe"#, #"C:\Windows\explorer.exe"#,
                      #"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"#, #"C:\Windows\System32\taskhostw.exe"#]
        var time = start
        for n in 0..<events {
            let k = weights[Int(next() % UInt64(weights.count))]
            let kind = kinds[k]
            time += Int64(10_000 * (1 + next() % 20))
            let host = pick(hosts), user = pick(users), image = pick(images), parent = pick(images)
            let guid = String(format: "{%08X-%04X-%04X-%04X-%012llX}", UInt32(truncatingIfNeeded: next()), UInt16(truncatingIfNeeded: next()),
                              UInt16(truncatingIfNeeded: next()), UInt16(truncatingIfNeeded: next()), next() & 0xffff_ffff_ffff)
            let pid = 1000 + next() % 30000
            var values: [EvtxValue] = [.unsigned(kind.eventID), .unsigned(kind.version), .unsigned(kind.channel == "Security" ? 0 : 4), .unsigned(kind.task),
                                       .unsigned(0), .hex(kind.channel == "Security" ? (kind.eventID == 4625 ? 0x8010_0000_0000_0000 : 0x8020_0000_0000_0000) : 0x8000_0000_0000_0000, width: 64),
                                       .fileTime(time), .unsigned(UInt64(n + 1)), .unsigned(4 + next() % 900), .unsigned(next() % 9000),
                                       .string(kind.channel), .string(host), kind.channel == "Security" ? .null : .sid("S-1-5-18"), .null]
            var fields: [EvtxValue] = []
            for (name, type) in kind.fields {
                let v: EvtxValue
                switch (name, type) {
                case (_, 0x13): v = .sid(name.hasPrefix("Subject") || name == "MandatoryLabel" ? "S-1-5-18" : "S-1-5-21-3623811015-3361044348-30300820-\(1000 + next() % 500)")
                case (_, 0x15): v = .hex(next() & 0xfffff, width: 64)
                case (_, 0x14): v = .hex(0xc000_006d, width: 32)
                case (_, 0x0f): v = .guid(guid)
                case ("LogonType", _): v = .unsigned(pick([2, 3, 3, 3, 5, 10]))
                case (_, 0x08), (_, 0x06): v = .unsigned(name.contains("Port") ? pick([443, 80, 445, 53, 49_152 + next() % 10_000]) : pid)
                case ("SubjectUserName", _), ("ParentUser", _): v = .string(host.split(separator: ".")[0] + "$")
                case ("TargetUserName", _), ("User", _): v = .string(name == "User" ? "CONTOSO\\\(user)" : user)
                case (_, _) where name.hasSuffix("DomainName"): v = .string("CONTOSO")
                case ("NewProcessName", _), ("Image", _), ("ProcessName", _): v = .string(image)
                case ("ParentProcessName", _), ("ParentImage", _): v = .string(parent)
                case ("CommandLine", _), ("ParentCommandLine", _): v = .string("\"\(name == "CommandLine" ? image : parent)\" --type=\(pick(["renderer", "gpu", "utility"])) --id=\(next() % 100000)")
                case ("IpAddress", _), ("SourceIp", _): v = .string("10.0.\(next() % 40).\(next() % 250)")
                case ("DestinationIp", _): v = .string("\(20 + next() % 180).\(next() % 250).\(next() % 250).\(next() % 250)")
                case ("UtcTime", _): v = .string(String(EvtxValue.iso(time).prefix(23)).replacingOccurrences(of: "T", with: " "))
                case ("Hashes", _): v = .string(String(format: "SHA256=%016llX%016llX%016llX%016llX", next(), next(), next(), next()))
                case ("WorkstationName", _), ("SourceHostname", _): v = .string(String(host.split(separator: ".")[0]))
                case ("IpPort", _): v = .string(String(49_152 + next() % 10_000))
                case ("RuleName", _), ("TransmittedServices", _): v = .string("-")
                default: v = .string(name == "Protocol" ? "tcp" : name.hasSuffix("Ipv6") || name == "Initiated" ? "false" : "%%1842")
                }
                fields.append(v)
            }
            writer.append(systems[k], values: values, embedding: EvtxWriter.Embedded(slot: 13, template: datas[k], values: fields), written: time)
        }
        return writer.finish()
    }
}
