public import Reports

/// What a channel says about one reported incident: the facts a card shows and the report itself.
public struct ReportNotice: Sendable, Equatable {
    public var incidentNumber: Int
    public var incidentID: String
    public var title: String
    public var created: String
    public var severity: String
    public var riskScore: Int?
    public var owner: String?
    public var status: String
    public var classification: String?
    public var classificationReason: String?
    /// The report in Markdown (cards) and as JSON (the webhook).
    public var markdown: String
    public var json: String
    /// The incident in Vigil's UI.
    public var link: String

    public init(report r: IncidentReport, markdown: String, json: String, link: String) {
        incidentNumber = r.incidentNumber; incidentID = r.incidentID; title = r.title; created = r.details.created.display
        severity = r.summary.severity; riskScore = r.riskScore?.total; owner = r.details.owner; status = r.details.status
        classification = r.classification.classification; classificationReason = r.classification.reason
        self.markdown = markdown; self.json = json; self.link = link
    }

    /// The facts every card lists, in order.
    var facts: [(String, String)] {
        [("Incident", "\(incidentNumber)"), ("Created", created), ("Severity", severity), ("Risk score", riskScore.map(String.init) ?? "not scored"),
         ("Owner", owner ?? "unassigned"), ("Status", status),
         ("Classification", classification.map { c in classificationReason.map { "\(c) (\($0))" } ?? c } ?? "not classified")]
    }
}
