import KQL
import OrderedCollections
import Foundation

/// EVTX records as the rows Sentinel's Windows agents write: the Security channel to
/// `SecurityEvent` (its columns filled from the event's data, `EventData` as Sentinel renders it),
/// every other channel (Sysmon, PowerShell, System...) to `Event` (`EventData` as the agent's XML)
/// and to `WindowsEvent` (`EventData` as an object). Each table's rows come out as JSON lines for
/// the ordinary JSON ingest path, which types them by the table's schema.
public enum EvtxTables {
    /// Table name → JSON lines, in record order.
    public static func jsonLines(_ records: [EvtxReader.Record], securityColumns: Set<String>) -> [String: String] {
        var out: [String: [String]] = [:]
        for r in records {
            let e = r.event
            let system = e.child("System")
            let provider = system?.child("Provider")?.attributes.first { $0.name == "Name" }?.value.text ?? ""
            let channel = system?.child("Channel")?.text ?? ""
            let computer = system?.child("Computer")?.text ?? ""
            let eventID = Int(system?.child("EventID")?.text ?? "") ?? 0
            let level = Int(system?.child("Level")?.text ?? "") ?? 0
            let task = Int(system?.child("Task")?.text ?? "") ?? 0
            let created = system?.child("TimeCreated")?.attributes.first { $0.name == "SystemTime" }?.value
            let time: String
            if case .fileTime(let ft)? = created { time = EvtxValue.iso(ft) } else { time = created?.text ?? EvtxValue.iso(r.written) }
            let userSID = system?.child("Security")?.attributes.first { $0.name == "UserID" }?.value.text ?? ""
            let data = fields(e)
            let dataXML = eventDataXML(e)
            if channel == "Security" {
                var row: [String: Any] = ["TimeGenerated": time, "Computer": computer, "EventID": eventID, "Channel": channel, "Task": task,
                                          "Level": String(level), "EventSourceName": provider, "EventData": dataXML, "SourceSystem": "OpsManager",
                                          "EventOriginId": String(r.id), "Activity": activity(eventID)]
                for (k, v) in data where securityColumns.contains(k) && row[k] == nil { row[k] = v }
                let logon = [4624, 4625, 4634, 4647, 4648, 4672, 4768, 4769, 4771, 4776].contains(eventID)
                let (domain, name) = logon && !(data["TargetUserName"] ?? "").isEmpty
                    ? (data["TargetDomainName"] ?? "", data["TargetUserName"] ?? "") : (data["SubjectDomainName"] ?? "", data["SubjectUserName"] ?? "")
                if !name.isEmpty && name != "-" {
                    row["Account"] = domain.isEmpty || domain == "-" ? name : "\(domain)\\\(name)"
                    row["AccountType"] = name.hasSuffix("$") ? "Machine" : "User"
                }
                out["SecurityEvent", default: []].append(json(row))
            } else {
                let levelName = [1: "Critical", 2: "Error", 3: "Warning", 4: "Information", 5: "Verbose"][level] ?? (level == 0 ? "Information" : "Level \(level)")
                let event: [String: Any] = ["TimeGenerated": time, "Source": provider, "EventLog": channel, "Computer": computer, "EventID": eventID,
                                            "EventLevel": level, "EventLevelName": levelName, "EventCategory": task, "UserName": userSID,
                                            "EventData": "<DataItem type=\"System.XPathNavigator\" time=\"\(time)\">" + dataXML + "</DataItem>",
                                            "SourceSystem": "OpsManager", "RenderedDescription": ""]
                out["Event", default: []].append(json(event))
                let windows: [String: Any] = ["TimeGenerated": time, "Provider": provider, "Channel": channel, "Computer": computer, "EventID": eventID,
                                              "EventLevel": level, "EventLevelName": levelName, "Task": task, "EventData": data,
                                              "EventOriginId": String(r.id), "Type": "WindowsEvent"]
                out["WindowsEvent", default: []].append(json(windows))
            }
        }
        return out.mapValues { $0.joined(separator: "\n") + "\n" }
    }

    /// The event's data as name → text: `<Data Name="X">` of EventData, or the elements of UserData's
    /// single child.
    public static func fields(_ e: EvtxElement) -> [String: String] {
        var out: [String: String] = [:]
        if let data = e.child("EventData") {
            var unnamed = 0
            for c in data.children {
                guard case .element(let d) = c else { continue }
                if let n = d.attributes.first(where: { $0.name == "Name" })?.value.text { out[n] = d.text.trimmingCharacters(in: .whitespaces) }
                else { out[unnamed == 0 ? d.name : "\(d.name)\(unnamed)"] = d.text; unnamed += 1 }
            }
        } else if let user = e.child("UserData"), case .element(let inner)? = user.children.first(where: { if case .element = $0 { return true } else { return false } }) {
            for c in inner.children { if case .element(let d) = c { out[d.name] = d.text } }
        }
        // Defender and a few other providers name fields with spaces ("Threat Name"); Sigma and most
        // queries spell them without ("ThreatName"): both are there.
        for (k, v) in out where k.contains(" ") {
            let joined = k.replacingOccurrences(of: " ", with: "")
            if out[joined] == nil { out[joined] = v }
        }
        return out
    }

    /// EventData (or UserData) as XML, the way Sentinel stores it in the `EventData` column.
    static func eventDataXML(_ e: EvtxElement) -> String {
        guard let data = e.child("EventData") ?? e.child("UserData") else { return "" }
        var element = data
        if data.name == "EventData", !data.attributes.contains(where: { $0.name == "xmlns" }) {
            element.attributes.append(("xmlns", .string("http://schemas.microsoft.com/win/2004/08/events/event")))
        }
        return xml(element)
    }

    static func xml(_ e: EvtxElement) -> String {
        var s = "<" + e.name
        for (n, v) in e.attributes { s += " \(n)=\"\(escape(v.text))\"" }
        if e.children.isEmpty { return s + " />" }
        s += ">"
        for c in e.children {
            switch c {
            case .element(let x): s += xml(x)
            case .text(let v): s += escape(v.text)
            }
        }
        return s + "</\(e.name)>"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// One JSON object, keys in byte order (the same record gives the same text). The engine's own
    /// writer: Foundation's sorted-keys serialization compared keys through ICU collation and was
    /// most of the time of mapping a record.
    static func json(_ o: [String: Any]) -> String {
        Value.bag(OrderedDictionary(uniqueKeysWithValues: o.sorted { $0.key < $1.key }.map { ($0.key, value($0.value)) })).jsonText
    }

    static func value(_ v: Any) -> Value {
        switch v {
        case let s as String: return .string(s)
        case let i as Int: return .long(Int64(i))
        case let d as [String: String]: return .bag(OrderedDictionary(uniqueKeysWithValues: d.sorted { $0.key < $1.key }.map { ($0.key, Value.string($0.value)) }))
        default: return .string("\(v)")
        }
    }

    /// Sentinel's `Activity` for the common Security events ("4624 - An account was successfully logged on.").
    static func activity(_ id: Int) -> String {
        let text: [Int: String] = [
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
        return text[id].map { "\(id) - \($0)" } ?? String(id)
    }
}
