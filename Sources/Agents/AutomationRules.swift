import Foundation
public import VigilCore
import Yams

/// Sentinel-style automation rules (`policies/automation.yaml`): on an incident created or updated, or an alert created,
/// ordered rules whose conditions hold (the review policy's condition language) apply their actions:
/// assign an owner, change status or severity, add a label, run a playbook, run triage, run the
/// report (a comment, and optionally a post to the report channels). Rules may expire.
/// Playbooks are declared here too: a webhook or a local command, with a timeout. Whether a playbook
/// may run without a human is the review policy's decision (`playbooksWithoutApproval`).
public struct AutomationRules: Sendable, Equatable {
    /// `alertCreated` fires once per new alert, on the incident that holds it, with the alert's own
    /// facts (`alertName`, `alertSeverity`, `alertRuleId`, `alertTactics`, `alertIsAnomaly`) beside
    /// the incident's.
    public enum Trigger: String, Sendable, CaseIterable { case incidentCreated, incidentUpdated, alertCreated }
    public enum Action: Sendable, Equatable {
        case assignOwner(String), changeStatus(Incident.Status), changeSeverity(Severity), addLabel(String), runPlaybook(String)
        /// The evidence modules and the score, again (after an escalation, say).
        case runTriage
        /// The incident report as a comment; `post`: also to the report channels of `vigil.yaml`.
        case runReport(post: Bool)
    }
    public struct Rule: Sendable, Equatable {
        public var name: String
        public var order: Int
        public var trigger: Trigger
        public var expires: Int64?
        public var condition: ReviewPolicy.Condition?
        public var actions: [Action]
    }
    public struct Playbook: Sendable, Equatable {
        public enum Target: Sendable, Equatable { case webhook(String), command([String]) }
        public var name: String
        public var target: Target
        public var timeoutSeconds: Int
        public init(name: String, target: Target, timeoutSeconds: Int) { self.name = name; self.target = target; self.timeoutSeconds = timeoutSeconds }
    }

    public var rules: [Rule]
    public var playbooks: [String: Playbook]

    /// The facts of an `alertCreated` rule's alert, beside the incident's.
    public static let alertFields: [String: String] = [
        "alertName": "the new alert's name", "alertSeverity": "its severity", "alertRuleId": "the id of the rule that raised it",
        "alertTactics": "list of its tactics", "alertIsAnomaly": "true for an anomaly",
    ]

    public static let empty = AutomationRules(rules: [], playbooks: [:])

    /// The actions due for an event, rule by rule in `order`, skipping expired rules.
    public func actions(for trigger: Trigger, _ inc: Incident, alert: Incident.AlertRef? = nil, now: Int64) -> [(rule: String, action: Action)] {
        var facts = ReviewerAgent.facts(inc)
        if let a = alert {
            facts["alertName"] = .string(a.name)
            facts["alertSeverity"] = .string(a.severity.rawValue)
            facts["alertRuleId"] = .string(a.ruleID)
            facts["alertTactics"] = .list(a.tactics.map(\.rawValue))
            facts["alertIsAnomaly"] = .bool(a.isAnomaly)
        }
        return rules.filter { $0.trigger == trigger && ($0.expires.map { now < $0 } ?? true) && ($0.condition.map { ReviewerAgent.holds($0, facts) } ?? true) }
            .sorted { ($0.order, $0.name) < ($1.order, $1.name) }
            .flatMap { r in r.actions.map { (r.name, $0) } }
    }

    /// An incident with the non-playbook actions applied; the playbooks to run, in order.
    public static func apply(_ actions: [(rule: String, action: Action)], to inc: Incident, now: Int64) -> (Incident, [(rule: String, playbook: String)]) {
        var out = inc
        var playbooks: [(String, String)] = []
        for (rule, action) in actions {
            switch action {
            case .assignOwner(let o): out.owner = Incident.Owner(assignedTo: o)
            case .changeStatus(let s):
                out.status = s
                if s == .closed { out.closedTime = now; out.classification = out.classification ?? .undetermined }
            case .changeSeverity(let s): out.severity = s
            case .addLabel(let l): if !out.labels.contains(where: { $0.labelName == l }) { out.labels.append(.init(l, .autoAssigned)) }
            case .runPlaybook(let p): playbooks.append((rule, p))
            case .runTriage, .runReport: break  // run by the pipeline, after the changes are stored
            }
        }
        if out != inc { out.lastModifiedTime = now }
        return (out, playbooks)
    }

    public static func parse(_ text: String) throws -> AutomationRules {
        func fail(_ n: Node?, _ m: String) -> ReviewPolicy.PolicyError { ReviewPolicy.PolicyError(line: n?.mark?.line ?? 1, message: m, file: "policies/automation.yaml") }
        guard let root = try Yams.compose(yaml: text)?.mapping else { throw fail(nil, "the file is a mapping with rules and playbooks") }
        var out = AutomationRules(rules: [], playbooks: [:])
        for p in root["playbooks"]?.sequence ?? [] {
            guard let m = p.mapping, let name = m["name"]?.string else { throw fail(p, "a playbook needs a name") }
            let timeout = m["timeoutSeconds"]?.int ?? 30
            guard timeout > 0 && timeout <= 3600 else { throw fail(m["timeoutSeconds"], "playbook \(name): timeoutSeconds must be 1 to 3600") }
            if let url = m["webhook"]?.string {
                guard let u = URL(string: url), ["http", "https"].contains(u.scheme ?? "") else { throw fail(m["webhook"], "playbook \(name): webhook must be an http(s) URL") }
                out.playbooks[name] = Playbook(name: name, target: .webhook(url), timeoutSeconds: timeout)
            } else if let cmd = m["command"]?.sequence?.compactMap(\.string), !cmd.isEmpty {
                out.playbooks[name] = Playbook(name: name, target: .command(cmd), timeoutSeconds: timeout)
            } else {
                throw fail(p, "playbook \(name): give a webhook URL or a command (a list: program and arguments)")
            }
        }
        for (n, r) in (root["rules"]?.sequence ?? []).enumerated() {
            guard let m = r.mapping, let name = m["name"]?.string else { throw fail(r, "a rule needs a name") }
            guard let t = m["trigger"]?.string, let trigger = Trigger(rawValue: t) else {
                throw fail(m["trigger"] ?? r, "rule \(name): trigger must be \(Trigger.allCases.map(\.rawValue).joined(separator: " or "))")
            }
            var expires: Int64?
            if let e = m["expires"]?.string {
                let f = ISO8601DateFormatter()
                guard let d = f.date(from: e) else { throw fail(m["expires"], "rule \(name): expires must be an ISO 8601 time") }
                expires = Int64(d.timeIntervalSince1970 * 1e7)
            }
            let fields = trigger == .alertCreated ? ReviewPolicy.fields.merging(Self.alertFields) { a, _ in a } : ReviewPolicy.fields
            let condition: ReviewPolicy.Condition?
            do { condition = try m["conditions"].map { try ReviewPolicy.condition($0, fields: fields) } } catch var e as ReviewPolicy.PolicyError {
                e.file = "policies/automation.yaml"
                throw e
            }
            var actions: [Action] = []
            for a in m["actions"]?.sequence ?? [] {
                guard let am = a.mapping, am.count == 1, let (k, v) = am.first.map({ ($0.key.string ?? "", $0.value.string ?? "") }) else {
                    throw fail(a, "rule \(name): an action is one of assignOwner, changeStatus, changeSeverity, addLabel, runPlaybook, runTriage, runReport")
                }
                switch k {
                case "assignOwner": actions.append(.assignOwner(v))
                case "changeStatus":
                    guard let s = Incident.Status(rawValue: v) else { throw fail(a, "rule \(name): status '\(v)' is not New, Active or Closed") }
                    actions.append(.changeStatus(s))
                case "changeSeverity":
                    guard let s = Severity(loose: v) else { throw fail(a, "rule \(name): severity '\(v)' is not a severity") }
                    actions.append(.changeSeverity(s))
                case "addLabel": actions.append(.addLabel(v))
                case "runTriage": actions.append(.runTriage)
                case "runReport":
                    guard ["true", "post", "comment"].contains(v) else { throw fail(a, "rule \(name): runReport is post (comment and post to the report channels) or comment") }
                    actions.append(.runReport(post: v != "comment"))
                case "runPlaybook":
                    guard out.playbooks[v] != nil else { throw fail(a, "rule \(name): no playbook named '\(v)'") }
                    actions.append(.runPlaybook(v))
                default: throw fail(a, "rule \(name): unknown action '\(k)'")
                }
            }
            guard !actions.isEmpty else { throw fail(r, "rule \(name): actions is required") }
            out.rules.append(Rule(name: name, order: m["order"]?.int ?? n + 1, trigger: trigger, expires: expires, condition: condition, actions: actions))
        }
        return out
    }
}
