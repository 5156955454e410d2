import Agents
import Testing
import VigilCore

/// Verdicts of the default policy on crafted incidents, the hard gates against any policy, and the
/// policy file's errors.
@Suite struct ReviewerAgentTests {
    static let t0: Int64 = 17_190_000_000_000_000
    static let policy = try! ReviewPolicy.parse(ReviewPolicy.defaultText)

    static func incident(_ alerts: [(rule: String, name: String, severity: Severity)], accounts: [String] = ["jdoe@contoso.com"],
                         confidence: Double = 0.25, anomaly: Bool = false) -> Incident {
        var inc = Incident(id: "i", number: 1, title: alerts[0].name, severity: alerts.map(\.severity).max()!, createdTime: t0)
        inc.alerts = alerts.enumerated().map { i, a in
            Incident.AlertRef(systemAlertID: "a\(i)", ruleID: a.rule, name: a.name, severity: a.severity, tactics: [.initialAccess], startTime: t0, endTime: t0, isAnomaly: anomaly && i > 0)
        }
        inc.entities = accounts.map { Entity(type: .account, properties: ["FullName": $0]) }
        inc.confidence = confidence
        inc.relatedAnalyticRuleIds = Array(Set(alerts.map(\.rule))).sorted()
        inc.riskScore = triaged()
        return inc
    }

    /// A triage that found nothing else about the entities.
    static func triaged() -> Incident.RiskScore {
        var score = Incident.RiskScore(total: 0, contributions: [], time: t0)
        score.otherAlerts = 0
        score.repeatAlerts = 0
        score.relatedAnomalies = 0
        score.anomalyModels = []
        return score
    }

    /// A day of one Sigma rule's alerts (grouped into one incident), triaged with the rule's record.
    static func sigmaDay(routine: Bool, community: Bool = true, otherAlerts: Int = 0, accounts: [String] = ["CONTOSO\\jane"],
                         commonLaunches: Bool? = nil, uncommonBy: [String] = []) -> Incident {
        let userinit = (rule: "0a98a10c", name: "Uncommon Userinit Child Process", severity: Severity.high)
        var inc = incident([userinit, userinit, userinit], accounts: accounts, confidence: 0.45)
        inc.riskScore?.routineRule = routine
        inc.riskScore?.communityRule = community
        inc.riskScore?.otherAlerts = otherAlerts
        inc.riskScore?.routineActivity = commonLaunches
        inc.riskScore?.uncommonLaunchAccounts = uncommonBy
        return inc
    }

    static let travel = (rule: "travel", name: "jdoe@contoso.com signed in from Seattle then Paris, a new country", severity: Severity.medium)

    /// The golden table: incident → outcome, with the rule or gate that decided.
    @Test(arguments: [
        ("lone travel", incident([travel]), Incident.Review.Outcome.autoClose, "Lone impossible travel without corroboration"),
        ("travel, a repeat grouped in (a VPN on and off)", incident([travel, travel]), .autoClose, "Lone impossible travel without corroboration"),
        ("travel of a privileged account", incident([travel], accounts: ["CONTOSO\\adm-jdoe"]), .flag, "privileged account"),
        ("travel of a VIP", incident([travel], accounts: ["ceo@contoso.com"]), .flag, "VIP account"),
        ("lone low alert", incident([(rule: "created", name: "admin created account x", severity: .low)], accounts: ["CONTOSO\\jane"], confidence: 0.1), .autoClose, "Lone low-severity alert"),
        ("lone high alert", incident([(rule: "risky", name: "Successful sign-in that Entra ID rated high risk", severity: .high)], confidence: 0.4), .approve, "Everything else"),
        ("multi-stage", incident([travel, (rule: "country", name: "rare country", severity: .low)], anomaly: true), .flag, "Several rules or models agree"),
        ("routine Sigma rule", sigmaDay(routine: true), .autoClose, "Alerts of a community rule that fires routinely"),
        ("rare Sigma rule", sigmaDay(routine: false), .approve, "Everything else"),
        ("routine Sigma rule, another rule's alert too", sigmaDay(routine: true, otherAlerts: 1), .approve, "Everything else"),
        ("routine rule of the team's own pack", sigmaDay(routine: true, community: false), .approve, "Everything else"),
        // A service account among the hosts' users: the gate holds unless every launch is common in the estate.
        ("routine Sigma rule, a service account", sigmaDay(routine: true, accounts: ["CONTOSO\\jane", "CONTOSO\\svc_sql012"]), .flag, "privileged account"),
        ("routine Sigma rule, a service account's uncommon launch", sigmaDay(routine: true, accounts: ["CONTOSO\\jane", "CONTOSO\\svc_sql012"], commonLaunches: false,
                                                                           uncommonBy: ["contoso\\svc_sql012"]), .flag, "privileged account"),
        ("routine Sigma rule, someone else's uncommon launch", sigmaDay(routine: true, accounts: ["CONTOSO\\jane", "CONTOSO\\svc_sql012"], commonLaunches: false,
                                                                         uncommonBy: ["contoso\\jane"]), .autoClose, "Alerts of a community rule that fires routinely"),
        ("routine Sigma rule, a service account, common launches", sigmaDay(routine: true, accounts: ["CONTOSO\\svc_sql012"], commonLaunches: true),
         .autoClose, "Alerts of a community rule that fires routinely"),
        ("common launches but another rule's alert", sigmaDay(routine: true, otherAlerts: 1, accounts: ["CONTOSO\\svc_sql012"], commonLaunches: true),
         .approve, "Everything else"),
        ("common launches of a rare rule", sigmaDay(routine: false, accounts: ["CONTOSO\\svc_sql012"], commonLaunches: true), .approve, "Everything else"),
        ("TI match, low", incident([(rule: "ti", name: "Threat intelligence IP address seen in IIS logs", severity: .low)], confidence: 0.1), .flag, "threat-intelligence match"),
    ])
    func verdicts(_ label: String, _ inc: Incident, _ expected: Incident.Review.Outcome, _ why: String) {
        var p = Self.policy
        p.vipAccounts = ["ceo@contoso.com"]
        let r = ReviewerAgent(policy: p).review(inc, now: Self.t0, closedToday: 0)
        #expect(r.outcome == expected, "\(label): \(r.reasons)")
        #expect((r.matchedRules + r.gates).contains { $0.contains(why) }, "\(label): \(r.matchedRules) \(r.gates)")
        #expect(r.policyVersion.hasPrefix("v6 ("))
    }

    @Test func applyingAVerdictChangesTheIncidentAndShadowModeDoesNot() {
        let agent = ReviewerAgent(policy: Self.policy)
        let inc = Self.incident([Self.travel])
        let r = agent.review(inc, now: Self.t0, closedToday: 0)
        let closed = agent.apply(r, to: inc, now: Self.t0)
        #expect(closed.status == .closed && closed.classification == .benignPositive && closed.classificationReason == .suspiciousButExpected)
        #expect(closed.labels.map(\.labelName) == ["Review: auto-closed"])
        #expect(closed.comments.last?.author == "reviewer-agent")
        #expect(closed.comments.last?.message.hasPrefix("Reviewer agent: autoClose under policy v6") == true)
        // Undo.
        let reopened = ReviewerAgent.reopen(closed, by: "analyst@contoso.com", now: Self.t0 + 1)
        #expect(reopened?.status == .active && reopened?.classification == nil)
        #expect(ReviewerAgent.reopen(inc, by: "x", now: 0) == nil)
        // Shadow mode: the verdict is recorded, nothing else changes.
        var shadow = Self.policy
        shadow.shadowMode = true
        let s = ReviewerAgent(policy: shadow)
        let kept = s.apply(s.review(inc, now: Self.t0, closedToday: 0), to: inc, now: Self.t0)
        #expect(kept.status == .new && kept.labels.isEmpty && kept.review?.shadow == true && kept.review?.outcome == .autoClose)
    }

    @Test func theDailyBudgetOfAutomaticClosuresTurnsMoreIntoFlags() {
        let r = ReviewerAgent(policy: Self.policy).review(Self.incident([Self.travel]), now: Self.t0, closedToday: 50)
        #expect(r.outcome == .flag)
        #expect(ReviewerAgent(policy: Self.policy).review(Self.incident([Self.travel]), now: Self.t0, closedToday: 50, budget: 150).outcome == .autoClose)
        #expect(r.reasons.last == "the budget of 50 automatic closures a day is used up: flagged for review, and reviewed again when a later day's budget allows")
        #expect(r.deferred == true && r.gates.isEmpty)
        // A gate's flag is final: nothing to review again.
        var privileged = Self.incident([Self.travel], accounts: ["CONTOSO\\adm-jdoe"])
        privileged.review = ReviewerAgent(policy: Self.policy).review(privileged, now: Self.t0, closedToday: 50)
        #expect(privileged.review?.deferred == nil && !ReviewerAgent.awaitsBudget(privileged))
    }

    /// Whatever a policy says, an incident that trips a hard gate is never auto-closed.
    /// The budget follows the usual flow: the floor until there is a history, then a multiple of the
    /// median closures per day, so a larger workspace is not throttled and a runaway policy still is.
    @Test func theBudgetLearnsTheUsualDailyClosures() throws {
        let p = try ReviewPolicy.parse(ReviewPolicy.defaultText)
        #expect(p.autoClosePerDay == 50 && p.autoCloseGrowth == 3)
        let agent = ReviewerAgent(policy: p), day: Int64 = 864_000_000_000, now = 30 * day
        #expect(agent.budget(closures: [], now: now) == 50)
        // Three days of 80, 90 and 100 closures: median 90, budget 270.
        var history: [Int64] = []
        for (k, n) in [80, 90, 100].enumerated() {
            for i in 0..<n { history.append(now - Int64(k + 1) * day - Int64(i + 1) * 1000) }
        }
        #expect(agent.budget(closures: history, now: now) == 270)
        // Today's closures do not count; a quiet history leaves the floor.
        #expect(agent.budget(closures: [now - 1000, now - day - 5], now: now) == 50)
        var fixed = p
        fixed.autoCloseGrowth = 0
        #expect(ReviewerAgent(policy: fixed).budget(closures: history, now: now) == 50)
        let negative = ReviewPolicy.defaultText.replacing("autoCloseGrowth: 3 ", with: "autoCloseGrowth: -1 ")
        #expect(throws: ReviewPolicy.PolicyError.self) { try ReviewPolicy.parse(negative) }
    }

    @Test func noPolicyAutoClosesAnIncidentThatTripsAHardGate() throws {
        var rng = SplitMix(seed: 42)
        let severities = Severity.allCases
        for _ in 0..<500 {
            // A random policy: a random condition, then autoClose; or autoClose everything.
            let field = ["confidence", "alertCount", "severityRank", "ruleCount"][rng.next(4)]
            let op = ["lt", "le", "gt", "ge", "eq", "ne"][rng.next(6)]
            let text = """
            version: \(1 + rng.next(9))
            autoClosePerDay: 1000
            privilegedAccountPatterns: [admin]
            vipAccounts: [vip@contoso.com]
            rules:
              - name: random
                when: {field: \(field), op: \(op), value: \(rng.next(4))}
                then: {action: autoClose, classification: FalsePositive}
              - name: all
                then: {action: autoClose, classification: BenignPositive}
            """
            let agent = ReviewerAgent(policy: try ReviewPolicy.parse(text))
            let names = ["Threat intelligence IP address seen in Syslog messages", "Brute force", "Impossible travel"]
            let alerts = (0..<(1 + rng.next(3))).map { _ in (rule: "r\(rng.next(3))", name: names[rng.next(3)], severity: severities[rng.next(4)]) }
            let accounts = [["jdoe@contoso.com"], ["CONTOSO\\admin"], ["vip@contoso.com"], []][rng.next(4)]
            let inc = Self.incident(alerts, accounts: accounts, confidence: Double(rng.next(100)) / 100)
            let r = agent.review(inc, now: Self.t0, closedToday: 0)
            if !agent.gates(inc).isEmpty {
                #expect(r.outcome != .autoClose, "\(inc.alerts.map(\.name)) \(accounts) \(inc.severity)")
                #expect(agent.apply(r, to: inc, now: Self.t0).status != .closed)
            }
        }
    }

    @Test func policyErrorsNameTheLine() {
        func error(_ text: String) -> String { do { _ = try ReviewPolicy.parse(text); return "" } catch { return "\(error)" } }
        #expect(error("version: 1\nrules:\n  - name: x\n    when: {field: nope, op: eq, value: 1}\n    then: {action: approve}\n").hasPrefix("policies/review.yaml:4: unknown field 'nope'"))
        #expect(error("version: 1\nrules:\n  - name: x\n    then: {action: autoClose}\n").contains("autoClose needs a classification"))
        #expect(error("version: 1\nrules:\n  - name: x\n    then: {action: delete}\n").contains("action 'delete' is not approve, flag or autoClose"))
        #expect(error("version: 1\ncolour: red\nrules: []\n").contains("unknown key 'colour'"))
        #expect(error("rules:\n  - name: x\n    then: {action: approve}\n").contains("version must be a positive integer"))
    }
}

/// A small deterministic generator for the property test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ n: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(n))
    }
}

/// Automation rules: order, conditions, expiry, the actions they apply, and file errors.
@Suite struct AutomationRulesTests {
    static let text = """
    playbooks:
      - {name: block-ip, webhook: "http://127.0.0.1:9/block", timeoutSeconds: 5}
      - {name: disable-account, command: ["/bin/true"]}
    rules:
      - name: Credential access to identity team
        order: 2
        trigger: incidentCreated
        conditions: {field: tactics, op: contains, value: CredentialAccess}
        actions:
          - assignOwner: identity-team
          - addLabel: credential
          - runPlaybook: disable-account
      - name: Escalate multi-stage
        order: 1
        trigger: incidentCreated
        conditions: {field: ruleCount, op: ge, value: 2}
        actions: [{changeSeverity: High}, {runPlaybook: block-ip}]
      - name: Expired
        trigger: incidentCreated
        expires: 2020-01-01T00:00:00Z
        actions: [{addLabel: never}]
      - name: On update
        trigger: incidentUpdated
        actions: [{changeStatus: Active}]
      - name: High alerts
        trigger: alertCreated
        conditions: {field: alertSeverity, op: eq, value: High}
        actions: [{addLabel: high-alert}, {runTriage: true}, {runReport: post}]
    """

    @Test func rulesApplyInOrderAndExpire() throws {
        let rules = try AutomationRules.parse(Self.text)
        var inc = ReviewerAgentTests.incident([(rule: "a", name: "x", severity: .medium), (rule: "b", name: "y", severity: .low)])
        inc.tactics = [.credentialAccess]
        let due = rules.actions(for: .incidentCreated, inc, now: ReviewerAgentTests.t0)
        #expect(due.map(\.rule) == ["Escalate multi-stage", "Escalate multi-stage", "Credential access to identity team", "Credential access to identity team", "Credential access to identity team"])
        let (out, playbooks) = AutomationRules.apply(due, to: inc, now: ReviewerAgentTests.t0)
        #expect(out.severity == .high && out.owner.assignedTo == "identity-team" && out.labels.map(\.labelName) == ["credential"])
        #expect(playbooks.map(\.playbook) == ["block-ip", "disable-account"])
        #expect(rules.actions(for: .incidentUpdated, inc, now: 0).map(\.rule) == ["On update"])
        // Alert rules see the alert's facts: only the High alert fires.
        #expect(rules.actions(for: .alertCreated, inc, alert: inc.alerts[0], now: 0).isEmpty)
        var high = inc.alerts[0]
        high.severity = .high
        let fired = rules.actions(for: .alertCreated, inc, alert: high, now: 0)
        #expect(fired.map(\.rule) == ["High alerts", "High alerts", "High alerts"])
        #expect(fired.map(\.action) == [.addLabel("high-alert"), .runTriage, .runReport(post: true)])
    }

    @Test func automationFileErrorsNameTheLine() {
        func error(_ t: String) -> String { do { _ = try AutomationRules.parse(t); return "" } catch { return "\(error)" } }
        #expect(error("rules:\n  - name: x\n    trigger: incidentCreated\n    actions: [{runPlaybook: nope}]\n").hasPrefix("policies/automation.yaml:4: rule x: no playbook named 'nope'"))
        #expect(error("rules:\n  - name: x\n    trigger: whenever\n    actions: [{addLabel: a}]\n").contains("trigger must be incidentCreated or incidentUpdated"))
        #expect(error("playbooks:\n  - {name: p, webhook: \"ftp://x\"}\n").contains("webhook must be an http(s) URL"))
    }
}

/// A lone alert closes only on what triage found around it: another rule's alert, intelligence or an
/// anomaly keep it open; a repeat of its own rule, or the source-address anomaly travel itself causes,
/// does not; without triage nothing is known, so nothing closes.
@Suite struct CorroborationTests {
    let agent = ReviewerAgent(policy: ReviewerAgentTests.policy)

    @Test func travelClosesOnlyWithoutIndependentCorroboration() {
        var inc = ReviewerAgentTests.incident([ReviewerAgentTests.travel])
        inc.riskScore?.repeatAlerts = 3
        inc.riskScore?.relatedAnomalies = 1
        inc.riskScore?.anomalyModels = ["Anomalous number of source IP addresses for a user (learned daily baseline)"]
        #expect(agent.review(inc, now: 0, closedToday: 0).outcome == .autoClose)
        var other = inc
        other.riskScore?.otherAlerts = 1
        #expect(agent.review(other, now: 0, closedToday: 0).outcome == .approve)
        var anomaly = inc
        anomaly.riskScore?.anomalyModels = ["Anomalous number of failed sign-ins for a user (learned daily baseline)"]
        #expect(agent.review(anomaly, now: 0, closedToday: 0).outcome == .approve)
        var untriaged = inc
        untriaged.riskScore = nil
        #expect(agent.review(untriaged, now: 0, closedToday: 0).outcome == .approve)
    }

    /// A routine Sigma rule's day closes although an account of it had another alert, when that
    /// account's launches were common (triage did not count it), and the verdict says so.
    @Test func aRoutineRulesDayNamesTheAlertsItDidNotCount() {
        var inc = ReviewerAgentTests.sigmaDay(routine: true, commonLaunches: false, uncommonBy: ["contoso\\carol"])
        inc.riskScore?.routineAccountAlerts = 1
        let r = agent.review(inc, now: 0, closedToday: 0)
        #expect(r.outcome == .autoClose)
        #expect(r.reasons.contains("1 other alert about accounts whose launches here are common across the estate: reviewed in their own incidents, not counted as corroboration"))
    }

    /// Every automatic closure names the facts its rule tested, with the incident's values.
    @Test func anAutoCloseNamesTheFactsItReliedOn() {
        var inc = ReviewerAgentTests.incident([ReviewerAgentTests.travel, ReviewerAgentTests.travel])
        inc.riskScore?.repeatAlerts = 3
        let r = agent.review(inc, now: 0, closedToday: 0)
        #expect(r.outcome == .autoClose)
        #expect(r.reasons.contains("facts relied on: rules: 1; other rules' alerts on these entities within a day: 0; threat-intelligence matches: 0; anomaly models: none; earlier alerts of the same rule (repeats): 3"))
        let low = agent.review(ReviewerAgentTests.incident([(rule: "created", name: "admin created account x", severity: .low)], confidence: 0.1), now: 0, closedToday: 0)
        #expect(low.reasons.contains("facts relied on: alerts: 1; severity rank (0 informational to 3 high): 1; confidence: 0.1; other rules' alerts on these entities within a day: 0; anomalies on these entities within a day: 0; threat-intelligence matches: 0"))
    }

    @Test func aLowAlertWithAnAnomalyStaysOpen() {
        var inc = ReviewerAgentTests.incident([(rule: "created", name: "admin created account x", severity: .low)], confidence: 0.1)
        #expect(agent.review(inc, now: 0, closedToday: 0).outcome == .autoClose)
        inc.riskScore?.relatedAnomalies = 1
        #expect(agent.review(inc, now: 0, closedToday: 0).outcome == .approve)
    }
}

/// What triage finds reaches the review: the gates see watchlist and threat-intelligence findings,
/// and rules can test them.
@Suite struct TriageFactsInReviewTests {
    @Test func triageFindingsGateAutoClosureAndAreFacts() throws {
        let agent = ReviewerAgent(policy: ReviewerAgentTests.policy)
        var inc = ReviewerAgentTests.incident([ReviewerAgentTests.travel])
        #expect(agent.review(inc, now: 0, closedToday: 0).outcome == .autoClose)
        inc.riskScore = ReviewerAgentTests.triaged()
        inc.riskScore?.watchlists = ["vip"]
        let vip = agent.review(inc, now: 0, closedToday: 0)
        #expect(vip.outcome == .flag && vip.gates == ["an entity on watchlist vip"])
        inc.riskScore?.watchlists = ["trusted-ips"]
        inc.riskScore?.threatIntelMatches = 2
        // The default policy does not close it; a policy that closes everything meets the gate.
        #expect(agent.review(inc, now: 0, closedToday: 0).outcome == .approve)
        let lax = ReviewerAgent(policy: try ReviewPolicy.parse("version: 1\nrules:\n  - name: close\n    then: {action: autoClose, classification: BenignPositive}\n"))
        let ti = lax.review(inc, now: 0, closedToday: 0)
        #expect(ti.outcome == .flag && ti.gates == ["threat-intelligence match"])
        let facts = ReviewerAgent.facts(inc)
        #expect(facts["watchlists"] == .list(["trusted-ips"]) && facts["threatIntelMatches"] == .number(2) && facts["riskScore"] == nil)
        #expect(ReviewerAgent.holds(.test(field: "watchlists", op: .contains, value: .string("trusted-ips")), facts))
    }
}

/// A lone risky sign-in closes only when triage verified it against the user's own history and
/// nothing else is about the user; the verdict names the facts; the hard gates still hold.
@Suite struct UserContextReviewTests {
    static let risky = (rule: "risky", name: "Successful sign-in that Entra ID rated high risk", severity: Severity.high)

    static func triaged(verified: Bool, other: Int = 0, anomalies: Int = 0, ti: Int = 0, watchlists: [String] = [], accounts: [String] = ["jdoe@contoso.com"]) -> Incident {
        var inc = ReviewerAgentTests.incident([risky], accounts: accounts, confidence: 0.4)
        var score = Incident.RiskScore(total: 10, contributions: [], time: 0)
        score.contextVerified = verified
        score.contextFacts = verified
            ? ["match: jdoe@contoso.com: country: US, as in 12 of 12 sign-ins in 14 days", "match: jdoe@contoso.com: client: Browser, as in 9 of 12 sign-ins"]
            : ["match: jdoe@contoso.com: client: Browser, as in 9 of 12 sign-ins", "deviation: jdoe@contoso.com: country: first sign-in from NL in 14 days (12 sign-ins counted)"]
        score.otherAlerts = other
        score.relatedAnomalies = anomalies
        score.threatIntelMatches = ti
        score.watchlists = watchlists
        inc.riskScore = score
        return inc
    }

    let agent = ReviewerAgent(policy: ReviewerAgentTests.policy)

    @Test func aVerifiedLoneRiskySignInClosesNamingTheFacts() {
        let r = agent.review(Self.triaged(verified: true), now: 0, closedToday: 0)
        #expect(r.outcome == .autoClose, "\(r.reasons) \(r.gates)")
        #expect(r.matchedRules == ["Lone risky sign-in that matches the user's own history"])
        #expect(r.gates.isEmpty)
        #expect(r.reasons.contains("context match: jdoe@contoso.com: country: US, as in 12 of 12 sign-ins in 14 days"), "\(r.reasons)")
        let closed = agent.apply(r, to: Self.triaged(verified: true), now: 0)
        #expect(closed.status == .closed && closed.classification == .benignPositive)
        #expect(ReviewerAgent.reopen(closed, by: "analyst", now: 1)?.status == .active)
    }

    @Test(arguments: [
        ("a deviating fact", triaged(verified: false), "High severity"),
        ("another alert on the user", triaged(verified: true, other: 1), "High severity"),
        ("an anomaly on the user", triaged(verified: true, anomalies: 1), "High severity"),
        ("a threat-intelligence match", triaged(verified: true, ti: 1), "threat-intelligence match"),
        ("a VIP watchlist entry", triaged(verified: true, watchlists: ["vip"]), "an entity on watchlist vip"),
        ("a privileged account", triaged(verified: true, accounts: ["adm-jdoe@contoso.com"]), "privileged account"),
    ])
    func anythingElseKeepsItOpen(_ label: String, _ inc: Incident, _ gate: String) {
        let r = agent.review(inc, now: 0, closedToday: 0)
        #expect(r.outcome != .autoClose, "\(label): \(r.reasons)")
        #expect(r.gates.contains { $0.contains(gate) }, "\(label): \(r.gates)")
    }

    /// A user with too little history, signing in from the address the organization's users share.
    @Test func aLoneRiskySignInFromTheOrganizationsEgressCloses() {
        var inc = Self.triaged(verified: false)
        inc.riskScore?.contextFacts = ["not judged: jdoe@contoso.com: history: 1 successful sign-ins in the 30 days before ...",
                                       "egress: jdoe@contoso.com: egress: every sign-in came from an organization egress address (198.51.100.11: 412 users)"]
        inc.riskScore?.contextEgress = true
        let r = agent.review(inc, now: 0, closedToday: 0)
        #expect(r.outcome == .autoClose && r.matchedRules == ["Lone risky sign-in from the organization's own egress address"], "\(r.reasons) \(r.gates)")
        #expect(r.reasons.contains { $0.contains("198.51.100.11: 412 users") })
        inc.riskScore?.otherAlerts = 1
        #expect(agent.review(inc, now: 0, closedToday: 0).outcome != .autoClose)
    }

    /// A user too new to have a history: compared with the organization instead, a weaker verdict
    /// the policy names separately; without it the High gate holds.
    @Test func aLoneRiskySignInOfANewUserConsistentWithTheOrganizationCloses() {
        var inc = Self.triaged(verified: false)
        inc.riskScore?.contextFacts = ["not judged: jdoe@contoso.com: history: 1 successful sign-ins in the 30 days before ...",
                                       "match: jdoe@contoso.com: country: US is common in the organization: 812 users signed in with it in the 7 days before",
                                       "organization: jdoe@contoso.com: organization: too little history of the user's own (1 sign-ins), but ..."]
        inc.riskScore?.contextOrganization = false
        let kept = agent.review(inc, now: 0, closedToday: 0)
        #expect(kept.outcome != .autoClose && kept.gates.contains("High severity"), "\(kept.reasons)")
        inc.riskScore?.contextOrganization = true
        let r = agent.review(inc, now: 0, closedToday: 0)
        #expect(r.outcome == .autoClose && r.matchedRules == ["Lone risky sign-in of a user too new to judge, consistent with the organization"], "\(r.reasons) \(r.gates)")
        #expect(r.reasons.contains { $0.contains("US is common in the organization: 812 users") })
        inc.riskScore?.relatedAnomalies = 1
        #expect(agent.review(inc, now: 0, closedToday: 0).outcome != .autoClose)
    }

    @Test func contextFactsAreReviewFacts() {
        let f = ReviewerAgent.facts(Self.triaged(verified: false, other: 2))
        #expect(f["contextVerified"] == .bool(false))
        #expect(f["contextDeviations"] == .list(["jdoe@contoso.com: country: first sign-in from NL in 14 days (12 sign-ins counted)"]))
        #expect(f["otherAlerts"] == .number(2) && f["relatedAnomalies"] == .number(0))
    }

    /// The closure of a routine rule's day names the rule's record and the launches it counted, and says
    /// why the service account among its users did not keep it open.
    @Test func aRoutineRulesClosureNamesItsFactsAndThePrivilegedAccount() {
        var inc = ReviewerAgentTests.sigmaDay(routine: true, accounts: ["CONTOSO\\svc_sql012"], commonLaunches: true)
        inc.riskScore?.contextFacts = ["routine: Uncommon Userinit Child Process: 312 alerts on 280 hosts or accounts on 14 of the 14 days before this incident",
                                       "common: userinit.exe → chrome.exe (\"c:\\program files\\google\\chrome.exe\" --type=renderer --renderer-client-id=#): 95 launches on 88 hosts in the 14 days before: common in this estate",
                                       "deviation: contoso\\svc_sql012: host: first logon onto dc19 in 14 days"]
        let r = ReviewerAgent(policy: ReviewerAgentTests.policy).review(inc, now: ReviewerAgentTests.t0, closedToday: 0)
        #expect(r.outcome == .autoClose && r.gates.isEmpty)
        #expect(r.reasons.contains { $0.hasPrefix("context routine: Uncommon Userinit Child Process: 312 alerts") })
        #expect(r.reasons.contains { $0.hasPrefix("context common: userinit.exe → chrome.exe") })
        #expect(!r.reasons.contains { $0.contains("first logon onto dc19") })
        #expect(r.reasons.last == "privileged account contoso\\svc_sql012: every launch of theirs the alerts matched is common across the estate, so the privileged-account gate does not hold")
    }

    @Test func aMultiStageIncidentNeverClosesWhateverThePolicySays() throws {
        let p = try ReviewPolicy.parse("version: 1\nautoClosePerDay: 100\nrules:\n  - name: all\n    then: {action: autoClose, classification: BenignPositive}\n")
        let inc = ReviewerAgentTests.incident([ReviewerAgentTests.travel, (rule: "other", name: "x", severity: .low)], confidence: 0.1)
        let r = ReviewerAgent(policy: p).review(inc, now: 0, closedToday: 0)
        #expect(r.outcome == .flag && r.gates.contains("multi-stage (2 rules)"))
    }
}
