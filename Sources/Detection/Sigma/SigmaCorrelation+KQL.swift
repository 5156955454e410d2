import Foundation

extension SigmaCollection {
    /// A correlation as one KQL query over the events of the rules it refers to: each rule's query
    /// (with the group-by fields, through the correlation's aliases, carried as columns) tagged with
    /// its position, then per group: a count (`event_count`), a count of distinct values
    /// (`value_count`), the number of different rules seen (`temporal`), or the rules seen in their
    /// order, each occurrence the earliest after the previous one (`temporal_ordered`). A referred
    /// correlation's rows are events too (their end time is their time), so correlations chain. The
    /// query runs over one timespan: the scheduler's windows are the correlation's.
    public func kql(_ c: SigmaCorrelation, depth: Int = 0) throws -> String {
        guard depth < 8 else { throw SigmaRule.SigmaError(message: "correlations refer to each other in a loop") }
        let groups = c.groupBy.isEmpty ? ["SigmaAll"] : c.groupBy.map(Self.column)
        var legs: [String] = []
        for (i, ref) in c.rules.enumerated() {
            guard let doc = find(ref) else {
                throw SigmaRule.SigmaError(message: "correlation '\(c.meta.title)' refers to '\(ref)', which is not in this file (by id or name; rules in other files are not resolved yet)")
            }
            func field(_ g: String) -> String { c.aliases[g]?[doc.meta.name] ?? c.aliases[g]?[ref] ?? g }
            var carry: [(column: String, field: String)] = c.groupBy.map { (Self.column($0), field($0)) }
            if let f = c.field { carry.append(("SigmaValue", field(f))) }
            var leg: String
            switch doc {
            case .rule(let r):
                leg = try r.kql(carry: carry)
            case .correlation(let inner):
                leg = try kql(inner, depth: depth + 1)
                let columns = Set(inner.groupBy.map(Self.column))
                for (column, f) in carry where column != Self.column(f) || !columns.contains(column) {
                    guard columns.contains(Self.column(f)) else {
                        throw SigmaRule.SigmaError(message: "correlation '\(c.meta.title)' groups '\(inner.meta.title)' by '\(f)', which is not one of its group-by fields")
                    }
                    leg += "\n| extend \(column) = \(Self.column(f))"
                }
            }
            if c.groupBy.isEmpty { leg += "\n| extend SigmaAll = 1" }
            legs.append("(" + leg.replacingOccurrences(of: "\n", with: "\n    ") + "\n    | extend SigmaRuleIndex = \(i))")
        }
        let events = "union\n  " + legs.joined(separator: ",\n  ")
        let by = groups.joined(separator: ", ")
        let entities = "SigmaAccount = max(SigmaAccount), SigmaComputer = max(SigmaComputer)"
        func condition(_ column: String, _ fallback: String) -> String {
            let ops = ["gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "=="]
            return c.condition.isEmpty ? fallback : c.condition.map { "\(column) \(ops[$0.op]!) \($0.value)" }.joined(separator: " and ")
        }
        let tail = "\n| extend TimeGenerated = EndTime"
        switch c.kind {
        case .eventCount:
            return events + "\n| summarize EventCount = count(), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated), \(entities) by \(by)\n| where \(condition("EventCount", "true"))" + tail
        case .valueCount:
            return events + "\n| summarize ValueCount = dcountif(SigmaValue, isnotempty(SigmaValue)), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated), \(entities) by \(by)\n| where \(condition("ValueCount", "true"))" + tail
        case .temporal:
            return events + "\n| summarize Rules = dcount(SigmaRuleIndex), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated), \(entities) by \(by)\n| where \(condition("Rules", "Rules == \(c.rules.count)"))" + tail
        case .temporalOrdered:
            var q = "let SigmaEvents = " + events + ";\nSigmaEvents\n| where SigmaRuleIndex == 0\n| summarize T0 = min(TimeGenerated), \(entities) by \(by)"
            for i in 1..<c.rules.count {
                q += "\n| join kind=inner (SigmaEvents | where SigmaRuleIndex == \(i) | project \(by), T = TimeGenerated) on \(by)"
                q += "\n| where T >= T\(i - 1)\n| summarize T\(i) = min(T) by \(by), " + (0..<i).map { "T\($0)" }.joined(separator: ", ") + ", SigmaAccount, SigmaComputer"
            }
            return q + "\n| extend StartTime = T0, EndTime = T\(c.rules.count - 1)" + tail
        }
    }

    /// A group-by field as a column name: letters, digits and `_` (`destination.ip` → `destination_ip`).
    static func column(_ field: String) -> String {
        var s = String(field.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        if s.first?.isNumber ?? true { s = "_" + s }
        return ["TimeGenerated", "SigmaAccount", "SigmaComputer", "SigmaRuleIndex", "SigmaValue", "StartTime", "EndTime"].contains(s) ? "Group_" + s : s
    }
}
