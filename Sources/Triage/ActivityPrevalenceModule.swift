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

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        let own = ctx.incident.alerts.filter { !$0.isAnomaly }.map(\.systemAlertID)
        guard !own.isEmpty, let rows = try ctx.query("""
            SecurityAlert
            | where SystemAlertId in (own)
            | summarize arg_max(TimeGenerated, ExtendedProperties) by SystemAlertId
            | mv-expand Row = todynamic(tostring(todynamic(ExtendedProperties)["Query Results"]))
            | project Parent = iff(isnotempty(tostring(Row.ParentProcessName)), tostring(Row.ParentProcessName), tostring(Row.EventData.ParentImage)),
                      Image = iff(isnotempty(tostring(Row.NewProcessName)), tostring(Row.NewProcessName), tostring(Row.EventData.Image)),
                      Cmd = iff(isnotempty(tostring(Row.CommandLine)), tostring(Row.CommandLine), tostring(Row.EventData.CommandLine)),
                      Account = iff(isnotempty(tostring(Row.Account)), tostring(Row.Account), tostring(Row.EventData.User))
            | where isnotempty(Image)
            | take 1000
            """, extra: ["own": .array(own.map { .string($0) })]), rows.count > 0 else { return [] }
        // The alerts' launches, by (parent, program, command line shape), with the accounts that ran them.
        var launches: [Launch: Set<String>] = [:]
        for r in rows.rowDicts(limit: 1000) {
            let key = Launch(parent: Self.leaf(r["Parent"] ?? ""), program: Self.leaf(r["Image"] ?? ""), shape: Self.shape(r["Cmd"] ?? ""))
            launches[key, default: []].formUnion([(r["Account"] ?? "").lowercased()].filter { !$0.isEmpty })
        }
        let pairs = Set(launches.keys.map(\.pair))
        let from = ctx.incident.firstActivityTime - 60 * 10_000_000
        let window: [String: Value] = ["hsince": .datetime(from - ctx.lookback), "wfrom": .datetime(from)]
        // The distinct paths launched in the lookback (a few hundred) whose programs and parents are the
        // alerts', so that the launches are then selected by an `in` over the stored columns.
        guard let paths = try ctx.query("""
            union isfuzzy=true
                (SecurityEvent | where TimeGenerated >= hsince and TimeGenerated < wfrom and EventID == 4688 | summarize by Parent = ParentProcessName, Image = NewProcessName),
                (WindowsEvent | where TimeGenerated >= hsince and TimeGenerated < wfrom and EventID == 1 and Provider == "Microsoft-Windows-Sysmon"
                 | summarize by Parent = tostring(EventData.ParentImage), Image = tostring(EventData.Image))
            """, extra: window) else { return [] }
        var parents = Set<String>(), images = Set<String>()
        if let p = paths.column(named: "Parent"), let i = paths.column(named: "Image") {
            for row in 0..<paths.count {
                let parent = p.value(at: row).kqlString, image = i.value(at: row).kqlString
                guard pairs.contains("\(Self.leaf(parent))|\(Self.leaf(image))") else { continue }
                parents.insert(parent)
                images.insert(image)
            }
        }
        var counted: [Launch: (hosts: Set<Int>, runs: Int)] = [:]
        if !parents.isEmpty, let t = try ctx.query("""
            union isfuzzy=true
                (SecurityEvent | where TimeGenerated >= hsince and TimeGenerated < wfrom and EventID == 4688 and NewProcessName in (images) and ParentProcessName in (parents)
                 | project Computer, Parent = ParentProcessName, Image = NewProcessName, Cmd = CommandLine),
                (WindowsEvent | where TimeGenerated >= hsince and TimeGenerated < wfrom and EventID == 1 and Provider == "Microsoft-Windows-Sysmon"
                 | project Computer, Parent = tostring(EventData.ParentImage), Image = tostring(EventData.Image), Cmd = tostring(EventData.CommandLine)
                 | where Image in (images) and Parent in (parents))
            """, extra: window.merging(["parents": .array(parents.sorted().map { .string($0) }), "images": .array(images.sorted().map { .string($0) })]) { $1 }),
           let computer = t.column(named: "Computer"), let p = t.column(named: "Parent"), let i = t.column(named: "Image"), let c = t.column(named: "Cmd") {
            counted = Self.count(Array(launches.keys), computers: computer, parents: p, images: i, commands: c, rows: t.count)
        }
        let days = ctx.lookback / 864_000_000_000
        return launches.keys.sorted { ($0.parent, $0.program, $0.shape) < ($1.parent, $1.program, $1.shape) }.prefix(200).map { l in
            let n = counted[l].map { ($0.hosts.count, $0.runs) } ?? (0, 0)
            let common = n.0 >= minHosts
            let what = "\(l.parent.isEmpty ? "(no parent)" : l.parent) → \(l.program)" + (l.shape.isEmpty ? "" : " (\(Self.clip(l.shape)))")
            return Finding(kind: .context,
                           summary: "\(what): \(n.1) launches on \(n.0) hosts in the \(days) days before"
                               + (common ? ": common in this estate" : n.1 == 0 ? ": never seen in this estate" : ""),
                           level: common ? "common" : "uncommon",
                           evidence: [["fact": "activity prevalence", "parent": l.parent, "program": l.program, "commandLine": l.shape,
                                       "accounts": (launches[l] ?? []).sorted().joined(separator: ","), "hosts": String(n.0), "rowsCounted": String(n.1)]])
        }
    }

    /// Each launch of the alerts counted among the selected rows: runs and distinct hosts.
    static func count(_ launches: [Launch], computers: Column, parents: Column, images: Column, commands: Column, rows: Int) -> [Launch: (hosts: Set<Int>, runs: Int)] {
        var counted: [Launch: (hosts: Set<Int>, runs: Int)] = [:]
        // Launches are counted by numbers: the alerts' parents and programs are numbered, each path
        // is cut once (cached), and a launch's command line is masked and compared with the alerts'
        // shapes for its pair byte by byte, stopping at the first difference.
        var leafIDs: [String: Int] = [:]
        for l in launches { for leaf in [l.parent, l.program] where leafIDs[leaf] == nil { leafIDs[leaf] = leafIDs.count } }
        var candidates: [Int: [(launch: Launch, shape: [UInt8])]] = [:]
        for l in launches { candidates[leafIDs[l.parent]! * 65_536 + leafIDs[l.program]!, default: []].append((l, Array(l.shape.utf8))) }
        var pathIDs: [String: Int] = [:], hostIDs: [String: Int] = [:]
        func pathID(_ path: String) -> Int {
            if let id = pathIDs[path] { return id }
            let id = leafIDs[Self.leaf(path)] ?? -1
            pathIDs[path] = id
            return id
        }
        func hostID(_ name: String) -> Int {
            if let id = hostIDs[name] { return id }
            let lower = name.lowercased()
            let id = hostIDs[lower] ?? hostIDs.count
            hostIDs[name] = id
            hostIDs[lower] = id
            return id
        }
        let parent = parents.perString(pathID) ?? [], image = images.perString(pathID) ?? [], host = computers.perString(hostID) ?? [], commands = commands.strings ?? []
        guard parent.count == rows, image.count == rows, host.count == rows, commands.count == rows else { return [:] }
        for row in 0..<rows where parent[row] >= 0 && image[row] >= 0 {
            guard let options = candidates[parent[row] * 65_536 + image[row]],
                  let match = options.first(where: { Self.hasShape(commands[row], $0.shape) }) else { continue }
            counted[match.launch, default: ([], 0)].hosts.insert(host[row])
            counted[match.launch, default: ([], 0)].runs += 1
        }
        return counted
    }

    struct Launch: Hashable {
        var parent: String, program: String, shape: String
        var pair: String { "\(parent)|\(program)" }
    }

    /// A path's last component, lowercased (`C:\\Windows\\System32\\cmd.exe` is `cmd.exe`).
    static func leaf(_ path: String) -> String {
        let s = path.lowercased()
        guard let cut = s.lastIndex(where: { $0 == "\\" || $0 == "/" }) else { return s }
        return String(s[s.index(after: cut)...])
    }

    /// A command line with what differs between two runs of the same thing masked, in ASCII lower
    /// case: the folder after `\\users\\` (each user's profile) is `*`, and a run that starts with a
    /// digit and goes on with hex digits or `x` (a counter, an id, an address, `setup_37254`) is `#`.
    static func shape(_ command: String) -> String {
        var out: [UInt8] = []
        mask(command) { out.append($0); return true }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `command` masks to exactly `shape`, stopping at the first byte that differs.
    static func hasShape(_ command: String, _ shape: [UInt8]) -> Bool {
        var at = 0
        let whole = mask(command) { b in
            guard at < shape.count, shape[at] == b else { return false }
            at += 1
            return true
        }
        return whole && at == shape.count
    }

    /// Feeds the masked bytes of `command` to `emit` until it returns false; whether all were fed.
    @discardableResult
    static func mask(_ command: String, _ emit: (UInt8) -> Bool) -> Bool {
        var command = command
        return command.withUTF8 { src in
            let n = src.count
            func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
            func hex(_ b: UInt8) -> Bool { let l = lower(b); return (l >= 48 && l <= 57) || (l >= 97 && l <= 102) || l == 120 }
            func users(at i: Int) -> Bool {
                guard i + 7 <= n, src[i] == 92, src[i + 6] == 92 else { return false }
                return lower(src[i + 1]) == 117 && lower(src[i + 2]) == 115 && lower(src[i + 3]) == 101 && lower(src[i + 4]) == 114 && lower(src[i + 5]) == 115
            }
            var i = 0
            while i < n {
                let b = src[i]
                if users(at: i) {
                    for m: UInt8 in [92, 117, 115, 101, 114, 115, 92, 42] where !emit(m) { return false }
                    i += 7
                    while i < n && src[i] != 92 && src[i] != 34 { i += 1 }
                } else if b >= 48 && b <= 57 {
                    guard emit(35) else { return false }
                    i += 1
                    while i < n && hex(src[i]) { i += 1 }
                } else {
                    guard emit(lower(b)) else { return false }
                    i += 1
                }
            }
            return true
        }
    }

    static func clip(_ s: String) -> String { s.count > 80 ? String(s.prefix(77)) + "..." : s }
}
