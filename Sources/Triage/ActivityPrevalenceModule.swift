import Foundation
import KQL
import VigilCore

/// What the incident's alerts matched, against the whole estate: each process launch in the alerts'
/// query results (parent, program and command line with its numbers masked, so that a renderer's
/// client id or a temp file's name does not make every launch unique) is counted on every host over
/// the lookback before the incident. A launch that `minHosts` or more hosts ran before is common
/// activity in this estate (level `common`); fewer is `uncommon`, a command line never seen (an
/// encoded PowerShell command) among them. Each fact states the launches and hosts it counted, and
/// the accounts that ran the launch in the alerts (a privileged account's own launches are what its
/// gate weighs).
public struct ActivityPrevalenceModule: EvidenceModule {
    public let name = "Estate prevalence"
    public var minHosts = 10
    public init() {}

    /// Masks user profile folders and digit-led runs (counters, ids, hex addresses) the same way in the
    /// alert's rows and the logs: `setup_37254.bat` in each user's temp folder is one launch.
    static let shape = ##"replace_regex(replace_regex(tolower(Cmd), @"(\\users\\)[^\\]+", @"\1*"), @"[0-9][0-9a-fx]*", "#")"##

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        let own = ctx.incident.alerts.filter { !$0.isAnomaly }.map(\.systemAlertID)
        guard !own.isEmpty, let acts = try ctx.query("""
            SecurityAlert
            | where SystemAlertId in (own)
            | summarize arg_max(TimeGenerated, ExtendedProperties) by SystemAlertId
            | mv-expand Row = todynamic(tostring(todynamic(ExtendedProperties)["Query Results"]))
            | extend Parent = iff(isnotempty(tostring(Row.ParentProcessName)), tostring(Row.ParentProcessName), tostring(Row.EventData.ParentImage)),
                     Image = iff(isnotempty(tostring(Row.NewProcessName)), tostring(Row.NewProcessName), tostring(Row.EventData.Image)),
                     Cmd = iff(isnotempty(tostring(Row.CommandLine)), tostring(Row.CommandLine), tostring(Row.EventData.CommandLine)),
                     Account = iff(isnotempty(tostring(Row.Account)), tostring(Row.Account), tostring(Row.EventData.User))
            | where isnotempty(Image)
            | extend Parent = tolower(tostring(split(Parent, "\\\\")[-1])), Program = tolower(tostring(split(Image, "\\\\")[-1])), Shape = \(Self.shape)
            | summarize Alerts = dcount(SystemAlertId), Accounts = make_set(tolower(Account), 50) by Parent, Program, Shape
            | take 200
            """, extra: ["own": .array(own.map { .string($0) })]), acts.count > 0 else { return [] }
        let launches = acts.rowDicts(limit: 200)
        let pairs = Set(launches.map { "\($0["Parent"] ?? "")|\($0["Program"] ?? "")" })
        let from = ctx.incident.firstActivityTime - 60 * 10_000_000
        let counts = try ctx.query("""
            union isfuzzy=true
                (SecurityEvent | where TimeGenerated >= hsince and TimeGenerated < wfrom and EventID == 4688
                 | project Computer, Parent = ParentProcessName, Image = NewProcessName, Cmd = CommandLine),
                (WindowsEvent | where TimeGenerated >= hsince and TimeGenerated < wfrom and EventID == 1 and Provider == "Microsoft-Windows-Sysmon"
                 | project Computer, Parent = tostring(EventData.ParentImage), Image = tostring(EventData.Image), Cmd = tostring(EventData.CommandLine))
            | extend Pair = strcat(tolower(tostring(split(Parent, "\\\\")[-1])), "|", tolower(tostring(split(Image, "\\\\")[-1])))
            | where Pair in (pairs)
            | extend Shape = \(Self.shape)
            | summarize Hosts = dcount(tolower(Computer)), Runs = count() by Pair, Shape
            """, extra: ["pairs": .array(pairs.sorted().map { .string($0) }), "hsince": .datetime(from - ctx.lookback), "wfrom": .datetime(from)])
        var seen: [String: (hosts: Int, runs: Int)] = [:]
        for r in counts?.rowDicts(limit: 100_000) ?? [] {
            seen["\(r["Pair"] ?? "")|\(r["Shape"] ?? "")"] = (Int(r["Hosts"] ?? "") ?? 0, Int(r["Runs"] ?? "") ?? 0)
        }
        let days = ctx.lookback / 864_000_000_000
        return launches.map { r in
            let parent = r["Parent"] ?? "", program = r["Program"] ?? "", shape = r["Shape"] ?? ""
            let n = seen["\(parent)|\(program)|\(shape)"] ?? (0, 0)
            let common = n.hosts >= minHosts
            let what = "\(parent.isEmpty ? "(no parent)" : parent) → \(program)" + (shape.isEmpty ? "" : " (\(Self.clip(shape)))")
            return Finding(kind: .context,
                           summary: "\(what): \(n.runs) launches on \(n.hosts) hosts in the \(days) days before"
                               + (common ? ": common in this estate" : n.runs == 0 ? ": never seen in this estate" : ""),
                           level: common ? "common" : "uncommon",
                           evidence: [["fact": "activity prevalence", "parent": parent, "program": program, "commandLine": shape,
                                       "accounts": Self.names(r["Accounts"]), "hosts": String(n.hosts), "rowsCounted": String(n.runs)]])
        }
    }

    /// The accounts that ran the launch, comma-separated (from the JSON array `make_set` gives).
    static func names(_ json: String?) -> String {
        guard let json, let v = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String] else { return "" }
        return v.filter { !$0.isEmpty }.sorted().joined(separator: ",")
    }

    static func clip(_ s: String) -> String { s.count > 80 ? String(s.prefix(77)) + "..." : s }
}
