import Foundation
import KQL
import VigilCore

/// The incident's Windows accounts against their own logon history: each successful logon (4624) of
/// the incident's window compared with the account's logons over the lookback before it: the source
/// address (the same or its /24; a local logon has none), the workstation it came from, the logon type
/// and the host logged on to, each with the logons counted. A first-seen value is a deviation ("first
/// logon from 185.220.101.45 in 14 days"); an account with fewer than `minHistory` earlier logons is
/// not judged, and is never verified.
public struct LogonContextModule: EvidenceModule {
    public let name = "Logon history"
    public var minHistory = 3
    public init() {}

    struct Logon {
        var time: Int64, ip: String, workstation: String, type: String, host: String
        var net24: String { ip.contains(".") ? ip.split(separator: ".").prefix(3).joined(separator: ".") : ip }
        var hasAddress: Bool { !ip.isEmpty && ip != "-" && ip != "::1" && ip != "127.0.0.1" }
    }

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        let accounts = ctx.incident.entities.filter { $0.type == .account }.compactMap { $0.properties["FullName"] }.filter { $0.contains("\\") }
        guard !accounts.isEmpty else { return [] }
        let from = ctx.incident.firstActivityTime - 60 * 10_000_000, to = ctx.incident.lastActivityTime + 60 * 10_000_000
        guard let t = try ctx.query("""
            SecurityEvent
            | where TimeGenerated >= hsince and TimeGenerated <= wto and EventID == 4624 and Account in~ (names)
            | project TimeGenerated, Account = tolower(Account), IpAddress, WorkstationName, LogonType = tostring(LogonType), Computer = tolower(Computer)
            | order by TimeGenerated asc
            | take 20000
            """, extra: ["names": .array(accounts.map { .string($0) }), "hsince": .datetime(from - ctx.lookback), "wto": .datetime(to)]) else { return [] }
        var history: [String: [Logon]] = [:], subject: [String: [Logon]] = [:]
        for r in 0..<t.count {
            let row = t.row(r)
            guard case .datetime(let time) = row[0] else { continue }
            let l = Logon(time: time, ip: row[2].kqlString, workstation: row[3].kqlString, type: row[4].kqlString, host: row[5].kqlString)
            if time < from { history[row[1].kqlString, default: []].append(l) } else { subject[row[1].kqlString, default: []].append(l) }
        }
        let days = ctx.lookback / 864_000_000_000
        var out: [Finding] = []
        for account in subject.keys.sorted() {
            let h = history[account] ?? []
            var facts: [Finding] = []
            func fact(_ name: String, _ ok: Bool?, _ text: String) { facts.append(.contextFact(account, name, ok, text, counted: h.count)) }
            func count(_ key: (Logon) -> String) -> [String: Int] { h.reduce(into: [:]) { $0[key($1), default: 0] += 1 } }
            let addresses = count(\.ip), nets = count(\.net24), stations = count(\.workstation), types = count(\.type), hosts = count(\.host)
            // One fact per distinct logon shape of the window, not per logon: a burst of identical logons is one observation.
            var seen = Set<String>()
            for l in subject[account] ?? [] where seen.insert("\(l.ip)|\(l.workstation)|\(l.type)|\(l.host)").inserted {
                guard h.count >= minHistory else {
                    fact("history", nil, "\(h.count) logons in the \(days) days before: too few to know what is usual (\(minHistory) needed)")
                    break
                }
                if l.hasAddress {
                    let a = addresses[l.ip] ?? 0, n = nets[l.net24] ?? 0
                    fact("source address", a > 0 || n > 0, a > 0 ? "\(l.ip), as in \(a) of \(h.count) logons" : n > 0 ? "\(l.ip) is new but its /24 was used in \(n) of \(h.count) logons"
                                                                 : "first logon from \(l.ip) or its /24 in \(days) days (\(h.count) logons counted)")
                }
                if !l.workstation.isEmpty && l.workstation != "-" {
                    let w = stations[l.workstation] ?? 0
                    fact("workstation", w > 0, w > 0 ? "\(l.workstation), as in \(w) of \(h.count) logons" : "first logon from workstation \(l.workstation) in \(days) days")
                }
                let ty = types[l.type] ?? 0
                fact("logon type", ty > 0, ty > 0 ? "type \(l.type), as in \(ty) of \(h.count) logons" : "first logon of type \(l.type) in \(days) days")
                let ho = hosts[l.host] ?? 0
                fact("host", ho > 0, ho > 0 ? "onto \(l.host), as in \(ho) of \(h.count) logons" : "first logon onto \(l.host) in \(days) days")
            }
            out.append(.contextVerdict(account, facts: facts, historyRows: h.count, enough: h.count >= minHistory,
                                       own: "the account's own \(h.count) logons in \(days) days", history: "the account's logon history",
                                       tooLittle: "too little logon history to verify (\(h.count) logons)"))
            out += facts
        }
        return out
    }
}
