import Foundation
import KQL
import VigilCore

/// The incident's accounts against their own history: for each successful sign-in of the incident's
/// window, whether its country, address, client, application, hour and device are what the user
/// signed in with over the lookback (14 days by default, before the window), each fact with the rows
/// it counted; first-seen facts ("first sign-in from NL in 14 days") are deviations. An address is
/// familiar when the user signed in from it or its /24 before, or when it is an organization egress
/// address (at least `egressUsers` users sign in from it). A fact needs `minHistory` earlier
/// sign-ins to be judged (application and hour need more: they vary more); without them it is
/// "not judged", and an account whose history is too short is never "verified".
///
/// Two facts hold for every user: the address's record (a spray source fails for many accounts)
/// and the user's own failures just before. A user too new to have a history is compared with the
/// organization instead: its country, client and application are judged common when at least
/// `commonUsers` users signed in with them in the `organizationLookback` before the window; when all
/// are and the record is clean, the user is "consistent with the organization", a weaker verdict the
/// review policy names separately. For a user with a history, a new address in the user's usual
/// country with a clean record is "explained" (a home router's new lease), not a deviation; so is
/// a first sign-in with a modern client (a browser, the Office apps), unlike a legacy protocol.
public struct UserContextModule: EvidenceModule {
    public let name = "User history"
    public var minHistory = 3
    public var egressUsers = 20
    /// When the lookback holds fewer than `minHistory` sign-ins, history reaches back this far instead
    /// (and the facts say so): a user who signs in twice a month still has a usual.
    public var maxLookback: Int64 = 30 * 864_000_000_000
    public var commonUsers = 20
    public var organizationLookback: Int64 = 7 * 864_000_000_000
    /// Other accounts that may have failed from an address before its record stops being clean.
    public var otherFailingAccounts = 1
    /// The user's own failed sign-ins in the 24 hours before that still read as a mistyped password.
    public var failuresBefore = 2
    public init() {}

    struct SignIn {
        var time: Int64, ip: String, country: String, client: String, app: String, device: String, risk: String
        var hour: Int { Int((time / 36_000_000_000) % 24) }
        var net24: String { ip.contains(".") ? ip.split(separator: ".").prefix(3).joined(separator: ".") : ip }
    }

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        let accounts = ctx.incident.entities.filter { $0.type == .account }.compactMap { $0.properties["Upn"] ?? $0.properties["FullName"] }.filter { $0.contains("@") }
        guard !accounts.isEmpty else { return [] }
        let from = ctx.incident.firstActivityTime - 60 * 10_000_000, to = ctx.incident.lastActivityTime + 60 * 10_000_000
        let since = from - max(ctx.lookback, maxLookback)
        guard let t = try ctx.query("""
            SigninLogs
            | where TimeGenerated >= hsince and TimeGenerated <= wto and UserPrincipalName in~ (users)
            | extend Device = strcat(tostring(column_ifexists("DeviceDetail", dynamic({})).operatingSystem), " ", tostring(column_ifexists("DeviceDetail", dynamic({})).browser))
            | extend Risk = replace_regex(tostring(RiskEventTypes_V2), @'[\\[\\]" ]', "")
            | project TimeGenerated, User = tolower(UserPrincipalName), IPAddress, Location, ClientAppUsed, AppDisplayName, Device = trim(" ", Device), Risk,
                      Ok = tostring(ResultType) == "0"
            | order by TimeGenerated asc
            | take 20000
            """, extra: ["users": .array(accounts.map { .string($0) }), "hsince": .datetime(since), "wto": .datetime(to)]) else { return [] }
        var history: [String: [SignIn]] = [:], subject: [String: [SignIn]] = [:], failures: [String: [Int64]] = [:]
        let ips = Set(ctx.ips)
        for r in 0..<t.count {
            let row = t.row(r)
            guard case .datetime(let time) = row[0] else { continue }
            let user = row[1].kqlString
            guard row[8] == .bool(true) else { failures[user, default: []].append(time); continue }
            let s = SignIn(time: time, ip: row[2].kqlString, country: row[3].kqlString, client: row[4].kqlString, app: row[5].kqlString, device: row[6].kqlString,
                           risk: row[7].kqlString)
            if time < from { history[user, default: []].append(s) }
            else if ips.isEmpty || ips.contains(s.ip) { subject[user, default: []].append(s) }
        }
        let records = try addressRecords(ctx, Set(subject.values.flatMap { $0.map(\.ip) }), since: since, from: from, to: to)
        // The history each user is judged on: the lookback, or back to `maxLookback` when it holds too few.
        var usual: [String: (signIns: [SignIn], days: Int64)] = [:]
        for user in subject.keys {
            let all = history[user] ?? [], recent = all.filter { $0.time >= from - ctx.lookback }
            usual[user] = recent.count >= minHistory ? (recent, ctx.lookback / 864_000_000_000) : (all, max(ctx.lookback, maxLookback) / 864_000_000_000)
        }
        let thin = subject.keys.filter { usual[$0]!.signIns.count < minHistory }
        let common = thin.isEmpty ? [:] : try organizationUsers(ctx, thin.flatMap { subject[$0] ?? [] }, from: from)
        let orgDays = organizationLookback / 864_000_000_000
        var out: [Finding] = []
        for user in subject.keys.sorted() {
            let (h, days) = usual[user]!
            var facts: [Finding] = []
            func fact(_ name: String, _ ok: Bool?, _ text: String, _ counted: Int) { facts.append(.contextFact(user, name, ok, text, counted: counted)) }
            func count<T: Hashable>(_ key: (SignIn) -> T) -> [T: Int] { h.reduce(into: [:]) { $0[key($1), default: 0] += 1 } }
            let countries = count(\.country), addresses = count(\.ip), nets = count(\.net24), clients = count(\.client), apps = count(\.app), devices = count(\.device)
            let hours = count(\.hour)
            let judged = h.count >= minHistory
            for s in subject[user] ?? [] {
                let at = DateTimeMath.format(s.time)
                // Entra's own reasons (when the connector has them): a leaked password or a known-bad
                // address is not explained by a familiar place.
                let reasons = s.risk.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                let hard = reasons.filter { Self.hardReasons.contains($0.lowercased()) }
                if !reasons.isEmpty {
                    fact("risk reason", hard.isEmpty, hard.isEmpty ? "Entra's reasons: \(reasons.joined(separator: ", "))" : "Entra's reasons include \(hard.joined(separator: ", ")), which history does not explain", h.count)
                }
                let failed = (failures[user] ?? []).filter { $0 < s.time && $0 >= s.time - 864_000_000_000 }.count
                fact("failures before", failed <= failuresBefore, failed == 0 ? "no failed sign-in in the 24 hours before \(at)"
                     : "\(failed) failed sign-in\(failed == 1 ? "" : "s") in the 24 hours before \(at)" + (failed <= failuresBefore ? "" : ": more than a mistyped password"), failed)
                let users = records[s.ip]?.users ?? 0, egress = users >= egressUsers
                let others = (records[s.ip]?.failedAccounts ?? []).subtracting([user])
                let clean = others.count <= otherFailingAccounts
                if !egress {
                    fact("address record", clean, others.isEmpty ? "no other account failed to sign in from \(s.ip) in \(days) days"
                         : "\(others.count) other account\(others.count == 1 ? "" : "s") failed to sign in from \(s.ip) in \(days) days" + (clean ? "" : " (a spray source fails for many)"), others.count)
                }
                if !judged {
                    fact("history", nil, "\(h.count) successful sign-ins in the \(days) days before \(at): too few to know what is usual (\(minHistory) needed)", h.count)
                    func org(_ name: String, _ value: String) {
                        let n = common[name]?[value] ?? 0
                        fact(name, n >= commonUsers, n >= commonUsers ? "\(value) is common in the organization: \(n) users signed in with it in the \(orgDays) days before"
                             : "\(value.isEmpty ? "none" : value): only \(n) users of the organization signed in with it in the \(orgDays) days before", n)
                    }
                    org("country", s.country)
                    org("client", s.client)
                    org("application", s.app)
                    continue
                }
                let c = countries[s.country] ?? 0
                fact("country", c > 0, c > 0 ? "\(s.country) at \(at), as in \(c) of \(h.count) sign-ins in \(days) days" : "first sign-in from \(s.country) in \(days) days (\(h.count) sign-ins counted)", h.count)
                let a = addresses[s.ip] ?? 0, n = nets[s.net24] ?? 0
                if a > 0 { fact("address", true, "\(s.ip) used in \(a) of \(h.count) sign-ins", h.count) }
                else if n > 0 { fact("address", true, "\(s.ip) is new but its /24 was used in \(n) of \(h.count) sign-ins", h.count) }
                else if egress { fact("address", true, "\(s.ip) is new to the user but an organization egress address (\(users) users signed in from it in \(days) days)", users) }
                else if c > 0 && clean {
                    facts.append(.contextFact(user, "address", level: "explained", "\(s.ip) is new (first sign-in from it or its /24 in \(days) days), in the user's usual country \(s.country), with no failures from other accounts", counted: h.count))
                }
                else { fact("address", false, "first sign-in from \(s.ip) or its /24 in \(days) days, and only \(users) users use it", h.count) }
                let cl = clients[s.client] ?? 0
                if cl == 0 && Self.modernClients.contains(s.client) {
                    // Legacy protocols bypass MFA and are what sprays use; a browser or the Office apps are not news.
                    facts.append(.contextFact(user, "client", level: "explained", "first sign-in with \(s.client) in \(days) days, a modern client (not a legacy protocol)", counted: h.count))
                } else {
                    fact("client", cl > 0, cl > 0 ? "\(s.client), as in \(cl) of \(h.count) sign-ins" : "first sign-in with \(s.client.isEmpty ? "no client" : s.client) in \(days) days", h.count)
                }
                if !s.device.isEmpty && devices.keys.contains(where: { !$0.isEmpty }) {
                    let d = devices[s.device] ?? 0
                    fact("device", d > 0, d > 0 ? "\(s.device), as in \(d) of \(h.count) sign-ins" : "first sign-in from \(s.device) in \(days) days", h.count)
                }
                if h.count >= 10 {
                    let ap = apps[s.app] ?? 0
                    fact("application", ap > 0, ap > 0 ? "\(s.app), as in \(ap) of \(h.count) sign-ins" : "first sign-in to \(s.app) in \(days) days", h.count)
                } else {
                    fact("application", nil, "\(s.app); \(h.count) sign-ins are too few to know the usual applications (10 needed)", h.count)
                }
                if h.count >= 10 {
                    let near = (-1...1).reduce(0) { $0 + (hours[(s.hour + $1 + 24) % 24] ?? 0) }
                    fact("hour", near > 0, near > 0 ? "\(s.hour):00 UTC, within an hour of \(near) earlier sign-ins" : "\(s.hour):00 UTC, no sign-in within an hour of it in \(days) days", h.count)
                } else {
                    fact("hour", nil, "\(s.hour):00 UTC; \(h.count) sign-ins are too few to know the usual hours (10 needed)", h.count)
                }
            }
            out.append(.contextVerdict(user, facts: facts, historyRows: h.count, enough: judged, own: "the user's own \(h.count) sign-ins in \(days) days",
                                       history: "the user's history", tooLittle: "too little history to verify (\(h.count) sign-ins)"))
            let egressOnly = (subject[user] ?? []).allSatisfy { (records[$0.ip]?.users ?? 0) >= egressUsers }
            if egressOnly, let s = subject[user]?.first {
                let users = records[s.ip]?.users ?? 0
                facts.append(.contextFact(user, "egress", level: "egress", "every sign-in came from an organization egress address (\(s.ip): \(users) users)", counted: users))
            }
            if !judged && !facts.contains(where: { $0.level == "deviation" }) {
                facts.append(.contextFact(user, "organization", level: "organization",
                                          "too little history of the user's own (\(h.count) sign-ins), but the country, client and application are common in the organization and the record is clean", counted: h.count))
            }
            out += facts
        }
        return out
    }

    static let modernClients: Set<String> = ["Browser", "Mobile Apps and Desktop clients"]
    static let hardReasons: Set<String> = ["leakedcredentials", "passwordspray", "maliciousipaddress", "anonymizedipaddress", "mcasimpossibletravel",
                                           "investigationstipaddress", "suspiciousinboxforwarding", "tokenissueranomaly", "adversaryinthemiddle"]
}
