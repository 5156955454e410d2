/// What an API token may do, modelled on Sentinel's roles; each role can do what the ones before it can.
public enum APIRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Read incidents, rules, watchlists; run queries.
    case reader
    /// Also update incidents (status, owner, classification, labels) and their comments; run triage and reports.
    case responder
    /// Also analytics rules, watchlists, threat intelligence, policies, ingest.
    case contributor
    /// Also tokens and settings.
    case admin

    public var rank: Int { APIRole.allCases.firstIndex(of: self)! }
    public static func < (a: APIRole, b: APIRole) -> Bool { a.rank < b.rank }
}
