public import Agents
public import Triage
import Detection
import Foundation
import KQL
public import VigilCore
public import VigilStore

/// Alerts to incidents in the workspace: the producer agent over new alerts and the recent anomalies
/// no incident holds yet, against the open incidents; the result stored with its audit trail and
/// `SecurityIncident` rows. Idempotent: alerts already in an incident are skipped.
public struct IncidentPipeline {
    public var store: LogStore
    public var rules: [AnalyticsRule]
    public var agent = ProducerAgent()
    /// The optional language model for incident descriptions (`VIGIL_LLM_URL`...); nil: deterministic.
    public var model: (any LanguageModel)? = OpenAIChatClient.fromEnvironment()
    public init(store: LogStore, rules: [AnalyticsRule]) { self.store = store; self.rules = rules }

    /// `anomalies`: ones the caller has at hand (a replay); recent ones are also read from `Anomalies`.
    public func process(_ alerts: [AlertRecord], anomalies given: [AlertRecord] = [], now: Int64) throws -> ProducerAgent.Result {
        let incidents = IncidentStore(store: store)
        let window = agent.settings.correlationWindow
        var anomalies: [AlertRecord] = []
        if store.tableNames().contains("Anomalies"), store.tableInfos().contains(where: { $0.name == "Anomalies" && $0.rows > 0 }) {
            let since = DateTimeMath.format(now - 2 * window)
            if case .success(let r, _) = QueryRunner(provider: store, now: now).run("Anomalies | where EndTime >= datetime(\(since))"), let t = r.first?.table {
                anomalies = AlertRecords.from(table: t, anomalies: true)
            }
        }
        var input = alerts + given
        let have = Set(input.map(\.systemAlertID))
        input += anomalies.filter { !have.contains($0.systemAlertID) }
        let done = try incidents.attached(input.map(\.systemAlertID))
        input.removeAll { done.contains($0.systemAlertID) }
        guard !input.isEmpty else {
            return ProducerAgent.Result(incidents: [], created: [], unattachedAnomalies: [])
        }
        let existing = try incidents.open(closedSince: now - window)
        let result = agent.produce(input, existing: existing, rules: Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }),
                                   nextNumber: try incidents.nextNumber(), now: now,
                                   sharedInfrastructure: Set(sharedAddresses(Set(input.flatMap { $0.entities.filter { $0.type == .ip }.compactMap { $0.properties["Address"] } }), now: now)
                                       .map { Entity(type: .ip, properties: ["Address": $0]).key }),
                                   backgroundRules: try RuleRecordModule().routineCommunityRules(provider: store, now: now))
        let created = Set(result.created)
        var produced = result.incidents
        if let model {
            // A model's description replaces the deterministic one only when it is grounded.
            for i in produced.indices where created.contains(produced[i].id) {
                let inc = produced[i]
                let r = IncidentNarrator(model: model).describeBlocking(inc)
                if let text = r.text { produced[i].description = text }
                produced[i].comments.append(Incident.Comment(
                    id: ProducerAgent.guid("narrator|\(inc.id)|\(now)"),
                    message: r.text != nil ? "Description written by the language model; every entity, number and time in it is in the evidence."
                        : "The language model's description was not used: " + (r.error ?? "it states what the evidence does not: \(r.rejected.joined(separator: ", "))"),
                    author: "producer-agent", createdTime: now))
            }
        }
        try incidents.save(produced, actor: "producer-agent", action: { inc in
            created.contains(inc.id)
                ? ("created", inc.grouping.map(\.reason).joined(separator: "; "))
                : ("updated", inc.grouping.filter { $0.time == now }.map(\.reason).joined(separator: "; "))
        }, now: now, bases: Self.byID(existing))
        // New incidents are triaged before the review, so the policy can weigh their risk score.
        let triaged = try triage(produced.filter { created.contains($0.id) }, now: now)
        for i in produced.indices { if let t = triaged[produced[i].id] { produced[i] = t } }
        // Closures an earlier day's budget deferred come first, oldest first, if nobody has taken them.
        let changed = Set(produced.map(\.id))
        let waiting = existing.filter { !changed.contains($0.id) && ReviewerAgent.awaitsBudget($0) }
        try review(produced.filter { $0.status != .closed }, waiting: waiting, now: now)
        try automate(produced, created: created, newAlerts: Set(input.map(\.systemAlertID)), now: now)
        return ProducerAgent.Result(incidents: produced, created: result.created, unattachedAnomalies: result.unattachedAnomalies)
    }

    /// Automation rules on the incidents just created or changed (as reviewed): owner, status,
    /// severity and labels applied; playbooks run when the review policy lets them run without a
    /// human, else left pending approval. Outcomes are comments and audit entries.
    public func automate(_ changed: [Incident], created: Set<String>, newAlerts: Set<String> = [], now: Int64) throws {
        let files = PolicyFiles(workspace: store.workspace)
        let rules = try files.automation()
        guard !rules.rules.isEmpty else { return }
        let free = Set(try files.reviewPolicy().playbooksWithoutApproval)
        let incidents = IncidentStore(store: store)
        for old in changed {
            guard let inc = try incidents.get(number: old.number) else { continue }
            var due = rules.actions(for: created.contains(inc.id) ? .incidentCreated : .incidentUpdated, inc, now: now)
            for a in inc.alerts where newAlerts.contains(a.systemAlertID) { due += rules.actions(for: .alertCreated, inc, alert: a, now: now) }
            guard !due.isEmpty else { continue }
            var (out, playbooks) = AutomationRules.apply(due, to: inc, now: now)
            for (rule, name) in playbooks {
                if free.contains(name), let p = rules.playbooks[name] {
                    let o = PlaybookRunner().runBlocking(p, incident: out)
                    out = Self.record(o, rule: rule, on: out, now: now)
                } else if !out.labels.contains(where: { $0.labelName == "Playbook pending approval: \(name)" }) {
                    out.labels.append(.init("Playbook pending approval: \(name)", .autoAssigned))
                    out.comments.append(Incident.Comment(id: ProducerAgent.guid("pending|\(inc.id)|\(name)|\(now)"),
                                                         message: "Automation rule '\(rule)' asks for playbook \(name); it needs an approval (`vigil incidents approve \(inc.number) --playbook \(name)`).",
                                                         author: "automation", createdTime: now))
                }
            }
            if out != inc {
                try incidents.save([out], actor: "automation", action: { _ in
                    ("automation", due.map { "\($0.rule): \(Self.describe($0.action))" }.joined(separator: "; "))
                }, now: now, bases: [inc.id: inc])
            }
            // Triage and the report run on the stored incident, after the changes above.
            if due.contains(where: { $0.action == .runTriage }), let current = try incidents.get(number: inc.number) {
                try triage([current], now: now)
            }
            for (rule, action) in due {
                guard case .runReport(let post) = action, let current = try incidents.get(number: inc.number) else { continue }
                var job = RiskyReportJob(store: store)
                if !post { job.channels = [] }
                job.reports.model = model
                let built = try job.reports.build(current, now: now)
                _ = try job.deliver(built.report, incident: current, period: "automation|\(rule)|\(current.id)", now: now)
            }
        }
    }

    /// A playbook's outcome as the incident's comment (the report's remediation actions read these).
    public static func record(_ o: PlaybookRunner.Outcome, rule: String?, on inc: Incident, now: Int64) -> Incident {
        var out = inc
        out.comments.append(Incident.Comment(id: ProducerAgent.guid("playbook|\(inc.id)|\(o.playbook)|\(now)|\(inc.comments.count)"),
                                             message: "Playbook \(o.playbook)\(rule.map { " (automation rule '\($0)')" } ?? ""): \(o.succeeded ? "succeeded" : "failed"), \(o.detail)",
                                             author: "automation", createdTime: now))
        out.labels.removeAll { $0.labelName == "Playbook pending approval: \(o.playbook)" }
        out.lastModifiedTime = now
        return out
    }

    /// The incidents as read, by id: the bases of a save (`IncidentStore.save`), so that a change
    /// made meanwhile by another writer is kept.
    static func byID(_ incidents: some Sequence<Incident>) -> [String: Incident] {
        Dictionary(incidents.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    static func describe(_ a: AutomationRules.Action) -> String {
        switch a {
        case .assignOwner(let o): return "assign \(o)"
        case .changeStatus(let s): return "status \(s.rawValue)"
        case .changeSeverity(let s): return "severity \(s.rawValue)"
        case .addLabel(let l): return "label \(l)"
        case .runPlaybook(let p): return "playbook \(p)"
        case .runTriage: return "triage"
        case .runReport(let post): return post ? "report (posted)" : "report"
        }
    }

    /// The evidence modules and the risk score on these incidents, stored (comments, label, score).
    @discardableResult
    public func triage(_ incidents: [Incident], now: Int64, lookback: Int64 = 14 * 864_000_000_000,
                       onReports: (Incident, [ModuleReport]) -> Void = { _, _ in }) throws -> [String: Incident] {
        guard !incidents.isEmpty else { return [:] }
        let files = PolicyFiles(workspace: store.workspace)
        let runner = TriageRunner(scoring: try files.scoringPolicy())
        let calibration = files.calibration()
        let ips = Set(incidents.flatMap { $0.entities.filter { $0.type == .ip }.compactMap { $0.properties["Address"] } })
        let shared = Set(sharedAddresses(ips, now: now).map { $0.lowercased() })
        var out: [String: Incident] = [:]
        for inc in incidents {
            let reports = runner.reports(TriageContext(incident: inc, provider: store, now: now, lookback: lookback, shared: shared))
            onReports(inc, reports)
            var scored = runner.apply(reports, to: inc, now: now)
            if let c = calibration, let total = scored.riskScore?.total { scored.riskScore?.probability = c.probability(total) }
            out[inc.id] = scored
        }
        try IncidentStore(store: store).save(Array(out.values).sorted { $0.number < $1.number }, actor: "triage", action: { inc in
            ("triage", "Risk Score - \(inc.riskScore?.total ?? 0): " + (inc.riskScore?.bySource.map { "\($0.source) \($0.points)" }.joined(separator: ", ") ?? ""))
        }, now: now, bases: Self.byID(incidents))
        return out
    }

    /// The reviewer agent's verdicts on incidents the producer created or changed, applied and stored
    /// (status, labels, comment, audit). The workspace's `policies/review.yaml`, or the default policy.
    /// `waiting`: incidents whose closure an earlier budget deferred (`ReviewerAgent.awaitsBudget`);
    /// as many as today's budget still allows are reviewed again, before the others, so that a
    /// deferral is not written again every cycle.
    public func review(_ incidents: [Incident], waiting: [Incident] = [], now: Int64) throws {
        guard !incidents.isEmpty || !waiting.isEmpty else { return }
        let store = IncidentStore(store: self.store)
        let reviewer = ReviewerAgent(policy: try PolicyFiles(workspace: self.store.workspace).reviewPolicy())
        let closures = try store.auditTimes(actor: "reviewer-agent", action: "autoClose", since: now - 15 * 864_000_000_000)
        let budget = reviewer.budget(closures: closures, now: now)
        var closedToday = closures.filter { $0 > now - 864_000_000_000 }.count
        var out: [Incident] = []
        let read = waiting.sorted(by: { $0.number < $1.number }).prefix(max(0, budget - closedToday)) + incidents
        for inc in read {
            let verdict = reviewer.review(inc, now: now, closedToday: closedToday, budget: budget)
            if verdict.outcome == .autoClose && !verdict.shadow { closedToday += 1 }
            out.append(reviewer.apply(verdict, to: inc, now: now))
        }
        try store.save(out, actor: "reviewer-agent", action: { inc in
            let r = inc.review!
            return ((r.shadow ? "shadow:" : "") + r.outcome.rawValue, "policy \(r.policyVersion): " + r.reasons.joined(separator: "; "))
        }, now: now, bases: Self.byID(read))
    }

    /// Those of these addresses that many accounts sign in from successfully (office NAT, VPN, proxy):
    /// measured on `SigninLogs` and `SecurityEvent` logons over the correlation window before `now`.
    func sharedAddresses(_ ips: Set<String>, now: Int64) -> Set<String> {
        guard !ips.isEmpty else { return [] }
        let list = ips.sorted().map { Value.string($0).jsonText }.joined(separator: ", ")
        let since = DateTimeMath.format(now - 2 * agent.settings.correlationWindow)
        let limit = agent.settings.maxAccountsPerSharedEntity
        let tables = Set(store.tableInfos().filter { $0.rows > 0 }.map(\.name))
        var queries: [String] = []
        if tables.contains("SigninLogs") {
            queries.append("SigninLogs | where TimeGenerated >= datetime(\(since)) and ResultType == \"0\" and IPAddress in (\(list)) | summarize n = dcount(UserPrincipalName) by IP = IPAddress | where n > \(limit)")
        }
        if tables.contains("SecurityEvent") {
            queries.append("SecurityEvent | where TimeGenerated >= datetime(\(since)) and EventID == 4624 and IpAddress in (\(list)) | summarize n = dcount(Account) by IP = IpAddress | where n > \(limit)")
        }
        var out = Set<String>()
        for q in queries {
            guard case .success(let r, _) = QueryRunner(provider: store, now: now).run(q), let t = r.first?.table, let c = t.column(named: "IP") else { continue }
            for i in 0..<t.count { out.insert(c.value(at: i).kqlString) }
        }
        return out
    }
}
