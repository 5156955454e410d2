import Crypto
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
            fillSigma(&r, s.meta, tags: s.meta.tags, query: try s.kql(), period: 36_000_000_000)
            if s.isCloud {
                r.entityMappings = [AnalyticsRule.EntityMapping(entityType: .account, fieldMappings: [.init(identifier: "FullName", columnName: "SigmaAccount")]),
                                    AnalyticsRule.EntityMapping(entityType: .ip, fieldMappings: [.init(identifier: "Address", columnName: "SigmaIP")])]
            } else if let t = s.tableSource, t.address != "\"\"" {
                r.entityMappings.append(AnalyticsRule.EntityMapping(entityType: .ip, fieldMappings: [.init(identifier: "Address", columnName: "SigmaIP")]))
            }
            r.sourceTables = try s.tables()
        } catch {
            diagnostics.append(RuleDiagnostic(file: file, line: 1, code: "VGR1030", message: "Sigma rule not loaded: \(error)"))
        }
        return Parsed(rule: r, file: file, lines: lines, diagnostics: diagnostics)
    }

    /// A file of several Sigma documents: its outermost correlation (the one no other document refers
    /// to) with the rules it refers to, as one scheduled rule run every timespan over the timespan,
    /// one alert per group that meets the condition. Without a correlation, the file's first rule.
    /// Tags come from the correlation, or else from the rules it correlates.
    mutating func sigmaCollection(_ text: String) -> Parsed {
        var r = AnalyticsRule(id: "", name: "", query: "")
        do {
            let all = try SigmaCollection.parse(text)
            guard let c = all.outermost else {
                guard case .rule(let s)? = all.documents.first else { throw SigmaRule.SigmaError(message: "the file holds no rule") }
                fillSigma(&r, s.meta, tags: s.meta.tags, query: try s.kql(), period: 36_000_000_000)
                r.sourceTables = try s.tables()
                return Parsed(rule: r, file: file, lines: lines, diagnostics: diagnostics)
            }
            let query = try all.kql(c)
            var tags = c.meta.tags
            if !tags.contains(where: { $0.lowercased().hasPrefix("attack.") }) {
                for case .rule(let s) in all.documents { for t in s.meta.tags where !tags.contains(t) { tags.append(t) } }
            }
            fillSigma(&r, c.meta, tags: tags, query: query, period: c.timespan)
            // A correlation counts its rules' events: none in the window, no group.
            var sources: [String] = []
            for case .rule(let s) in all.documents { for t in try s.tables() where !sources.contains(t) { sources.append(t) } }
            r.sourceTables = sources
            // The rules page writes `enabled:` at the top of the file, in its first document.
            if all.documents.first?.meta.enabled == false { r.enabled = false }
            r.description = "Sigma \(c.kind.rawValue) correlation" + (c.groupBy.isEmpty ? "" : " by \(c.groupBy.joined(separator: ", "))") + " over \(c.rules.joined(separator: ", ")); " + r.description
        } catch {
            diagnostics.append(RuleDiagnostic(file: file, line: 1, code: "VGR1030", message: "Sigma rule not loaded: \(error)"))
        }
        return Parsed(rule: r, file: file, lines: lines, diagnostics: diagnostics)
    }

    static func derivedID(_ seed: String) -> String {
        let hex = Array(SHA256.hash(data: Data(seed.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined())
        return String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-4" + String(hex[13..<16]) + "-a" + String(hex[17..<20]) + "-" + String(hex[20..<32])
    }

    /// `tags`: the document's own, or (for a correlation) those it takes from the rules it correlates.
    mutating func fillSigma(_ r: inout AnalyticsRule, _ meta: SigmaMetadata, tags: [String], query: String, period: Int64) {
        // Sigma makes `id` optional: a rule without one gets a stable one from its title.
        r.id = meta.id.isEmpty ? Self.derivedID("sigma|" + meta.title) : meta.id
        r.name = meta.title
        r.query = query
        r.severity = ["informational": .informational, "low": .low, "medium": .medium, "high": .high, "critical": .high][meta.level.lowercased()] ?? .medium
        r.status = meta.status
        r.enabled = meta.enabled
        r.queryFrequency = period
        r.queryPeriod = period
        r.triggerOperator = .gt
        r.triggerThreshold = 0
        // What Sentinel's format states, a Sigma rule implies: the lines say they are set.
        for key in ["id", "name", "query", "severity", "queryFrequency", "queryPeriod", "triggerOperator", "triggerThreshold", "tactics", "relevantTechniques"] { lines[key] = 1 }
        var tactics: [MitreTactic] = [], techniques: [String] = []
        for t in tags where t.lowercased().hasPrefix("attack.") {
            let v = String(t.dropFirst("attack.".count))
            if v.range(of: #"^[tT]\d{4}(\.\d{3})?$"#, options: .regularExpression) != nil { techniques.append(v.uppercased()) }
            else if let tactic = MitreTactic(loose: v.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")) { tactics.append(tactic) }
        }
        r.tactics = tactics
        r.techniques = techniques
        r.description = "Sigma rule by \(meta.author) (status \(meta.status.isEmpty ? "unknown" : meta.status); DRL 1.1)."
            + (meta.falsePositives.isEmpty ? "" : " False positives: " + meta.falsePositives.joined(separator: "; ") + ".")
        // Community content fires on whatever its estate does routinely: a day of one rule's alerts is
        // one incident (Sentinel's "group all alerts" grouping), not one per host.
        r.incidentConfiguration.grouping.declared = true
        r.incidentConfiguration.grouping.enabled = true
        r.incidentConfiguration.grouping.matchingMethod = "AnyAlert"
        r.incidentConfiguration.grouping.lookbackDuration = 864_000_000_000
        r.entityMappings = [
            AnalyticsRule.EntityMapping(entityType: .host, fieldMappings: [.init(identifier: "FullName", columnName: "SigmaComputer")]),
            AnalyticsRule.EntityMapping(entityType: .account, fieldMappings: [.init(identifier: "FullName", columnName: "SigmaAccount")]),
        ]
    }
}
