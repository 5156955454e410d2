public import KQL

/// The riskiest-incidents digest's selection: a KQL query over `SecurityIncident`, editable in
/// `vigil.yaml`. The job passes `lookback`, `topCount` and `minScore` as query parameters; a query
/// that does not declare them (a Sentinel user's own, with its numbers written in) runs unchanged.
/// Its result names incidents by an `IncidentNumber` or `IncidentName` column, with an optional
/// `RiskScore`.
public enum RiskyIncidents {
    public static let defaultQuery = """
    declare query_parameters(lookback:timespan = 7d, topCount:long = 10, minScore:long = 0);
    SecurityIncident
    | where TimeGenerated > ago(lookback)
    | summarize arg_max(TimeGenerated, *) by IncidentNumber
    | where CreatedTime > ago(lookback)
    | mv-expand Labels
    | extend LabelName = tostring(Labels.labelName)
    | where LabelName startswith "Risk Score - "
    | extend RiskScore = toint(extract(@"^Risk Score - (-?[0-9]+)$", 1, LabelName))
    | where RiskScore >= minScore
    | top topCount by RiskScore desc, IncidentNumber asc
    | project IncidentNumber, IncidentName, Title, Severity, RiskScore
    """

    public static func parameters(days: Int, count: Int, minScore: Int) -> [String: Value] {
        ["lookback": .timespan(Int64(days) * 864_000_000_000), "topCount": .long(Int64(count)), "minScore": .long(Int64(minScore))]
    }

    public struct Selected: Sendable, Equatable {
        public var number: Int?
        public var id: String?
        public var score: Int?
    }

    /// The incidents a result names, in its order, each once.
    public static func selection(_ t: Table) throws(ReportError) -> [Selected] {
        let names = t.schema.columns.map(\.name)
        let num = names.firstIndex(of: "IncidentNumber"), id = names.firstIndex(of: "IncidentName"), score = names.firstIndex(of: "RiskScore")
        guard num != nil || id != nil else {
            throw ReportError("the report query's result has neither an IncidentNumber nor an IncidentName column (it has \(names.joined(separator: ", ")))")
        }
        var out: [Selected] = []
        for r in 0..<t.count {
            var s = Selected()
            if let c = num {
                let v = t.columns[c].value(at: r)
                s.number = v.asInt64.map { Int($0) } ?? v.asString.flatMap { Int($0) }
            }
            if let c = id {
                switch t.columns[c].value(at: r) {
                case .string(let text) where !text.isEmpty, .guid(let text): s.id = text
                default: break
                }
            }
            if let c = score { s.score = t.columns[c].value(at: r).asInt64.map { Int($0) } }
            guard s.number != nil || s.id != nil else { continue }
            if !out.contains(where: { ($0.number != nil && $0.number == s.number) || ($0.id != nil && $0.id == s.id) }) { out.append(s) }
        }
        return out
    }
}
