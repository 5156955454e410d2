public import VigilCore
import Foundation
import Yams

/// Reads a rule file: Sentinel's rule YAML, or the ARM/JSON export (one rule resource, or a template
/// whose `resources` hold rules). Never throws: problems are `RuleDiagnostic`s with lines, and every
/// field that can be read is read, so that one bad value does not hide the others.
public struct RuleParser {
    /// A rule as read, with the line of each field for later diagnostics.
    public struct Parsed: Sendable {
        public var rule: AnalyticsRule
        public var file: String
        public var lines: [String: Int]
        public var diagnostics: [RuleDiagnostic]
        public func line(_ field: String) -> Int { lines[field] ?? 1 }
    }

    let file: String
    var diagnostics: [RuleDiagnostic] = []
    var lines: [String: Int] = [:]

    /// Every rule in the text (ARM templates may hold several); at least one entry unless the file is
    /// not a rule at all (then the diagnostics say why).
    public static func parse(_ text: String, file: String) -> (rules: [Parsed], diagnostics: [RuleDiagnostic]) {
        var p = RuleParser(file: file)
        // Several YAML documents: a Sigma correlation with the rules it refers to.
        if text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().contains(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) {
            let parsed = p.sigmaCollection(text)
            return parsed.diagnostics.isEmpty ? ([parsed], []) : ([], parsed.diagnostics)
        }
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text) else {
                return ([], [RuleDiagnostic(file: file, line: 1, code: "VGR1001", message: "the file is empty")])
            }
            root = n
        } catch let e as YamlError {
            return ([], [RuleDiagnostic(file: file, line: Self.line(of: e), code: "VGR1001", message: "not valid YAML: \(Self.message(of: e))")])
        } catch {
            return ([], [RuleDiagnostic(file: file, line: 1, code: "VGR1001", message: "not valid YAML: \(error)")])
        }
        guard let map = root.mapping else {
            return ([], [RuleDiagnostic(file: file, line: 1, code: "VGR1002", message: "a rule file is a mapping of fields")])
        }
        // ARM: {"resources": [...]} or a single resource {"kind": ..., "properties": {...}}.
        if let resources = map["resources"]?.sequence {
            var out: [Parsed] = []
            for r in resources {
                guard let rm = r.mapping, let props = rm["properties"]?.mapping else { continue }
                var q = RuleParser(file: file)
                out.append(q.arm(rm, props))
            }
            if out.isEmpty { return ([], [RuleDiagnostic(file: file, line: 1, code: "VGR1002", message: "the ARM template holds no alert rule resources")]) }
            return (out, [])
        }
        if let props = map["properties"]?.mapping { return ([p.arm(map, props)], []) }
        if map["correlation"] != nil && map["title"] != nil {
            let parsed = p.sigmaCollection(text)
            return parsed.diagnostics.isEmpty ? ([parsed], []) : ([], parsed.diagnostics)
        }
        if map["logsource"] != nil && map["detection"] != nil {
            let parsed = p.sigma(text)
            return parsed.diagnostics.isEmpty ? ([parsed], []) : ([], parsed.diagnostics)
        }
        return ([p.yaml(map)], [])
    }

    static func line(of e: YamlError) -> Int {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): return mark.line
        default: return 1
        }
    }

    static func message(of e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _): return problem
        default: return "\(e)"
        }
    }

    mutating func error(_ field: String, _ code: String, _ message: String, at node: Node? = nil) {
        diagnostics.append(RuleDiagnostic(file: file, line: node?.mark?.line ?? lines[field] ?? 1, code: code, message: message))
    }

    /// Sentinel's rule YAML.
    mutating func yaml(_ m: Node.Mapping) -> Parsed {
        for (k, v) in m { if let key = k.string { lines[key] = v.mark?.line ?? k.mark?.line } }
        var r = AnalyticsRule(id: m["id"]?.string ?? "", name: m["name"]?.string ?? "", query: m["query"]?.string ?? "")
        r.description = m["description"]?.string ?? ""
        fill(&r, m, names: .yaml)
        return Parsed(rule: r, file: file, lines: lines, diagnostics: diagnostics)
    }

    /// The ARM export: `properties.displayName`, ISO durations, long operator names.
    mutating func arm(_ resource: Node.Mapping, _ p: Node.Mapping) -> Parsed {
        for (k, v) in p { if let key = k.string { lines[Names.arm.reverse[key] ?? key] = v.mark?.line ?? k.mark?.line } }
        // The id is the GUID at the end of the resource name (`[concat(..., '/<guid>')]` or `ws/Microsoft.SecurityInsights/<guid>`).
        let rawName = resource["name"]?.string ?? ""
        let id = rawName.components(separatedBy: CharacterSet(charactersIn: "/'[]() ,")).last { UUID(uuidString: $0) != nil } ?? rawName
        var r = AnalyticsRule(id: id, name: p["displayName"]?.string ?? "", query: p["query"]?.string ?? "")
        r.description = p["description"]?.string ?? ""
        if let k = resource["kind"]?.string { lines["kind"] = resource["kind"]?.mark?.line; r.kind = k.lowercased() == "nrt" ? .nrt : (k.lowercased() == "anomaly" ? .anomaly : .scheduled) }
        fill(&r, p, names: .arm)
        return Parsed(rule: r, file: file, lines: lines, diagnostics: diagnostics)
    }

    /// Field names of the two shapes.
    struct Names {
        var map: [String: String]
        var reverse: [String: String] { Dictionary(uniqueKeysWithValues: map.map { ($1, $0) }) }
        func callAsFunction(_ k: String) -> String { map[k] ?? k }
        static let yaml = Names(map: [:])
        static let arm = Names(map: ["name": "displayName", "eventGroupingSettings": "eventGroupingSettings"])
    }

    mutating func fill(_ r: inout AnalyticsRule, _ m: Node.Mapping, names: Names) {
        if let s = m["severity"] {
            if let v = s.string.flatMap(Severity.init(loose:)) { r.severity = v } else { error("severity", "VGR1010", "severity must be Informational, Low, Medium or High", at: s) }
        }
        if let k = m["kind"]?.string {
            switch k.lowercased() {
            case "scheduled": r.kind = .scheduled
            case "nrt": r.kind = .nrt
            case "anomaly": r.kind = .anomaly
            default: error("kind", "VGR1011", "kind '\(k)' is not Scheduled, NRT or Anomaly")
            }
        }
        if let e = m["enabled"] { r.enabled = e.bool ?? true }
        r.status = m["status"]?.string
        r.version = m["version"]?.string ?? m["templateVersion"]?.string
        for key in ["queryFrequency", "queryPeriod", "suppressionDuration"] {
            guard let n = m[key] else { continue }
            guard let text = n.string, let d = RuleDuration.parse(text) else { error(key, "VGR1012", "\(key) '\(n.string ?? "")' is not a duration (5m, 1h, 14d or PT5M)", at: n); continue }
            switch key {
            case "queryFrequency": r.queryFrequency = d
            case "queryPeriod": r.queryPeriod = d
            default: r.suppressionDuration = d
            }
        }
        if let o = m["triggerOperator"] {
            if let v = o.string.flatMap(AnalyticsRule.TriggerOperator.init(loose:)) { r.triggerOperator = v }
            else { error("triggerOperator", "VGR1013", "triggerOperator '\(o.string ?? "")' is not gt, lt, eq or ne", at: o) }
        }
        if let t = m["triggerThreshold"] {
            if let v = t.int { r.triggerThreshold = v }
            else if t.string?.lowercased() == "dynamic" { r.dynamicThreshold = AnalyticsRule.DynamicThreshold() }
            else { error("triggerThreshold", "VGR1014", "triggerThreshold must be an integer or dynamic", at: t) }
        }
        if let d = m["dynamicThreshold"] {
            if r.dynamicThreshold == nil { error("dynamicThreshold", "VGR1021", "dynamicThreshold needs triggerThreshold: dynamic", at: d) }
            dynamicThreshold(d, into: &r)
        }
        if let ps = m["parameters"] {
            guard let pm = ps.mapping else { error("parameters", "VGR1022", "parameters is a mapping of name: value", at: ps); return fillRest(&r, m) }
            for (k, v) in pm {
                guard let name = k.string, name.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil else {
                    error("parameters", "VGR1022", "parameter name '\(k.string ?? "")' is not a KQL name", at: k); continue
                }
                guard let literal = Self.kqlLiteral(v) else { error("parameters", "VGR1022", "parameter \(name) needs a scalar value", at: v); continue }
                r.parameters.append(AnalyticsRule.Pair(key: name, value: literal))
            }
        }
        fillRest(&r, m)
    }

    /// A YAML scalar as KQL literal text: numbers, booleans, timespans (`14d`) and `datetime(...)` /
    /// `dynamic(...)` as written, anything else as a quoted string.
    static func kqlLiteral(_ n: Node) -> String? {
        guard let s = n.scalar else { return nil }
        let text = s.string
        if n.int != nil || n.float != nil || n.bool != nil { return n.bool.map { $0 ? "true" : "false" } ?? text }
        if text.range(of: #"^\d+(\.\d+)?(d|h|m|s|ms|tick|microsecond|millisecond|second|minute|hour|day)s?$"#, options: .regularExpression) != nil { return text }
        if text.range(of: #"^(datetime|dynamic|timespan|time|real|long|int|bool)\(.*\)$"#, options: .regularExpression) != nil { return text }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    mutating func dynamicThreshold(_ n: Node, into r: inout AnalyticsRule) {
        guard let m = n.mapping else { error("dynamicThreshold", "VGR1021", "dynamicThreshold is a mapping (history, sensitivity, minimum, minimumRuns)", at: n); return }
        var d = r.dynamicThreshold ?? AnalyticsRule.DynamicThreshold()
        for (k, v) in m {
            switch k.string ?? "" {
            case "history":
                if let t = v.string.flatMap(RuleDuration.parse), t > 0 { d.history = t } else { error("dynamicThreshold", "VGR1021", "history '\(v.string ?? "")' is not a duration", at: v) }
            case "sensitivity":
                if let x = v.float ?? v.int.map(Double.init), x > 0 { d.sensitivity = x } else { error("dynamicThreshold", "VGR1021", "sensitivity must be a positive number", at: v) }
            case "minimum":
                if let x = v.int, x >= 0 { d.minimum = x } else { error("dynamicThreshold", "VGR1021", "minimum must be a non-negative integer", at: v) }
            case "minimumRuns":
                if let x = v.int, x >= 1 { d.minimumRuns = x } else { error("dynamicThreshold", "VGR1021", "minimumRuns must be a positive integer", at: v) }
            default:
                error("dynamicThreshold", "VGR1021", "unknown dynamicThreshold field '\(k.string ?? "")' (history, sensitivity, minimum, minimumRuns)", at: k)
            }
        }
        if r.dynamicThreshold != nil { r.dynamicThreshold = d }
    }

    mutating func fillRest(_ r: inout AnalyticsRule, _ m: Node.Mapping) {
        if let s = m["suppressionEnabled"] { r.suppressionEnabled = s.bool ?? false }
        for t in m["tactics"]?.sequence ?? [] {
            guard let text = t.string else { continue }
            if let v = MitreTactic(loose: text) { if !r.tactics.contains(v) { r.tactics.append(v) } }
            else { error("tactics", "VGR1015", "tactic '\(text)' is not a MITRE ATT&CK tactic", at: t) }
        }
        for t in (m["relevantTechniques"] ?? m["techniques"])?.sequence ?? [] {
            guard let text = t.string?.trimmingCharacters(in: .whitespaces) else { continue }
            if text.range(of: #"^T\d{4}(\.\d{3})?$"#, options: .regularExpression) != nil { r.techniques.append(text) }
            else { error("relevantTechniques", "VGR1016", "technique '\(text)' is not of the form T1234 or T1234.001", at: t) }
        }
        for e in m["entityMappings"]?.sequence ?? [] {
            guard let em = e.mapping, let typeText = em["entityType"]?.string else { error("entityMappings", "VGR1017", "an entity mapping needs an entityType", at: e); continue }
            guard let type = EntityType(loose: typeText) else { error("entityMappings", "VGR1017", "entity type '\(typeText)' is not a Sentinel entity type", at: em["entityType"]); continue }
            if type.rawValue != typeText {
                diagnostics.append(RuleDiagnostic(file: file, line: em["entityType"]?.mark?.line ?? 1, code: "VGR1020",
                                                  message: "entity type '\(typeText)' is read as \(type.rawValue)", severity: .warning))
            }
            var fields: [AnalyticsRule.FieldMapping] = []
            for f in em["fieldMappings"]?.sequence ?? [] {
                guard let fm = f.mapping, let id = fm["identifier"]?.string, let col = fm["columnName"]?.string else {
                    error("entityMappings", "VGR1018", "a field mapping needs identifier and columnName", at: f); continue
                }
                if !type.identifiers.contains(id) { error("entityMappings", "VGR1018", "'\(id)' is not an identifier of \(type.rawValue) (\(type.identifiers.sorted().joined(separator: ", ")))", at: fm["identifier"]) }
                fields.append(AnalyticsRule.FieldMapping(identifier: id, columnName: col))
            }
            r.entityMappings.append(AnalyticsRule.EntityMapping(entityType: type, fieldMappings: fields))
        }
        if let cd = m["customDetails"]?.mapping {
            for (k, v) in cd { if let key = k.string, let col = v.string { r.customDetails.append(AnalyticsRule.Pair(key: key, value: col)) } }
        }
        if let ad = m["alertDetailsOverride"]?.mapping {
            var o = AnalyticsRule.AlertDetailsOverride()
            // YAML `null` (or `~`, or nothing) means the field is not set.
            func text(_ k: String) -> String? { ad[k].flatMap { $0.null == nil ? $0.string : nil } }
            o.displayNameFormat = text("alertDisplayNameFormat")
            o.descriptionFormat = text("alertDescriptionFormat")
            o.severityColumnName = text("alertSeverityColumnName")
            o.tacticsColumnName = text("alertTacticsColumnName")
            for p in ad["alertDynamicProperties"]?.sequence ?? [] {
                if let pm = p.mapping, let k = pm["alertProperty"]?.string, let v = pm["value"]?.string { o.dynamicProperties.append(AnalyticsRule.Pair(key: k, value: v)) }
            }
            r.alertDetailsOverride = o
        }
        if let eg = m["eventGroupingSettings"]?.mapping, let k = eg["aggregationKind"]?.string {
            if let v = AnalyticsRule.AggregationKind(rawValue: k) { r.eventGrouping = v }
            else { error("eventGroupingSettings", "VGR1019", "aggregationKind '\(k)' is not SingleAlert or AlertPerResult", at: eg["aggregationKind"]) }
        }
        if let ic = m["incidentConfiguration"]?.mapping {
            r.incidentConfiguration.createIncident = ic["createIncident"]?.bool ?? true
            if let g = ic["groupingConfiguration"]?.mapping {
                var gc = AnalyticsRule.GroupingConfiguration()
                gc.declared = true
                gc.enabled = g["enabled"]?.bool ?? false
                gc.reopenClosedIncident = g["reopenClosedIncident"]?.bool ?? false
                if let lb = g["lookbackDuration"]?.string {
                    if let d = RuleDuration.parse(lb) { gc.lookbackDuration = d } else { error("incidentConfiguration", "VGR1012", "lookbackDuration '\(lb)' is not a duration", at: g["lookbackDuration"]) }
                }
                gc.matchingMethod = g["matchingMethod"]?.string ?? "AllEntities"
                gc.groupByEntities = (g["groupByEntities"]?.sequence ?? []).compactMap { $0.string.flatMap(EntityType.init(loose:)) }
                gc.groupByAlertDetails = (g["groupByAlertDetails"]?.sequence ?? []).compactMap(\.string)
                gc.groupByCustomDetails = (g["groupByCustomDetails"]?.sequence ?? []).compactMap(\.string)
                r.incidentConfiguration.grouping = gc
            }
        }
        r.requiredDataConnectors = (m["requiredDataConnectors"]?.sequence ?? []).compactMap { $0.mapping?["connectorId"]?.string }
        r.tags = (m["tags"]?.sequence ?? []).compactMap { $0.string ?? $0.mapping?.first?.value.string }
    }
}
