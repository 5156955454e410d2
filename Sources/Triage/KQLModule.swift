import KQL

/// A user's own query, with the incident's entities as parameters (`accounts`, `ips`, `hosts`, `urls`,
/// `hashes`, `keys`, `since`): every row it returns is a finding.
public struct KQLModule: EvidenceModule {
    public let name: String
    public let query: String
    public init(name: String, query: String) { self.name = name; self.query = query }

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        guard let t = try ctx.query(query) else { return [] }
        return t.rowDicts(limit: 50).map { Finding(kind: .kqlRows, summary: name, evidence: [$0]) }
    }
}
