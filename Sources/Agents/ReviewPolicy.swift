import Crypto
import Foundation
public import VigilCore
import Yams

/// The reviewer agent's policy (`policies/review.yaml`): ordered rules of conditions over an
/// incident's facts with an outcome each, safety settings, and the accounts the hard gates protect.
/// The first rule whose condition holds decides; hard gates (in `ReviewerAgent`) then forbid an
/// auto-close that no rule can allow.
public struct ReviewPolicy: Sendable, Equatable {
    public var version: Int
    /// The first 8 hex digits of the file's SHA-256: two edits with the same number still differ.
    public var digest: String
    public var autoClosePerDay: Int
    /// The budget grows to this multiple of the median closures per day of the last 14 days (0: fixed).
    public var autoCloseGrowth: Double
    public var shadowMode: Bool
    /// Substrings (case-insensitive) of account names that mark privileged accounts.
    public var privilegedAccountPatterns: [String]
    public var vipAccounts: [String]
    /// Watchlists (aliases) whose entities are never auto-closed: triage finds who is on them.
    public var vipWatchlists: [String]
    /// Playbooks (of `policies/automation.yaml`) that may run without a human; the others wait for an
    /// approval recorded with `vigil incidents approve`.
    public var playbooksWithoutApproval: [String]
    public var rules: [Rule]

    public var versionLabel: String { "v\(version) (\(digest))" }

    public struct Rule: Sendable, Equatable {
        public var name: String
        public var condition: Condition?
        public var action: Action
    }
    public struct Action: Sendable, Equatable {
        public var outcome: Incident.Review.Outcome
        public var classification: Incident.Classification?
        public var classificationReason: Incident.ClassificationReason?
        public var comment: String?
        /// For `flag`: who or which queue reviews it.
        public var owner: String?
    }
    public indirect enum Condition: Sendable, Equatable {
        case all([Condition]), any([Condition]), not(Condition)
        case test(field: String, op: Op, value: Fact)
    }
    public enum Op: String, Sendable, CaseIterable {
        case eq, ne, lt, le, gt, ge, `in`, notIn, contains, containsAny, matches
    }
    /// A value of an incident's fact or of a condition.
    public enum Fact: Sendable, Equatable {
        case number(Double), string(String), bool(Bool), list([String])
    }

    public struct PolicyError: Error, CustomStringConvertible, Equatable {
        public var line: Int
        public var message: String
        public var file = "policies/review.yaml"
        public init(line: Int, message: String, file: String = "policies/review.yaml") { self.line = line; self.message = message; self.file = file }
        public var description: String { "\(file):\(line): \(message)" }
    }

    /// The facts conditions can test, with what each holds.
    public static let fields: [String: String] = [
        "severity": "Informational, Low, Medium or High", "severityRank": "0 (Informational) to 3 (High)",
        "confidence": "the producer's confidence, 0 to 1", "alertCount": "alerts and anomalies", "ruleCount": "distinct rules and models",
        "tacticCount": "distinct tactics", "tactics": "list of tactics", "ruleIds": "list of rule ids", "alertNames": "list of alert names",
        "accounts": "list of account names", "hosts": "list of host names", "ips": "list of addresses", "entityCount": "entities",
        "hasAnomaly": "true when an anomaly is part of it", "title": "the title", "labels": "list of label names",
        "riskScore": "the triage score (absent until triage ran)", "status": "New, Active or Closed",
        "watchlists": "aliases of the watchlists the entities are on (after triage)",
        "threatIntelMatches": "threat-intelligence indicators the entities match (after triage)",
        "truePositiveProbability": "the calibrated probability of a true positive for the risk score (absent until `vigil scoring calibrate`)",
        "contextVerified": "true when every judged fact of the incident's sign-ins (country, address, client, application, hour, device) matches each user's own history (after triage)",
        "contextDeviations": "list of the facts that do not match the user's history, e.g. 'first sign-in from NL in 14 days' (after triage)",
        "egressOnly": "true when every sign-in of the incident came from an organization egress address (many users sign in from it) and Entra gave no risk reason history cannot explain (after triage)",
        "organizationConsistent": "true when the users too new to have a history of their own signed in with a country, client and application common in the organization, from an address no spray fails from, without a run of failures before (the others verified by their own history) (after triage)",
        "routineRule": "true when every rule of the incident alerted on at least 10 hosts or accounts on at least 3 of the lookback's days before it: it matches routine activity in this estate (after triage)",
        "communityRule": "true when every rule of the incident is community content (a Sigma rule) rather than the team's own (after triage)",
        "otherAlerts": "alerts of other rules on the incident's entities within a day of its activity (after triage)",
        "repeatAlerts": "earlier alerts of the incident's own rules on its entities in the lookback, not part of it (after triage)",
        "relatedAnomalies": "anomalies on the incident's entities within a day of its activity (after triage)",
        "anomalyModels": "list of the models of those anomalies (after triage)",
    ]

    public static func parse(_ text: String) throws -> ReviewPolicy {
        let node: Node
        do {
            guard let n = try Yams.compose(yaml: text) else { throw PolicyError(line: 1, message: "the policy is empty") }
            node = n
        } catch let e as PolicyError { throw e } catch {
            throw PolicyError(line: 1, message: "not valid YAML: \(error)")
        }
        guard let m = node.mapping else { throw PolicyError(line: 1, message: "the policy is a mapping") }
        func line(_ n: Node?) -> Int { (n?.mark?.line) ?? 1 }
        let known: Set<String> = ["version", "autoClosePerDay", "autoCloseGrowth", "shadowMode", "privilegedAccountPatterns", "vipAccounts", "vipWatchlists", "playbooksWithoutApproval", "rules"]
        for (k, _) in m where !known.contains(k.string ?? "") { throw PolicyError(line: line(k), message: "unknown key '\(k.string ?? "")' (\(known.sorted().joined(separator: ", ")))") }
        guard let version = m["version"]?.int, version >= 1 else { throw PolicyError(line: line(m["version"]), message: "version must be a positive integer") }
        var p = ReviewPolicy(version: version, digest: Self.digest(text), autoClosePerDay: 25, autoCloseGrowth: 0, shadowMode: false,
                             privilegedAccountPatterns: [], vipAccounts: [], vipWatchlists: ["vip"], playbooksWithoutApproval: [], rules: [])
        if let b = m["autoClosePerDay"] {
            guard let v = b.int, v >= 0 else { throw PolicyError(line: line(b), message: "autoClosePerDay must be a non-negative integer") }
            p.autoClosePerDay = v
        }
        if let g = m["autoCloseGrowth"] {
            guard let v = g.float ?? g.int.map(Double.init), v >= 0 else { throw PolicyError(line: line(g), message: "autoCloseGrowth must be a non-negative number") }
            p.autoCloseGrowth = v
        }
        if let s = m["shadowMode"] {
            guard let v = s.bool else { throw PolicyError(line: line(s), message: "shadowMode must be true or false") }
            p.shadowMode = v
        }
        p.privilegedAccountPatterns = (m["privilegedAccountPatterns"]?.sequence ?? []).compactMap(\.string)
        p.vipAccounts = (m["vipAccounts"]?.sequence ?? []).compactMap(\.string)
        p.playbooksWithoutApproval = (m["playbooksWithoutApproval"]?.sequence ?? []).compactMap(\.string)
        if let v = m["vipWatchlists"]?.sequence { p.vipWatchlists = v.compactMap(\.string) }
        guard let rules = m["rules"]?.sequence, !rules.isEmpty else { throw PolicyError(line: line(m["rules"]), message: "rules: a list of at least one rule is required") }
        for r in rules {
            guard let rm = r.mapping, let name = rm["name"]?.string else { throw PolicyError(line: line(r), message: "a rule needs a name") }
            for (k, _) in rm where !["name", "when", "then"].contains(k.string ?? "") { throw PolicyError(line: line(k), message: "rule '\(name)': unknown key '\(k.string ?? "")' (name, when, then)") }
            let condition = try rm["when"].map { try Self.condition($0) }
            guard let then = rm["then"]?.mapping, let a = then["action"]?.string else { throw PolicyError(line: line(r), message: "rule '\(name)': then.action is required (approve, flag, autoClose)") }
            guard let outcome = Incident.Review.Outcome(rawValue: a) else { throw PolicyError(line: line(then["action"]), message: "rule '\(name)': action '\(a)' is not approve, flag or autoClose") }
            var action = Action(outcome: outcome, classification: nil, classificationReason: nil, comment: then["comment"]?.string, owner: then["owner"]?.string)
            if let c = then["classification"]?.string {
                guard let v = Incident.Classification(rawValue: c) else { throw PolicyError(line: line(then["classification"]), message: "rule '\(name)': classification '\(c)' is not one of \(Incident.Classification.allCases.map(\.rawValue).joined(separator: ", "))") }
                action.classification = v
            }
            if let c = then["classificationReason"]?.string {
                guard let v = Incident.ClassificationReason(rawValue: c) else { throw PolicyError(line: line(then["classificationReason"]), message: "rule '\(name)': classificationReason '\(c)' is not one of \(Incident.ClassificationReason.allCases.map(\.rawValue).joined(separator: ", "))") }
                action.classificationReason = v
            }
            if outcome == .autoClose && action.classification == nil {
                throw PolicyError(line: line(r), message: "rule '\(name)': autoClose needs a classification")
            }
            p.rules.append(Rule(name: name, condition: condition, action: action))
        }
        return p
    }

    static func condition(_ n: Node, fields: [String: String] = fields) throws -> Condition {
        guard let m = n.mapping else { throw PolicyError(line: n.mark?.line ?? 1, message: "a condition is a mapping (all, any, not, or field/op/value)") }
        if let all = m["all"]?.sequence { return .all(try all.map { try condition($0, fields: fields) }) }
        if let any = m["any"]?.sequence { return .any(try any.map { try condition($0, fields: fields) }) }
        if let not = m["not"] { return .not(try condition(not, fields: fields)) }
        guard let field = m["field"]?.string else { throw PolicyError(line: n.mark?.line ?? 1, message: "a condition needs field, op and value (or all, any, not)") }
        guard fields[field] != nil else { throw PolicyError(line: m["field"]?.mark?.line ?? 1, message: "unknown field '\(field)' (\(fields.keys.sorted().joined(separator: ", ")))") }
        guard let opText = m["op"]?.string, let op = Op(rawValue: opText) else {
            throw PolicyError(line: m["op"]?.mark?.line ?? n.mark?.line ?? 1, message: "op must be one of \(Op.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let v = m["value"] else { throw PolicyError(line: n.mark?.line ?? 1, message: "condition on \(field) needs a value") }
        let value: Fact
        if let list = v.sequence { value = .list(list.compactMap(\.string)) }
        else if let b = v.bool, v.string == "true" || v.string == "false" { value = .bool(b) }
        else if let d = v.float ?? v.int.map(Double.init) { value = .number(d) }
        else { value = .string(v.string ?? "") }
        if op == .matches, case .string(let re) = value, (try? NSRegularExpression(pattern: re)) == nil {
            throw PolicyError(line: v.mark?.line ?? 1, message: "'\(re)' is not a regular expression")
        }
        return .test(field: field, op: op, value: value)
    }

    static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// The policy `vigil init` writes and Vigil uses when the workspace has none.
    public static let defaultText = """
    # The reviewer agent's policy. Rules are tried in order; the first whose `when` holds decides.
    # Outcomes: approve (a confirmed incident for the queue), flag (manual review, with an owner or
    # queue), autoClose (with a classification). Whatever the rules say, Vigil never auto-closes a
    # multi-stage incident, one with a threat-intelligence match, one involving a VIP account (or one
    # on a vipWatchlists list), one involving a privileged account unless its community (Sigma) rule
    # fires routinely across the estate and every process launch it matched ran on many hosts before,
    # or one of High severity unless triage verified it against the users' own history (or, for a
    # user too new to have one, the organization's), or its community rule fires routinely across the
    # estate, with nothing else about them: such an auto-close becomes a flag (hard gates).
    version: 6
    autoClosePerDay: 50          # automatic closures per 24 hours at least; beyond the day's budget, incidents are flagged
    autoCloseGrowth: 3           # the budget grows to 3x the median closures per day of the last 14 days (0: fixed)
    shadowMode: false            # true: record what would be done, change nothing
    privilegedAccountPatterns: [admin, administrator, krbtgt, root, svc_, "da-", "adm-"]
    vipAccounts: []              # accounts never auto-closed (UPN or DOMAIN\\\\name)
    vipWatchlists: [vip]         # watchlists whose entities are never auto-closed (triage finds them)
    playbooksWithoutApproval: [] # playbooks of automation.yaml that may run without a human
    rules:
      - name: Several rules or models agree
        when: {field: ruleCount, op: ge, value: 2}
        then: {action: flag, owner: tier2, comment: "Multi-stage: more than one detection agrees."}
      - name: Alerts of a community rule that fires routinely across the estate
        when:
          all:
            - {field: ruleCount, op: eq, value: 1}
            - {field: communityRule, op: eq, value: true}
            - {field: routineRule, op: eq, value: true}
            - {field: otherAlerts, op: eq, value: 0}
            - {field: relatedAnomalies, op: eq, value: 0}
            - {field: threatIntelMatches, op: eq, value: 0}
        then:
          action: autoClose
          classification: BenignPositive
          classificationReason: SuspiciousButExpected
          comment: "A Sigma rule that alerted on many hosts or accounts on many days before this incident: it matches routine activity in this estate (tune it, or switch it off on the rules page); no other rule, anomaly or intelligence corroborates it."
      - name: Lone risky sign-in that matches the user's own history
        when:
          all:
            - {field: alertCount, op: eq, value: 1}
            - {field: alertNames, op: matches, value: "rated high risk"}
            - {field: contextVerified, op: eq, value: true}
            - {field: otherAlerts, op: eq, value: 0}
            - {field: relatedAnomalies, op: eq, value: 0}
            - {field: threatIntelMatches, op: eq, value: 0}
        then:
          action: autoClose
          classification: BenignPositive
          classificationReason: SuspiciousButExpected
          comment: "A lone risky sign-in whose country, address, client, application and hour match the user's own history, and no other alert, anomaly or intelligence touches the user."
      - name: Lone risky sign-in from the organization's own egress address
        when:
          all:
            - {field: alertCount, op: eq, value: 1}
            - {field: alertNames, op: matches, value: "rated high risk"}
            - {field: egressOnly, op: eq, value: true}
            - {field: otherAlerts, op: eq, value: 0}
            - {field: relatedAnomalies, op: eq, value: 0}
            - {field: threatIntelMatches, op: eq, value: 0}
        then:
          action: autoClose
          classification: BenignPositive
          classificationReason: SuspiciousButExpected
          comment: "A lone risky sign-in from an address the organization's users share (its egress), with no other alert, anomaly or intelligence about the user."
      - name: Lone risky sign-in of a user too new to judge, consistent with the organization
        when:
          all:
            - {field: alertCount, op: eq, value: 1}
            - {field: alertNames, op: matches, value: "rated high risk"}
            - {field: organizationConsistent, op: eq, value: true}
            - {field: otherAlerts, op: eq, value: 0}
            - {field: relatedAnomalies, op: eq, value: 0}
            - {field: threatIntelMatches, op: eq, value: 0}
        then:
          action: autoClose
          classification: BenignPositive
          classificationReason: SuspiciousButExpected
          comment: "A lone risky sign-in of a user with too little history to compare: its country, client and application are common in the organization, no other account failed from its address, no run of failures preceded it, and no other alert, anomaly or intelligence touches the user."
      - name: Lone impossible travel without corroboration
        when:
          all:
            # One rule: repeats of the travel alert grouped into the incident (a VPN switched on and
            # off) are the same story.
            - {field: ruleCount, op: eq, value: 1}
            - {field: alertNames, op: matches, value: "signed in from .* then .*, a new country"}
            - {field: otherAlerts, op: eq, value: 0}
            - {field: threatIntelMatches, op: eq, value: 0}
            # Travel itself makes the user's daily count of source addresses anomalous: that one model
            # is the same evidence, not corroboration.
            - {field: anomalyModels, op: in, value: ["Anomalous number of source IP addresses for a user (learned daily baseline)"]}
        then:
          action: autoClose
          classification: BenignPositive
          classificationReason: SuspiciousButExpected
          comment: "Impossible travel alone: no other rule, intelligence or anomaly (beyond the source-address count travel causes) about the user; earlier travel alerts of the same user are a traveller's pattern. Travel or a VPN; reopen if more appears."
      - name: Lone low-severity alert with low confidence
        when:
          all:
            - {field: alertCount, op: eq, value: 1}
            - {field: severityRank, op: le, value: 1}
            - {field: confidence, op: lt, value: 0.2}
            - {field: otherAlerts, op: eq, value: 0}
            - {field: relatedAnomalies, op: eq, value: 0}
            - {field: threatIntelMatches, op: eq, value: 0}
        then:
          action: autoClose
          classification: BenignPositive
          classificationReason: SuspiciousButExpected
          comment: "A single low-severity alert with nothing corroborating it."
      - name: Everything else
        then: {action: approve}

    """
}
