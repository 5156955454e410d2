import KQL
import OrderedCollections
import Foundation

/// EVTX records as the rows Sentinel's Windows agents write: the Security channel to
/// `SecurityEvent` (its columns filled from the event's data, `EventData` as Sentinel renders it),
/// every other channel (Sysmon, PowerShell, System...) to `Event` (`EventData` as the agent's XML)
/// and to `WindowsEvent` (`EventData` as an object). Rows go straight into the tables' batch builders,
/// which type them by each table's schema.
public enum EvtxTables {
    /// The three tables an EVTX file fills.
    public struct Batches {
        public var security: BatchBuilder
        public var event: BatchBuilder
        public var windows: BatchBuilder
        /// Each table's builder, made by `builder` from the table's name.
        public init(_ builder: (String) -> BatchBuilder) {
            security = builder("SecurityEvent"); event = builder("Event"); windows = builder("WindowsEvent")
        }
        public var rows: Int { security.rows + event.rows + windows.rows }
    }

    static let unixEpochInFileTime: Int64 = 116_444_736_000_000_000

    /// A FILETIME as the engine's datetime, at the microsecond evtx_dump and Sentinel's exports show.
    static func datetime(fileTime: Int64) -> Value { .datetime((fileTime - unixEpochInFileTime) / 10 * 10) }
    static let logonEvents: Set<Int> = [4624, 4625, 4634, 4647, 4648, 4672, 4768, 4769, 4771, 4776]
    static let levelNames = [1: "Critical", 2: "Error", 3: "Warning", 4: "Information", 5: "Verbose"]

    /// One event into its channel's tables.
    public static func append(_ v: EvtxEventView, id: UInt64, written: Int64, into b: inout Batches) {
        let e = v.root
        let system = v.child(e, "System")
        func sys(_ name: String) -> String { system.flatMap { v.child($0, name) }.map { v.text($0) } ?? "" }
        func number(_ name: String) -> Int {
            guard let x = system.flatMap({ v.child($0, name) }) else { return 0 }
            switch v.typedValue(x) {
            case .unsigned(let u)?: return Int(truncatingIfNeeded: u)
            case .signed(let i)?: return Int(truncatingIfNeeded: i)
            default: return Int(v.text(x)) ?? 0
            }
        }
        let provider = system.flatMap { v.child($0, "Provider") }.flatMap { v.attribute($0, "Name") }?.text ?? ""
        let channel = sys("Channel"), computer = sys("Computer")
        let eventID = number("EventID"), level = number("Level"), task = number("Task")
        let created = system.flatMap { v.child($0, "TimeCreated") }.flatMap { v.attribute($0, "SystemTime") }
        let time: Value
        if case .fileTime(let ft)? = created { time = datetime(fileTime: ft) }
        else if let t = created?.text, let d = DateTimeParser.parse(t) { time = .datetime(d) }
        else { time = datetime(fileTime: written) }
        let userSID = system.flatMap { v.child($0, "Security") }.flatMap { v.attribute($0, "UserID") }?.text ?? ""
        let data = fields(v)
        // The rendered XML goes into its column as bytes: no String for the widest value of the event.
        var xml: [UInt8] = []
        xml.reserveCapacity(4096)
        if channel == "Security" {
            eventDataXML(v, into: &xml)
            xml.withUnsafeBufferPointer { setBytes(&b.security, "EventData", $0) }
            var row: [(String, Value)] = [("TimeGenerated", time), ("Computer", .string(computer)), ("EventID", .long(Int64(eventID))),
                                          ("Channel", .string(channel)), ("Task", .long(Int64(task))), ("Level", .string(String(level))),
                                          ("EventSourceName", .string(provider)), ("SourceSystem", .string("OpsManager")),
                                          ("EventOriginId", .string(String(id))), ("Activity", .string(activity(eventID)))]
            let (domain, name) = logonEvents.contains(eventID) && !(data["TargetUserName"] ?? "").isEmpty
                ? (data["TargetDomainName"] ?? "", data["TargetUserName"] ?? "") : (data["SubjectDomainName"] ?? "", data["SubjectUserName"] ?? "")
            if !name.isEmpty && name != "-" {
                row.append(("Account", .string(domain.isEmpty || domain == "-" ? name : "\(domain)\\\(name)")))
                row.append(("AccountType", .string(name.hasSuffix("$") ? "Machine" : "User")))
            }
            for (k, v) in row { set(&b.security, k, v) }
            // The event's own fields fill the columns the fixed ones left.
            for (k, text) in data { setText(&b.security, k, text) }
            b.security.endRecord()
        } else {
            let levelName = Self.levelName(level)
            // The agent's DataItem carries the time as evtx_dump prints it (microseconds).
            let stamp: String
            if case .fileTime(let ft)? = created { stamp = EvtxValue.iso(ft) } else { stamp = created?.text ?? EvtxValue.iso(written) }
            let event: [(String, Value)] = [
                ("TimeGenerated", time), ("Source", .string(provider)), ("EventLog", .string(channel)), ("Computer", .string(computer)),
                ("EventID", .long(Int64(eventID))), ("EventLevel", .long(Int64(level))), ("EventLevelName", .string(levelName)),
                ("EventCategory", .long(Int64(task))), ("UserName", .string(userSID)),
                ("SourceSystem", .string("OpsManager")), ("RenderedDescription", .string("")),
            ]
            xml.append(contentsOf: "<DataItem type=\"System.XPathNavigator\" time=\"\(stamp)\">".utf8)
            eventDataXML(v, into: &xml)
            xml.append(contentsOf: "</DataItem>".utf8)
            xml.withUnsafeBufferPointer { setBytes(&b.event, "EventData", $0) }
            for (k, v) in event { set(&b.event, k, v) }
            b.event.endRecord()
            let windows: [(String, Value)] = [
                ("TimeGenerated", time), ("Provider", .string(provider)), ("Channel", .string(channel)), ("Computer", .string(computer)),
                ("EventID", .long(Int64(eventID))), ("EventLevel", .long(Int64(level))), ("EventLevelName", .string(levelName)),
                ("Task", .long(Int64(task))),
                ("EventData", .bag(OrderedDictionary(uniqueKeysWithValues: data.sorted { $0.key < $1.key }.map { ($0.key, Value.string($0.value)) }))),
                ("EventOriginId", .string(String(id))),
            ]
            for (k, v) in windows { set(&b.windows, k, v) }
            b.windows.endRecord()
        }
    }

    /// One record's fields into a builder, in place (a copy of the builder per row would copy its
    /// columns): only the table's own columns, the first value of each wins.
    static func set(_ b: inout BatchBuilder, _ name: String, _ value: Value) {
        if let c = b.resolve(name) { b.set(c, value: value) }
    }

    static func setBytes(_ b: inout BatchBuilder, _ name: String, _ bytes: UnsafeBufferPointer<UInt8>) {
        if let c = b.resolve(name) { b.set(c, bytes, kind: .text) }
    }

    static func setText(_ b: inout BatchBuilder, _ name: String, _ text: String) {
        var t = text
        t.withUTF8 { setBytes(&b, name, $0) }
    }

    /// The event's data as name → text: `<Data Name="X">` of EventData, or the elements of UserData's
    /// single child.
    public static func fields(_ e: EvtxElement) -> [String: String] { fields(EvtxEventView(root: e)) }

    public static func fields(_ v: EvtxEventView) -> [String: String] {
        var out: [String: String] = [:]
        out.reserveCapacity(24)  // most events have 5-24 fields: no rehash while filling it
        if let data = v.child(v.root, "EventData") {
            var unnamed = 0
            for c in data.children {
                guard case .element(let d) = c, ChunkReader.substitutionID(d) == nil else { continue }
                if let n = v.attribute(d, "Name")?.text { out[n] = trimmed(v.text(d)) }
                else { out[unnamed == 0 ? d.name : "\(d.name)\(unnamed)"] = v.text(d); unnamed += 1 }
            }
        } else if let user = v.child(v.root, "UserData"),
                  case .element(let inner)? = user.children.first(where: { if case .element(let x) = $0 { return ChunkReader.substitutionID(x) == nil } else { return false } }) {
            for c in inner.children { if case .element(let d) = c, ChunkReader.substitutionID(d) == nil { out[d.name] = v.text(d) } }
        }
        // Defender and a few other providers name fields with spaces ("Threat Name"); Sigma and most
        // queries spell them without ("ThreatName"): both are there.
        for (k, x) in out where k.utf8.contains(0x20) {
            let joined = k.replacingOccurrences(of: " ", with: "")
            if out[joined] == nil { out[joined] = x }
        }
        return out
    }

    /// Without leading and trailing spaces and tabs (Foundation's trimming, per field, was an eighth
    /// of mapping an event; almost no value has any).
    static func trimmed(_ s: String) -> String {
        let u = s.utf8
        guard let first = u.first, let last = u.last else { return s }
        func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c >= 0x80 }
        guard blank(first) || blank(last) else { return s }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// EventData (or UserData) as XML, the way Sentinel stores it in the `EventData` column.
    static func eventDataXML(_ v: EvtxEventView, into s: inout [UInt8]) {
        guard let data = v.child(v.root, "EventData") ?? v.child(v.root, "UserData") else { return }
        var element = data
        if data.name == "EventData", !data.attributes.contains(where: { $0.name == "xmlns" }) {
            element.attributes.append(("xmlns", .string("http://schemas.microsoft.com/win/2004/08/events/event")))
        }
        v.xml(element, into: &s)
    }

    /// `EventLevelName` as the agent writes it.
    static func levelName(_ level: Int) -> String { levelNames[level] ?? (level == 0 ? "Information" : "Level \(level)") }

    /// Sentinel's `Activity` for the common Security events ("4624 - An account was successfully logged on.").
    static func activity(_ id: Int) -> String {
        activityText[id].map { "\(id) - \($0)" } ?? String(id)
    }

    static let activityText: [Int: String] = [
        1102: "The audit log was cleared.", 4624: "An account was successfully logged on.", 4625: "An account failed to log on.",
        4634: "An account was logged off.", 4648: "A logon was attempted using explicit credentials.", 4656: "A handle to an object was requested.",
        4657: "A registry value was modified.", 4662: "An operation was performed on an object.", 4663: "An attempt was made to access an object.",
        4672: "Special privileges assigned to new logon.", 4688: "A new process has been created.", 4697: "A service was installed in the system.",
        4698: "A scheduled task was created.", 4702: "A scheduled task was updated.", 4719: "System audit policy was changed.",
        4720: "A user account was created.", 4726: "A user account was deleted.", 4728: "A member was added to a security-enabled global group.",
        4732: "A member was added to a security-enabled local group.", 4742: "A computer account was changed.", 4756: "A member was added to a security-enabled universal group.",
        4768: "A Kerberos authentication ticket (TGT) was requested.", 4769: "A Kerberos service ticket was requested.",
        4771: "Kerberos pre-authentication failed.", 4776: "The computer attempted to validate the credentials for an account.",
        5140: "A network share object was accessed.", 5145: "A network share object was checked to see whether client can be granted desired access.",
    ]
}
