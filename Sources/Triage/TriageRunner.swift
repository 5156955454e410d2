import Foundation
import KQL
public import VigilCore

/// Runs the evidence modules of one incident concurrently; a failing module becomes a report with
/// its error and the others still complete; a module that takes longer than its budget is reported
/// as such (its findings are kept: a query cannot be interrupted midway). Then the score, the
/// comments and the `Risk Score - N` label go on the incident, replacing an earlier triage's.
public struct TriageRunner: Sendable {
    public var modules: [any EvidenceModule]
    public var scoring: ScoringPolicy
    public var budgetMillis: Double
    /// How close to the incident's activity another alert or an anomaly must be to corroborate it
    /// (one day each side); older ones are context, scored but not corroboration: over two weeks a busy
    /// user collects unrelated alerts by chance.
    public var corroborationWindow: Int64 = 864_000_000_000

    public init(modules: [any EvidenceModule] = TriageRunner.standardModules, scoring: ScoringPolicy = ScoringPolicy(), budgetMillis: Double = 10_000) {
        self.modules = modules; self.scoring = scoring; self.budgetMillis = budgetMillis
    }

    public static let standardModules: [any EvidenceModule] = [EntitiesModule(), RelatedAlertsModule(), ThreatIntelModule(), WatchlistModule(), SigninRiskModule(),
                                                                UserContextModule(), LogonContextModule(), HostActivityModule(), HostContextModule(), RuleRecordModule(),
                                                                ActivityPrevalenceModule(), AnomaliesModule()]

    public func reports(_ ctx: TriageContext) -> [ModuleReport] {
        let box = Box(count: modules.count)
        DispatchQueue.concurrentPerform(iterations: modules.count) { i in
            let m = modules[i]
            let start = DispatchTime.now().uptimeNanoseconds
            var findings: [Finding] = []
            var failure: String?
            do { findings = try m.run(ctx) } catch { failure = "\(error)" }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if failure == nil && ms > budgetMillis { failure = String(format: "took %.0f ms, over its budget of %.0f ms", ms, budgetMillis) }
            box.put(i, ModuleReport(module: m.name, findings: findings, comment: Self.comment(m.name, findings, failure), error: failure, millis: ms))
        }
        return box.results.compactMap { $0 }
    }

    /// The incident with this triage's comments, score and label (an earlier triage's removed).
    public func apply(_ reports: [ModuleReport], to inc: Incident, now: Int64) -> Incident {
        var out = inc
        var score = scoring.score(reports, now: now)
        let findings = reports.flatMap(\.findings)
        score.watchlists = Array(Set(findings.filter { $0.kind == .watchlist }.compactMap(\.level))).sorted()
        score.threatIntelMatches = findings.filter { $0.kind == .threatIntel }.count
        let verdicts = findings.filter { $0.kind == .context && ($0.level == "verified" || $0.level == "unverified") }
        let facts = findings.filter { $0.kind == .context && $0.level != "verified" && $0.level != "unverified" }
        // Every rule of the incident fires routinely across the estate; and whether all are Sigma rules.
        let records = facts.filter { $0.evidence.first?["fact"] == "rule record" }
        let background = Set(facts.filter { $0.evidence.first?["fact"] == "routine community rules" }
            .flatMap { ($0.evidence.first?["RuleIds"] ?? "").split(separator: ",").map(String.init) })
        if !records.isEmpty {
            score.routineRule = records.allSatisfy { $0.level == "routine" }
            score.communityRule = records.allSatisfy { $0.evidence.first?["sigma"] == "true" }
        }
        let launches = facts.filter { $0.evidence.first?["fact"] == "activity prevalence" }
        if !launches.isEmpty {
            score.routineActivity = launches.allSatisfy { $0.level == "common" }
            score.uncommonLaunchAccounts = Array(Set(launches.filter { $0.level != "common" }
                .flatMap { ($0.evidence.first?["accounts"] ?? "").split(separator: ",").map(String.init) })).sorted()
        }
        if !facts.isEmpty { score.contextFacts = facts.map { "\($0.level ?? ""): \($0.summary)" } }
        if !verdicts.isEmpty {
            // Verified: every user's judged facts match, and no host of the incident ran something new either.
            score.contextVerified = verdicts.allSatisfy { $0.level == "verified" } && !facts.contains { $0.level == "deviation" }
            let users = Set(verdicts.compactMap { $0.evidence.first?["user"] })
            let egress = Set(facts.filter { $0.level == "egress" }.compactMap { $0.evidence.first?["user"] })
            score.contextEgress = users == egress && !facts.contains { $0.level == "deviation" && $0.evidence.first?["fact"] == "risk reason" }
            // Consistent with the organization: every user is verified by its own history or, too new
            // to have one, by the organization's; nothing deviates.
            let organization = Set(facts.filter { $0.level == "organization" }.compactMap { $0.evidence.first?["user"] })
            let ownVerified = Set(verdicts.filter { $0.level == "verified" }.compactMap { $0.evidence.first?["user"] })
            score.contextOrganization = !organization.isEmpty && users.isSubset(of: organization.union(ownVerified)) && !facts.contains { $0.level == "deviation" }
        }
        // Another rule's alert corroborates; an earlier alert of the incident's own rule is a repeat
        // (a frequent traveller's), counted apart.
        let ownRules = Set(inc.alerts.map(\.ruleID))
        func near(_ f: Finding) -> Bool {
            guard let text = f.evidence.first?["TimeGenerated"], let t = DateTimeParser.parse(text) else { return true }
            return t >= inc.firstActivityTime - corroborationWindow && t <= inc.lastActivityTime + corroborationWindow
        }
        func isRepeat(_ f: Finding) -> Bool { f.evidence.first?["RuleId"].map { !$0.isEmpty && ownRules.contains($0) } ?? false }
        let others = findings.filter { $0.kind == .relatedAlert && !$0.summary.hasSuffix("(this incident)") }
        // A community rule that fires routinely in this estate is background, not corroboration.
        // Another rule over the very events of this incident's alert is the same observation read twice;
        // another account's alert on a busy server is someone else's activity.
        let corroborating = others.filter {
            near($0) && !isRepeat($0) && !background.contains($0.evidence.first?["RuleId"] ?? "")
                && $0.evidence.first?["sameEvents"] != "true" && $0.evidence.first?["busyHostOnly"] != "true"
        }
        // An incident of a routine community rule names many accounts; those whose launches in it ran
        // all over the estate did nothing unusual here, so another alert about only them is their own
        // story (reviewed in its own incident), not corroboration of this one.
        let routineAccounts = routineCommunityAccounts(inc, score)
        let aboutRoutine = corroborating.filter { f in
            let accounts = Set((f.evidence.first?["Accounts"] ?? "").split(separator: ",").map(String.init))
            return !accounts.isEmpty && accounts.isSubset(of: routineAccounts)
        }
        score.otherAlerts = corroborating.count - aboutRoutine.count
        if !aboutRoutine.isEmpty { score.routineAccountAlerts = aboutRoutine.count }
        score.repeatAlerts = others.filter(isRepeat).count
        let anomalies = findings.filter { $0.kind == .anomaly && near($0) }
        score.relatedAnomalies = anomalies.count
        score.anomalyModels = Array(Set(anomalies.compactMap { $0.evidence.first?["AnomalyTemplateName"] })).sorted()
        out.comments.removeAll { $0.author.hasPrefix("triage") }
        for (i, r) in reports.enumerated() {
            out.comments.append(Incident.Comment(id: "triage-\(inc.id)-\(i)", message: r.comment, author: "triage: \(r.module)", createdTime: now))
        }
        out.comments.append(Incident.Comment(id: "triage-\(inc.id)-score", message: Self.scoreComment(score), author: "triage: score", createdTime: now))
        out.labels.removeAll { $0.labelName.hasPrefix("Risk Score - ") }
        out.labels.append(.init("Risk Score - \(score.total)", .autoAssigned))
        out.riskScore = score
        out.lastModifiedTime = now
        return out
    }

    /// The accounts of a routine community rule's incident whose launches the alerts matched are all
    /// common in the estate (bare, lowercased names); empty for any other incident.
    func routineCommunityAccounts(_ inc: Incident, _ score: Incident.RiskScore) -> Set<String> {
        guard score.routineRule == true, score.communityRule == true, score.routineActivity != nil else { return [] }
        let uncommon = Set((score.uncommonLaunchAccounts ?? []).map(RelatedAlertsModule.bare))
        return RelatedAlertsModule.accounts(of: inc).subtracting(uncommon)
    }

    static func comment(_ module: String, _ findings: [Finding], _ error: String?) -> String {
        if let error { return "**\(module)**: the module failed: \(error)" }
        guard !findings.isEmpty else { return "**\(module)**: nothing found." }
        var lines = ["**\(module)**: \(findings.count) finding\(findings.count == 1 ? "" : "s")", "", "| Finding | Level |", "|---|---|"]
        for f in findings.prefix(20) { lines.append("| \(Self.cell(f.summary)) | \(f.level ?? "") |") }
        if findings.count > 20 { lines.append("| ... \(findings.count - 20) more | |") }
        return lines.joined(separator: "\n")
    }

    /// The same comment as an HTML table, as STAT writes them (every value escaped).
    public static func htmlComment(_ module: String, _ findings: [Finding], _ error: String?) -> String {
        if let error { return "<p><b>\(esc(module))</b>: the module failed: \(esc(error))</p>" }
        guard !findings.isEmpty else { return "<p><b>\(esc(module))</b>: nothing found.</p>" }
        var out = "<p><b>\(esc(module))</b>: \(findings.count) finding\(findings.count == 1 ? "" : "s")</p><table><tr><th>Finding</th><th>Level</th></tr>"
        for f in findings.prefix(20) { out += "<tr><td>\(esc(f.summary))</td><td>\(esc(f.level ?? ""))</td></tr>" }
        if findings.count > 20 { out += "<tr><td>... \(findings.count - 20) more</td><td></td></tr>" }
        return out + "</table>"
    }

    public static func htmlScoreComment(_ s: Incident.RiskScore) -> String {
        var out = "<p><b>Risk score: \(s.total)</b></p><table><tr><th>Source</th><th>Points</th><th>Reason</th></tr>"
        for c in s.contributions { out += "<tr><td>\(esc(c.source))</td><td>\(c.points)</td><td>\(esc(c.reason))</td></tr>" }
        if s.contributions.isEmpty { out += "<tr><td>-</td><td>0</td><td>no module found anything that scores</td></tr>" }
        return out + "</table>"
    }

    static func esc(_ s: String) -> String { HTMLText.escape(s) }

    static func scoreComment(_ s: Incident.RiskScore) -> String {
        var lines = ["**Risk score: \(s.total)**", "", "| Source | Points | Reason |", "|---|---:|---|"]
        for c in s.contributions { lines.append("| \(c.source) | \(c.points) | \(cell(c.reason)) |") }
        if s.contributions.isEmpty { lines.append("| - | 0 | no module found anything that scores |") }
        return lines.joined(separator: "\n")
    }

    static func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }

    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var results: [ModuleReport?]
        init(count: Int) { results = Array(repeating: nil, count: count) }
        func put(_ i: Int, _ r: ModuleReport) { lock.withLock { results[i] = r } }
    }
}
