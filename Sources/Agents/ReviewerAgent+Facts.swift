public import VigilCore

/// The facts an automatic closure relied on, named with the incident's values, so that whoever
/// reads the verdict (or reopens it) sees what was checked, not only which rule matched.
extension ReviewerAgent {
    /// What a fact the policy can test means, in the verdict's words; a fact not listed is named as is.
    static let factMeanings: [String: String] = [
        "alertCount": "alerts", "ruleCount": "rules", "severityRank": "severity rank (0 informational to 3 high)",
        "confidence": "confidence", "tacticCount": "tactics",
        "otherAlerts": "other rules' alerts on these entities within a day",
        "relatedAnomalies": "anomalies on these entities within a day", "anomalyModels": "anomaly models",
        "threatIntelMatches": "threat-intelligence matches", "repeatAlerts": "earlier alerts of the same rule (repeats)",
        "contextVerified": "matches the users' own history", "egressOnly": "only from the organization's egress addresses",
        "organizationConsistent": "consistent with the organization", "routineRule": "the rule fires routinely across the estate",
        "communityRule": "a community (Sigma) rule", "routineActivity": "every launch common across the estate",
    ]

    /// One reason line: every fact the condition tests (alert names and titles aside: the rule's name
    /// says what it matched), in the condition's order, then the repeats if there were any.
    static func factsLine(_ c: ReviewPolicy.Condition, _ facts: [String: ReviewPolicy.Fact]) -> String? {
        var fields = Self.fields(c).filter { !["alertNames", "title"].contains($0) }
        if case .number(let n)? = facts["repeatAlerts"], n > 0, !fields.contains("repeatAlerts") { fields.append("repeatAlerts") }
        let parts = fields.compactMap { f -> String? in
            guard let v = facts[f] else { return nil }
            return "\(factMeanings[f] ?? f): \(text(v))"
        }
        return parts.isEmpty ? nil : "facts relied on: " + parts.joined(separator: "; ")
    }

    /// The facts a condition tests, each once, in the condition's order.
    static func fields(_ c: ReviewPolicy.Condition) -> [String] {
        var out: [String] = []
        func walk(_ c: ReviewPolicy.Condition) {
            switch c {
            case .all(let cs), .any(let cs): cs.forEach(walk)
            case .not(let x): walk(x)
            case .test(let f, _, _): if !out.contains(f) { out.append(f) }
            }
        }
        walk(c)
        return out
    }

    static func text(_ v: ReviewPolicy.Fact) -> String {
        switch v {
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .bool(let b): return b ? "yes" : "no"
        case .string(let s): return s
        case .list(let l): return l.isEmpty ? "none" : l.joined(separator: ", ")
        }
    }
}
