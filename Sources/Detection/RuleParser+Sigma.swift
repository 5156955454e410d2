import Foundation
public import VigilCore

extension RuleParser {
    /// A Sigma rule as a scheduled analytics rule: its detection as KQL (`SigmaRule+KQL`), run every
    /// hour over the hour, one alert per matching event; `level` to severity (critical is High),
    /// `attack.<tactic>` and `attack.tNNNN` tags to tactics and techniques, the author, status and
    /// false positives kept in the description. A rule Vigil cannot express is a diagnostic (with the
    /// reason) and no rule: never half-loaded.
    mutating func sigma(_ text: String) -> Parsed {
        var r = AnalyticsRule(id: "", name: "", query: "")
        do {
            let s = try SigmaRule.parse(text)
            r.id = s.id
            r.name = s.title
            r.query = try s.kql()
            r.severity = ["informational": .informational, "low": .low, "medium": .medium, "high": .high, "critical": .high][s.level.lowercased()] ?? .medium
            r.status = s.status
            r.queryFrequency = 36_000_000_000
            r.queryPeriod = 36_000_000_000
            r.triggerOperator = .gt
            r.triggerThreshold = 0
            // What Sentinel's format states, a Sigma rule implies: the lines say they are set.
            for key in ["id", "name", "query", "severity", "queryFrequency", "queryPeriod", "triggerOperator", "triggerThreshold", "tactics", "relevantTechniques"] { lines[key] = 1 }
            var tactics: [MitreTactic] = [], techniques: [String] = []
            for t in s.tags where t.lowercased().hasPrefix("attack.") {
                let v = String(t.dropFirst("attack.".count))
                if v.range(of: #"^[tT]\d{4}(\.\d{3})?$"#, options: .regularExpression) != nil { techniques.append(v.uppercased()) }
                else if let tactic = MitreTactic(loose: v.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")) { tactics.append(tactic) }
            }
            r.tactics = tactics
            r.techniques = techniques
            r.description = "Sigma rule by \(s.author) (status \(s.status.isEmpty ? "unknown" : s.status); DRL 1.1)."
                + (s.falsePositives.isEmpty ? "" : " False positives: " + s.falsePositives.joined(separator: "; ") + ".")
            r.entityMappings = [
                AnalyticsRule.EntityMapping(entityType: .host, fieldMappings: [.init(identifier: "FullName", columnName: "SigmaComputer")]),
                AnalyticsRule.EntityMapping(entityType: .account, fieldMappings: [.init(identifier: "FullName", columnName: "SigmaAccount")]),
            ]
        } catch {
            diagnostics.append(RuleDiagnostic(file: file, line: 1, code: "VGR1030", message: "Sigma rule not loaded: \(error)"))
        }
        return Parsed(rule: r, file: file, lines: lines, diagnostics: diagnostics)
    }
}
