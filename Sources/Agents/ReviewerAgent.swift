import Foundation
public import VigilCore

/// Judges a draft incident against the review policy: the first matching rule gives the outcome,
/// hard gates turn a forbidden auto-close into a flag, the daily budget of automatic closures does
/// the same once used, and shadow mode records the verdict without acting on it. Every verdict
/// carries the policy version, the rule that matched and the reasons.
public struct ReviewerAgent: Sendable {
    public let policy: ReviewPolicy
    public init(policy: ReviewPolicy) { self.policy = policy }

    /// `closedToday`: automatic closures in the 24 hours before `now` (from the audit trail).
    /// `budget`: the day's budget of automatic closures (`budget(closures:now:)`; the policy's floor when nil).
    public func review(_ inc: Incident, now: Int64, closedToday: Int, budget: Int? = nil) -> Incident.Review {
        let budget = budget ?? policy.autoClosePerDay
        let facts = Self.facts(inc)
        var reasons: [String] = []
        var matched: [String] = []
        var action = ReviewPolicy.Action(outcome: .approve, classification: nil, classificationReason: nil, comment: nil, owner: nil)
        if let rule = policy.rules.first(where: { $0.condition.map { Self.holds($0, facts) } ?? true }) {
            matched.append(rule.name)
            action = rule.action
            reasons.append("rule '\(rule.name)': \(rule.action.outcome.rawValue)" + (rule.action.comment.map { ". \($0)" } ?? ""))
            if action.outcome == .autoClose, let c = rule.condition, let line = Self.factsLine(c, facts) { reasons.append(line) }
            // A verdict that rests on the users' history names the facts it relied on.
            if let c = rule.condition, ["contextVerified", "contextDeviations", "egressOnly", "organizationConsistent"].contains(where: { Self.mentions(c, $0) }) {
                reasons += (inc.riskScore?.contextFacts ?? []).map { "context \($0)" }
            } else if let c = rule.condition, ["routineRule", "routineActivity"].contains(where: { Self.mentions(c, $0) }) {
                // The rule's record and how common its launches are, not every user's sign-in history.
                let levels = ["routine: ", "rare: ", "common: ", "uncommon: "]
                reasons += (inc.riskScore?.contextFacts ?? []).filter { f in levels.contains { f.hasPrefix($0) } }.prefix(20).map { "context \($0)" }
                if let n = inc.riskScore?.routineAccountAlerts, n > 0 {
                    reasons.append("\(n) other alert\(n == 1 ? "" : "s") about accounts whose launches here are common across the estate: reviewed in their own incidents, not counted as corroboration")
                }
            }
            let privileged = privilegedAccounts(Self.accounts(inc))
            if action.outcome == .autoClose, !privileged.isEmpty, Self.routineLaunches(inc, of: privileged) {
                reasons.append("privileged account \(privileged.sorted().joined(separator: ", ")): every launch of theirs the alerts matched is common across the estate, so the privileged-account gate does not hold")
            }
        } else {
            reasons.append("no rule matched: approve")
        }
        let gates = gates(inc)
        var outcome = action.outcome
        if outcome == .autoClose && !gates.isEmpty {
            outcome = .flag
            reasons.append("hard gate: \(gates.joined(separator: "; ")): never closed automatically, flagged for review")
        }
        let deferred = outcome == .autoClose && closedToday >= budget
        if deferred {
            outcome = .flag
            reasons.append("the budget of \(budget) automatic closures a day is used up: flagged for review, and reviewed again when a later day's budget allows")
        }
        if outcome == .flag, let owner = action.owner { reasons.append("queue: \(owner)") }
        if policy.shadowMode { reasons.append("shadow mode: recorded, not applied") }
        var review = Incident.Review(outcome: outcome, policyVersion: policy.versionLabel, matchedRules: matched, reasons: reasons, gates: gates,
                                     time: now, shadow: policy.shadowMode)
        review.deferred = deferred ? true : nil
        return review
    }

    /// Whether the reviewer may look at the incident again: its last verdict was an automatic closure
    /// the budget deferred, and nobody has taken it since (still New, no owner, not changed after).
    public static func awaitsBudget(_ inc: Incident) -> Bool {
        guard let r = inc.review, r.deferred == true, !r.shadow else { return false }
        return inc.status == .new && inc.owner.assignedTo == nil && inc.lastModifiedTime <= r.time
    }

    /// The day's budget of automatic closures: the policy's floor (`autoClosePerDay`), or
    /// `autoCloseGrowth` times the median of the closures per day over the 14 days before (from the
    /// first day with a closure), whichever is larger. The budget follows the usual flow, so a workspace
    /// five times larger is not throttled, while a policy gone wrong is stopped at a multiple of it.
    public func budget(closures: [Int64], now: Int64) -> Int {
        let day: Int64 = 864_000_000_000
        let recent = closures.filter { $0 <= now - day && $0 > now - 15 * day }
        guard policy.autoCloseGrowth > 0, let first = recent.min() else { return policy.autoClosePerDay }
        // Day k before now holds the closures in (now - (k+1) days, now - k days], k from 1 to the first's.
        var counts = [Int](repeating: 0, count: Int((now - first) / day))
        for t in recent { counts[Int((now - t) / day) - 1] += 1 }
        counts.sort()
        let median = counts.count % 2 == 1 ? Double(counts[counts.count / 2]) : Double(counts[counts.count / 2 - 1] + counts[counts.count / 2]) / 2
        return max(policy.autoClosePerDay, Int((policy.autoCloseGrowth * median).rounded()))
    }

    /// The verdict applied: status, classification, owner and labels change, and the verdict is
    /// written as a comment. In shadow mode only the comment and the review are recorded.
    public func apply(_ review: Incident.Review, to inc: Incident, now: Int64) -> Incident {
        var out = inc
        out.review = review
        out.comments.append(Incident.Comment(id: ProducerAgent.guid("review|\(inc.id)|\(now)|\(out.comments.count)"),
                                             message: Self.comment(review), author: "reviewer-agent", createdTime: now))
        out.lastModifiedTime = now
        guard !review.shadow else { return out }
        let action = policy.rules.first { review.matchedRules.contains($0.name) }?.action
        out.labels.removeAll { $0.labelName.hasPrefix("Review: ") }
        switch review.outcome {
        case .approve:
            if out.status == .new { out.status = .active }
            out.labels.append(.init("Review: approved", .autoAssigned))
        case .flag:
            out.labels.append(.init("Review: needs manual review", .autoAssigned))
            if let owner = action?.owner, out.owner.isEmpty { out.owner = Incident.Owner(assignedTo: owner) }
        case .autoClose:
            out.status = .closed
            out.closedTime = now
            out.classification = action?.classification ?? .undetermined
            out.classificationReason = action?.classificationReason
            out.classificationComment = "Closed by the reviewer agent (policy \(review.policyVersion)): " + (action?.comment ?? review.reasons.joined(separator: "; "))
            out.labels.append(.init("Review: auto-closed", .autoAssigned))
        }
        return out
    }

    /// Undo of an automatic closure: the incident is open again, and says why.
    public static func reopen(_ inc: Incident, by actor: String, now: Int64) -> Incident? {
        guard inc.status == .closed, inc.review?.outcome == .autoClose else { return nil }
        var out = inc
        out.status = .active
        out.closedTime = nil
        out.classification = nil
        out.classificationReason = nil
        out.classificationComment = nil
        out.labels.removeAll { $0.labelName == "Review: auto-closed" }
        out.labels.append(.init("Review: reopened", .autoAssigned))
        out.comments.append(Incident.Comment(id: ProducerAgent.guid("reopen|\(inc.id)|\(now)"), message: "Reopened by \(actor): the automatic closure was undone.",
                                             author: actor, createdTime: now))
        out.lastModifiedTime = now
        return out
    }

    static func comment(_ r: Incident.Review) -> String {
        let head = r.shadow ? "Reviewer agent (shadow mode, not applied): would \(r.outcome.rawValue)" : "Reviewer agent: \(r.outcome.rawValue)"
        return head + " under policy \(r.policyVersion).\n" + r.reasons.map { "- \($0)" }.joined(separator: "\n")
    }

    /// The hard gates: what no policy rule can auto-close.
    public func gates(_ inc: Incident) -> [String] {
        var out: [String] = []
        if Set(inc.alerts.map(\.ruleID)).count >= 2 { out.append("multi-stage (\(Set(inc.alerts.map(\.ruleID)).count) rules)") }
        // A High incident may close only on evidence: the users' own history matches (or, for a user too
        // new to have one, the organization's), or its untuned community rule fires routinely across the
        // estate, and nothing else is about them.
        let verified = inc.riskScore.map {
            ($0.contextVerified == true || $0.contextEgress == true || $0.contextOrganization == true || ($0.routineRule == true && $0.communityRule == true))
                && ($0.otherAlerts ?? 0) == 0 && ($0.relatedAnomalies ?? 0) == 0
        } ?? false
        if inc.severity == .high && !verified { out.append("High severity") }
        if inc.alerts.contains(where: { $0.name.lowercased().contains("threat intelligence") })
            || inc.labels.contains(where: { $0.labelName.lowercased().contains("threat intelligence") })
            || inc.confidenceFactors.contains(where: { $0.name == "threat intelligence" })
            || (inc.riskScore?.threatIntelMatches ?? 0) > 0 {
            out.append("threat-intelligence match")
        }
        let accounts = Self.accounts(inc)
        let privileged = privilegedAccounts(accounts)
        if !privileged.isEmpty && !Self.routineLaunches(inc, of: privileged) { out.append("privileged account \(privileged.sorted().joined(separator: ", "))") }
        let vips = Set(policy.vipAccounts.map { $0.lowercased() })
        let vip = accounts.filter { vips.contains($0) }
        if !vip.isEmpty { out.append("VIP account \(vip.sorted().joined(separator: ", "))") }
        let lists = Set(policy.vipWatchlists.map { $0.lowercased() })
        let onLists = (inc.riskScore?.watchlists ?? []).filter { lists.contains($0.lowercased()) }
        if !onLists.isEmpty { out.append("an entity on watchlist \(onLists.joined(separator: ", "))") }
        return out
    }

    /// A community rule that fires routinely across the estate matched process launches, every one of
    /// these privileged accounts' launches among them ran on many hosts before, and nothing else is
    /// about the incident's entities: the accounts did what the estate does every day, so the
    /// privileged-account gate does not hold (an account that ran something uncommon keeps it).
    static func routineLaunches(_ inc: Incident, of privileged: [String]) -> Bool {
        guard let r = inc.riskScore, r.routineRule == true, r.communityRule == true, r.routineActivity != nil,
              (r.otherAlerts ?? 0) == 0, (r.relatedAnomalies ?? 0) == 0, r.threatIntelMatches == 0 else { return false }
        return Set(privileged).isDisjoint(with: r.uncommonLaunchAccounts ?? [])
    }

    /// The incident's accounts, lowercased.
    static func accounts(_ inc: Incident) -> [String] { inc.entities.filter { $0.type == .account }.map { $0.displayName.lowercased() } }

    /// Those of these (lowercased) accounts that the policy's patterns mark privileged.
    func privilegedAccounts(_ accounts: [String]) -> [String] {
        accounts.filter { a in policy.privilegedAccountPatterns.contains { !$0.isEmpty && a.contains($0.lowercased()) } }
    }

    // MARK: - Facts and conditions

    public static func facts(_ inc: Incident) -> [String: ReviewPolicy.Fact] {
        func names(_ t: EntityType) -> [String] { inc.entities.filter { $0.type == t }.map(\.displayName) }
        var f: [String: ReviewPolicy.Fact] = [
            "severity": .string(inc.severity.rawValue), "severityRank": .number(Double(inc.severity.rank)),
            "confidence": .number(inc.confidence), "alertCount": .number(Double(inc.alerts.count)),
            "ruleCount": .number(Double(Set(inc.alerts.map(\.ruleID)).count)), "tacticCount": .number(Double(inc.tactics.count)),
            "tactics": .list(inc.tactics.map(\.rawValue)), "ruleIds": .list(inc.relatedAnalyticRuleIds),
            "alertNames": .list(inc.alerts.map(\.name)), "accounts": .list(names(.account)), "hosts": .list(names(.host)), "ips": .list(names(.ip)),
            "entityCount": .number(Double(inc.entities.count)), "hasAnomaly": .bool(inc.alerts.contains(where: \.isAnomaly)),
            "title": .string(inc.title), "labels": .list(inc.labels.map(\.labelName)), "status": .string(inc.status.rawValue),
        ]
        if let score = inc.labels.compactMap({ l -> Double? in
            guard l.labelName.hasPrefix("Risk Score - ") else { return nil }
            return Double(l.labelName.dropFirst("Risk Score - ".count))
        }).first { f["riskScore"] = .number(score) }
        if let p = inc.riskScore?.probability { f["truePositiveProbability"] = .number(p) }
        if let r = inc.riskScore {
            f["watchlists"] = .list(r.watchlists)
            f["threatIntelMatches"] = .number(Double(r.threatIntelMatches))
            if let v = r.contextVerified { f["contextVerified"] = .bool(v) }
            if let v = r.contextEgress { f["egressOnly"] = .bool(v) }
            if let v = r.contextOrganization { f["organizationConsistent"] = .bool(v) }
            if let v = r.routineRule { f["routineRule"] = .bool(v) }
            if let v = r.routineActivity { f["routineActivity"] = .bool(v) }
            if let v = r.communityRule { f["communityRule"] = .bool(v) }
            if let facts = r.contextFacts { f["contextDeviations"] = .list(facts.filter { $0.hasPrefix("deviation: ") }.map { String($0.dropFirst("deviation: ".count)) }) }
            if let n = r.otherAlerts { f["otherAlerts"] = .number(Double(n)) }
            if let n = r.relatedAnomalies { f["relatedAnomalies"] = .number(Double(n)) }
            if let n = r.repeatAlerts { f["repeatAlerts"] = .number(Double(n)) }
            if let m = r.anomalyModels { f["anomalyModels"] = .list(m) }
        }
        return f
    }

    static func mentions(_ c: ReviewPolicy.Condition, _ field: String) -> Bool { fields(c).contains(field) }

    /// Whether a condition holds; a test of an absent fact never holds.
    public static func holds(_ c: ReviewPolicy.Condition, _ facts: [String: ReviewPolicy.Fact]) -> Bool {
        switch c {
        case .all(let cs): return cs.allSatisfy { holds($0, facts) }
        case .any(let cs): return cs.contains { holds($0, facts) }
        case .not(let x): return !holds(x, facts)
        case .test(let field, let op, let value):
            guard let fact = facts[field] else { return false }
            return test(fact, op, value)
        }
    }

    static func test(_ fact: ReviewPolicy.Fact, _ op: ReviewPolicy.Op, _ value: ReviewPolicy.Fact) -> Bool {
        func eq(_ a: String, _ b: String) -> Bool { a.caseInsensitiveCompare(b) == .orderedSame }
        switch (fact, value) {
        case (.number(let a), .number(let b)):
            switch op {
            case .eq: return a == b
            case .ne: return a != b
            case .lt: return a < b
            case .le: return a <= b
            case .gt: return a > b
            case .ge: return a >= b
            default: return false
            }
        case (.bool(let a), .bool(let b)): return op == .eq ? a == b : op == .ne ? a != b : false
        case (.string(let a), .string(let b)):
            switch op {
            case .eq: return eq(a, b)
            case .ne: return !eq(a, b)
            case .contains: return a.range(of: b, options: .caseInsensitive) != nil
            case .matches: return a.range(of: b, options: [.regularExpression, .caseInsensitive]) != nil
            default: return false
            }
        case (.string(let a), .list(let b)):
            switch op {
            case .in: return b.contains { eq($0, a) }
            case .notIn: return !b.contains { eq($0, a) }
            default: return false
            }
        case (.list(let a), .string(let b)):
            switch op {
            case .contains: return a.contains { eq($0, b) }
            case .matches: return a.contains { $0.range(of: b, options: [.regularExpression, .caseInsensitive]) != nil }
            default: return false
            }
        case (.list(let a), .list(let b)):
            switch op {
            case .containsAny: return a.contains { x in b.contains { eq($0, x) } }
            case .in: return a.allSatisfy { x in b.contains { eq($0, x) } }
            default: return false
            }
        default: return false
        }
    }
}
