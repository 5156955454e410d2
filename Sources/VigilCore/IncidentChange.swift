/// An analyst's change to an incident (through the API, the UI or the CLI), with Sentinel's rules:
/// closing needs a classification, and a true or benign positive needs its reason; reopening clears
/// the classification unless one is given.
public struct IncidentChange: Sendable, Equatable {
    public var title: String?, description: String?, severity: Severity?, status: Incident.Status?
    public var classification: Incident.Classification?, classificationReason: Incident.ClassificationReason?, classificationComment: String?
    public var owner: Incident.Owner?, labels: [Incident.Label]?

    public init() {}

    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var code: String
        public var message: String
        public var description: String { message }
    }

    /// The incident with the change applied, and what changed (for the audit trail).
    public func apply(to inc: Incident, now: Int64) throws(Invalid) -> (Incident, [String]) {
        var out = inc
        var changed: [String] = []
        if let v = title, v != out.title {
            guard !v.isEmpty, v.count <= 256 else { throw Invalid(code: "BadRequest", message: "title must be 1 to 256 characters") }
            out.title = v; changed.append("title")
        }
        if let v = description, v != out.description { out.description = v; changed.append("description") }
        if let v = severity, v != out.severity { out.severity = v; changed.append("severity \(v.rawValue)") }
        if let v = owner, v != out.owner { out.owner = v; changed.append("owner \(v.assignedTo ?? v.userPrincipalName ?? v.email ?? "none")") }
        if let v = labels, v != out.labels { out.labels = v; changed.append("labels") }
        if let v = classification, v != out.classification { out.classification = v; changed.append("classification \(v.rawValue)") }
        if let v = classificationReason { out.classificationReason = v }
        if let v = classificationComment { out.classificationComment = v }
        if let v = status, v != out.status {
            out.status = v
            changed.append("status \(v.rawValue)")
            if v == .closed {
                out.closedTime = now
            } else {
                out.closedTime = nil
                if classification == nil { out.classification = nil; out.classificationReason = nil; out.classificationComment = nil }
            }
        }
        if out.status == .closed && out.classification == nil {
            throw Invalid(code: "ClassificationRequired", message: "closing an incident needs a classification (TruePositive, BenignPositive, FalsePositive or Undetermined)")
        }
        if let c = out.classification, c == .truePositive || c == .benignPositive, out.status == .closed, out.classificationReason == nil {
            throw Invalid(code: "ClassificationReasonRequired", message: "a \(c.rawValue) classification needs a classificationReason")
        }
        if out != inc { out.lastModifiedTime = now }
        return (out, changed)
    }
}
