import KQL
import VigilCore

/// The incident's hosts against their own history: the programs and parent-child pairs that started
/// on each host in the incident's window (Security 4688), each compared with what the host ran over
/// the lookback before it, with the launches counted. A program or pair the host never ran is a
/// first-seen fact (a deviation); one it runs routinely is a match. A host with fewer than
/// `minHistory` earlier launches is not judged.
public struct HostContextModule: EvidenceModule {
    public let name = "Host history"
    public var minHistory = 20
    public init() {}

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        guard !ctx.hosts.isEmpty else { return [] }
        let from = ctx.incident.firstActivityTime - 60 * 10_000_000, to = ctx.incident.lastActivityTime + 60 * 10_000_000
        guard let t = try ctx.query("""
            let launches = SecurityEvent
                | where TimeGenerated >= hsince and TimeGenerated <= wto and EventID == 4688 and Computer in~ (hosts)
                | extend Program = tolower(tostring(split(NewProcessName, "\\\\")[-1])), Parent = tolower(tostring(split(ParentProcessName, "\\\\")[-1])),
                         Before = TimeGenerated < wfrom;
            let history = launches | where Before | summarize Runs = count(), Pairs = count() by Computer = tolower(Computer), Program, Parent;
            launches
            | where not(Before)
            | summarize WindowRuns = count() by Computer = tolower(Computer), Program, Parent
            | join kind=leftouter (history | summarize ProgramRuns = sum(Runs) by Computer, Program) on Computer, Program
            | join kind=leftouter (history | project Computer, Program, Parent, PairRuns = Pairs) on Computer, Program, Parent
            | join kind=leftouter (history | summarize HostRuns = sum(Runs) by Computer) on Computer
            | project Computer, Program, Parent, WindowRuns, ProgramRuns = coalesce(ProgramRuns, 0), PairRuns = coalesce(PairRuns, 0), HostRuns = coalesce(HostRuns, 0)
            | order by Computer asc, ProgramRuns asc, Program asc
            | take 200
            """, extra: ["hsince": .datetime(from - ctx.lookback), "wfrom": .datetime(from), "wto": .datetime(to)]) else { return [] }
        let days = ctx.lookback / 864_000_000_000
        var out: [Finding] = []
        for r in t.rowDicts(limit: 200) {
            let host = r["Computer"] ?? "", program = r["Program"] ?? "", parent = r["Parent"] ?? ""
            let runs = Int(r["ProgramRuns"] ?? "") ?? 0, pairs = Int(r["PairRuns"] ?? "") ?? 0, total = Int(r["HostRuns"] ?? "") ?? 0
            let evidence = [["fact": "process", "host": host, "program": program, "parent": parent, "rowsCounted": String(total)]]
            if total < minHistory {
                out.append(Finding(kind: .context, summary: "\(host): \(parent) → \(program): \(total) launches in \(days) days are too few to know what is usual (\(minHistory) needed)",
                                   level: "not judged", evidence: evidence))
            } else if runs == 0 {
                out.append(Finding(kind: .context, summary: "\(host): first run of \(program) in \(days) days (\(total) launches counted)", level: "deviation", evidence: evidence))
            } else if pairs == 0 {
                out.append(Finding(kind: .context, summary: "\(host): \(program) ran \(runs) times in \(days) days, but never from \(parent.isEmpty ? "no parent" : parent)",
                                   level: "deviation", evidence: evidence))
            } else {
                out.append(Finding(kind: .context, summary: "\(host): \(parent) → \(program), as \(pairs) times in \(days) days (\(total) launches counted)", level: "match", evidence: evidence))
            }
        }
        return out
    }
}
