import KQL

/// The incident's entities on the workspace's watchlists (`_GetWatchlist`): an exact search-key match
/// (a UPN, an account, a host, an address), or an address inside a CIDR range of the list. The
/// finding's level is the watchlist alias, so the score can weigh lists differently (a trusted-IP
/// list with a negative multiplier).
public struct WatchlistModule: EvidenceModule {
    public let name = "Watchlists"
    public init() {}

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        guard let aliases = try ctx.query("Watchlist | distinct WatchlistAlias | order by WatchlistAlias asc") else { return [] }
        var out: [Finding] = []
        for i in 0..<aliases.count {
            let alias = aliases.row(i)[0].kqlString
            guard let t = try ctx.query("""
                let items = _GetWatchlist(alias) | project SearchKey;
                let exact = items | where SearchKey in~ (keys) | project SearchKey, Matched = SearchKey;
                let ranges = items | where SearchKey contains "/" | extend ip = ips | mv-expand ip to typeof(string)
                    | where isnotempty(ip) and ipv4_is_in_range(ip, SearchKey) | project SearchKey, Matched = ip;
                union exact, ranges | distinct SearchKey, Matched | order by Matched asc
                """, extra: ["alias": .string(alias)]) else { continue }
            for r in t.rowDicts(limit: 50) {
                let hit = r["Matched"] ?? "", key = r["SearchKey"] ?? ""
                out.append(Finding(kind: .watchlist, summary: hit == key ? "\(hit) is on watchlist \(alias)" : "\(hit) is in \(key) on watchlist \(alias)",
                                   level: alias, evidence: [r]))
            }
        }
        return out
    }
}
