import KQL

/// Active, unexpired threat-intelligence indicators that match the incident's IPs, URLs or file hashes.
public struct ThreatIntelModule: EvidenceModule {
    public let name = "Threat intelligence"
    public init() {}

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        guard !(ctx.ips + ctx.urls + ctx.hashes).isEmpty, let t = try ctx.query("""
            ThreatIntelligenceIndicator
            | where Active == true and ExpirationDateTime > now()
            | extend TI_ip = coalesce(NetworkIP, NetworkDestinationIP, NetworkSourceIP, EmailSourceIpAddress)
            | where TI_ip in (ips) or Url in (urls) or FileHashValue in (hashes)
            | summarize arg_max(TimeGenerated, *) by IndicatorId
            | extend Matched = coalesce(TI_ip, Url, FileHashValue)
            | project IndicatorId, Matched, ThreatType, ConfidenceScore, Description, ExpirationDateTime
            | order by Matched asc, IndicatorId asc
            """) else { return [] }
        return t.rowDicts(limit: 100).map { r in
            Finding(kind: .threatIntel, summary: "\(r["Matched"] ?? "") is a known \(r["ThreatType"] ?? "threat") indicator (confidence \(r["ConfidenceScore"] ?? "?"))",
                    evidence: [r])
        }
    }
}
