import Foundation
import KQL
import VigilCore

/// STAT's base module: each entity in its normal forms. Accounts: name, domain and UPN suffix from
/// `DOMAIN\name` or `name@suffix`; hosts: short name and domain; addresses: public or private, and
/// where the workspace last saw them (the latest `SigninLogs` location of the address).
public struct EntitiesModule: EvidenceModule {
    public let name = "Entities"
    public init() {}

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        var out: [Finding] = []
        for e in ctx.incident.entities {
            switch e.type {
            case .account:
                var full = e.properties["FullName"] ?? e.properties["Upn"] ?? e.properties["Name"] ?? ""
                var sid = e.properties["Sid"]
                // The other form from the Security log, where Windows writes both: a SID's account, an account's SID.
                if let t = try? ctx.query("""
                    SecurityEvent | where TimeGenerated >= since and isnotempty(TargetUserSid) and (TargetUserSid == sid or TargetAccount =~ name)
                    | summarize arg_max(TimeGenerated, TargetAccount, TargetUserSid)
                    """, extra: ["sid": .string(sid ?? "-"), "name": .string(full.isEmpty ? "-" : full)]), let r = t.rowDicts(limit: 1).first,
                   let account = r["TargetAccount"], !account.isEmpty {
                    if full.isEmpty { full = account }
                    if sid == nil, let s = r["TargetUserSid"], !s.isEmpty { sid = s }
                }
                var forms: [String: String] = ["FullName": full]
                if let sid { forms["Sid"] = sid }
                if let i = full.firstIndex(of: "\\") { forms["Domain"] = String(full[..<i]); forms["Name"] = String(full[full.index(after: i)...]) }
                else if let i = full.firstIndex(of: "@") { forms["Name"] = String(full[..<i]); forms["UPNSuffix"] = String(full[full.index(after: i)...]) }
                else { forms["Name"] = full }
                out.append(Finding(kind: .entity, summary: "account \(full): name \(forms["Name"] ?? ""), " + (forms["Domain"].map { "domain \($0)" } ?? forms["UPNSuffix"].map { "UPN suffix \($0)" } ?? "no domain")
                                   + (sid.map { ", SID \($0)" } ?? ""),
                                   evidence: [forms]))
            case .host:
                let full = e.properties["FullName"] ?? e.properties["HostName"] ?? ""
                let parts = full.split(separator: ".", maxSplits: 1).map(String.init)
                out.append(Finding(kind: .entity, summary: "host \(full): short name \(parts.first ?? full)" + (parts.count > 1 ? ", domain \(parts[1])" : ""),
                                   evidence: [["FullName": full, "HostName": parts.first ?? full, "DnsDomain": parts.count > 1 ? parts[1] : ""]]))
            default: break
            }
        }
        let ips = ctx.incident.entities.filter { $0.type == .ip }.compactMap { $0.properties["Address"] }
        guard !ips.isEmpty, let t = try ctx.query("""
            let seen = SigninLogs | where TimeGenerated >= since and IPAddress in (all_ips)
                | summarize arg_max(TimeGenerated, LocationDetails) by IPAddress
                | project ip = IPAddress, City = tostring(LocationDetails.city), Country = tostring(LocationDetails.countryOrRegion);
            print ip = all_ips | mv-expand ip to typeof(string)
            | extend Private = ipv4_is_private(ip)
            | join kind=leftouter seen on ip
            | project ip, Private, City, Country
            | order by ip asc
            """, extra: ["all_ips": .array(ips.map { .string($0) })]) else { return out }
        for r in t.rowDicts(limit: 50) {
            let place = [r["City"], r["Country"]].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            out.append(Finding(kind: .entity, summary: "address \(r["ip"] ?? ""): \(r["Private"] == "true" ? "private" : "public")" + (place.isEmpty ? "" : ", last seen in \(place)"),
                               evidence: [r]))
        }
        return out
    }
}
