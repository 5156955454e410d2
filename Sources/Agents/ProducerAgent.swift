import Crypto
import Foundation
public import VigilCore

/// Turns alerts and anomalies into incidents, deterministically and explaining every decision:
/// - within a rule, alerts group as the rule's `incidentConfiguration` says (Sentinel's window and
///   AllEntities / AnyAlert / Selected matching, reopening closed incidents when allowed); a rule
///   that declares nothing groups alerts on the same entities within 5 hours;
/// - across rules, an alert joins an open incident that shares an entity (account, host, IP...)
///   within the correlation window, making a multi-stage incident; an alert that links two incidents
///   merges them unless a don't-merge rule holds (closed, different owners, conflicting
///   classifications, the entity or alert cap);
/// - anomalies never open an incident alone; they join the incidents their entities point to;
/// - an alert already in an incident is skipped, so running again over the same alerts changes nothing.
public struct ProducerAgent: Sendable {
    public struct Settings: Sendable {
        public var correlationWindow: Int64 = 24 * 36_000_000_000
        public var defaultGroupingWindow: Int64 = 5 * 36_000_000_000
        public var maxAlerts = 150
        public var maxEntities = 50
        /// An IP, host or other entity that alerts of more accounts than this mention is shared
        /// infrastructure (an office NAT, a proxy, a jump host): it does not correlate alerts.
        public var maxAccountsPerSharedEntity = 3
        public init() {}
    }

    public struct Result: Sendable {
        /// Incidents created or changed, by number.
        public var incidents: [Incident]
        public var created: [String]
        /// Anomalies no incident took (yet): offer them again while they are recent.
        public var unattachedAnomalies: [AlertRecord]
        public init(incidents: [Incident], created: [String], unattachedAnomalies: [AlertRecord]) {
            self.incidents = incidents; self.created = created; self.unattachedAnomalies = unattachedAnomalies
        }
    }

    public var settings: Settings
    public init(settings: Settings = Settings()) { self.settings = settings }

    /// `sharedInfrastructure`: entity keys the caller knows to be shared (an address many accounts
    /// sign in from, measured on the logs); they never correlate, like those many alerts' accounts share.
    /// `backgroundRules`: rules that fire routinely across the estate (community rules nobody tuned):
    /// their alerts group within their rule only; they neither join nor take in other rules' alerts or
    /// anomalies, so that one noisy rule does not make multi-stage incidents of unrelated activity.
    public func produce(_ input: [AlertRecord], existing: [Incident], rules: [String: AnalyticsRule], nextNumber: Int, now: Int64,
                        sharedInfrastructure: Set<String> = [], backgroundRules: Set<String> = []) -> Result {
        var incidents = existing
        var touched = Set<Int>()
        var created: [String] = []
        var number = nextNumber
        let seen = Set(existing.flatMap { $0.alerts.map(\.systemAlertID) })
        let fresh = input.filter { !seen.contains($0.systemAlertID) }.sorted { ($0.time, $0.systemAlertID) < ($1.time, $1.systemAlertID) }
        var accountsBy: [String: Set<String>] = [:]
        for ents in fresh.map(\.entities) + existing.map(\.entities) {
            let accounts = ents.filter { $0.type == .account }.map(\.key)
            for e in ents where e.type != .account && e.correlates { accountsBy[e.key, default: []].formUnion(accounts) }
        }
        let common = Set(accountsBy.filter { $0.value.count > settings.maxAccountsPerSharedEntity }.keys).union(sharedInfrastructure)
        var byAlert: [String: AlertRecord] = Dictionary(fresh.map { ($0.systemAlertID, $0) }, uniquingKeysWith: { a, _ in a })
        for i in existing.indices {
            // Earlier alerts are known by their references; their entities are on the incident.
            for a in existing[i].alerts where byAlert[a.systemAlertID] == nil {
                byAlert[a.systemAlertID] = AlertRecord(systemAlertID: a.systemAlertID, ruleID: a.ruleID, name: a.name, severity: a.severity, tactics: a.tactics,
                                                       startTime: a.startTime, endTime: a.endTime, time: a.endTime, entities: [])
            }
        }

        // Indexes, so that each alert looks only at the incidents that share its entities or rule.
        var keysOf: [Set<String>] = incidents.map { Set($0.entities.map(\.key)) }
        var rulesOf: [Set<String>] = incidents.map { Set($0.alerts.map(\.ruleID)) }
        var byEntity: [String: Set<Int>] = [:]
        var byRule: [String: [Int]] = [:]
        for i in incidents.indices {
            for k in keysOf[i] { byEntity[k, default: []].insert(i) }
            for r in rulesOf[i] { byRule[r, default: []].append(i) }
        }
        let pending = fresh.filter(\.isAnomaly)
        var pendingByKey: [String: [Int]] = [:]
        for (n, an) in pending.enumerated() { for e in an.entities where e.correlates && !common.contains(e.key) { pendingByKey[e.key, default: []].append(n) } }
        var pendingDone = Set<Int>()

        func shared(_ a: AlertRecord, _ i: Int) -> [Entity] {
            var seen = Set<String>()
            return a.entities.filter { $0.correlates && !common.contains($0.key) && keysOf[i].contains($0.key) && seen.insert($0.key).inserted }
        }

        func attach(_ a: AlertRecord, to i: Int, _ reason: String) {
            incidents[i].alerts.append(Incident.AlertRef(systemAlertID: a.systemAlertID, ruleID: a.ruleID, name: a.name, severity: a.severity,
                                                         tactics: a.tactics, startTime: a.startTime, endTime: a.endTime, isAnomaly: a.isAnomaly))
            for e in a.entities where keysOf[i].insert(e.key).inserted {
                incidents[i].entities.append(e)
                byEntity[e.key, default: []].insert(i)
            }
            if rulesOf[i].insert(a.ruleID).inserted { byRule[a.ruleID, default: []].append(i) }
            incidents[i].grouping.append(Incident.GroupingDecision(alertID: a.systemAlertID, time: now, reason: reason))
            touched.insert(i)
        }

        func isBackground(_ i: Int) -> Bool { !rulesOf[i].isEmpty && rulesOf[i].isSubset(of: backgroundRules) }

        func pullAnomalies(into i: Int) {
            guard incidents[i].status != .closed, !isBackground(i) else { return }
            var found = Set<Int>()
            for k in keysOf[i] { for n in pendingByKey[k] ?? [] where !pendingDone.contains(n) { found.insert(n) } }
            for n in found.sorted() {
                let an = pending[n]
                let s = shared(an, i)
                guard !s.isEmpty, inWindow(an, incidents[i]), incidents[i].alerts.count < settings.maxAlerts else { continue }
                attach(an, to: i, "anomaly shares \(describe(s)) with this incident within \(hours(settings.correlationWindow))")
                pendingDone.insert(n)
            }
        }

        func merge(_ j: Int, into t: Int, via a: AlertRecord) {
            self.merge(j, into: t, via: a, now: now, &incidents)
            for k in keysOf[j] where keysOf[t].insert(k).inserted { byEntity[k, default: []].insert(t) }
            for r in rulesOf[j] where rulesOf[t].insert(r).inserted { byRule[r, default: []].append(t) }
        }

        for a in fresh where !a.isAnomaly {
            let rule = rules[a.ruleID]
            let ic = rule?.incidentConfiguration ?? AnalyticsRule.IncidentConfiguration()
            guard ic.createIncident else { continue }
            // 1. Grouping within the rule.
            var g = ic.grouping
            if !g.declared { g.enabled = true; g.matchingMethod = "AllEntities"; g.lookbackDuration = settings.defaultGroupingWindow }
            if g.enabled, let (i, reason) = sameRuleMatch(a, g, incidents, candidates: byRule[a.ruleID] ?? [], keysOf: keysOf, byAlert) {
                if incidents[i].status == .closed {
                    incidents[i].status = .active
                    incidents[i].closedTime = nil
                    incidents[i].grouping.append(Incident.GroupingDecision(alertID: a.systemAlertID, time: now, reason: "reopened: the rule reopens closed incidents"))
                }
                attach(a, to: i, reason)
                pullAnomalies(into: i)
                continue
            }
            // 2. Correlation across rules by shared entities.
            // (An incident of this rule's alerts alone is the rule's own grouping, which said no.)
            let background = backgroundRules.contains(a.ruleID)
            var near = Set<Int>()
            if !background { for e in a.entities where e.correlates && !common.contains(e.key) { near.formUnion(byEntity[e.key] ?? []) } }
            let candidates = near.filter { j in
                incidents[j].status != .closed && !isBackground(j) && inWindow(a, incidents[j]) && rulesOf[j].contains { $0 != a.ruleID }
            }.map { ($0, shared(a, $0).count) }.sorted { x, y in
                x.1 != y.1 ? x.1 > y.1 : incidents[x.0].number < incidents[y.0].number
            }.map(\.0)
            var target: Int?
            for j in candidates {
                let newKeys = Set(a.entities.map(\.key)).subtracting(keysOf[j]).count
                if let why = refusal(adding: a, to: incidents[j], entityCount: keysOf[j].count + newKeys) {
                    incidents[j].grouping.append(Incident.GroupingDecision(alertID: a.systemAlertID, time: now, reason: "not joined: \(why)"))
                    touched.insert(j)
                    continue
                }
                target = j
                break
            }
            if let t = target {
                attach(a, to: t, "shares \(describe(shared(a, t))) with incident \(incidents[t].number) within \(hours(settings.correlationWindow))")
                // The alert may link other incidents to this one: merge them when allowed.
                for j in candidates where j != t && incidents[j].status != .closed {
                    if let why = mergeRefusal(incidents[j], into: incidents[t]) {
                        incidents[t].grouping.append(Incident.GroupingDecision(alertID: a.systemAlertID, time: now, reason: "incident \(incidents[j].number) not merged: \(why)"))
                        continue
                    }
                    merge(j, into: t, via: a)
                    touched.insert(j)
                }
                pullAnomalies(into: t)
                continue
            }
            // 3. A new incident.
            let id = Self.guid("incident|" + a.systemAlertID)
            var inc = Incident(id: id, number: number, title: a.name, severity: a.severity, createdTime: now)
            number += 1
            inc.firstActivityTime = a.startTime
            inc.lastActivityTime = a.endTime
            incidents.append(inc)
            keysOf.append([])
            rulesOf.append([])
            let i = incidents.count - 1
            let ignored = a.entities.filter { common.contains($0.key) }
            attach(a, to: i, (g.enabled
                   ? "new incident: no open incident of this rule with the same entities within \(hours(g.lookbackDuration))"
                       + (background ? "; the rule fires routinely across the estate, so its alerts do not correlate with other rules'" : ", and none sharing an entity")
                   : "new incident: no incident to group with or correlate to")
                   + (ignored.isEmpty ? "" : " (\(describe(ignored)) appear with over \(settings.maxAccountsPerSharedEntity) accounts: shared, not used to correlate)"))
            created.append(id)
            pullAnomalies(into: i)
        }
        // Anomalies that came after the alerts they belong with.
        for i in incidents.indices where incidents[i].status != .closed { pullAnomalies(into: i) }
        for i in touched { refresh(&incidents[i], byAlert, rules, now: now) }
        let left = pending.indices.filter { !pendingDone.contains($0) }.map { pending[$0] }
        return Result(incidents: touched.sorted().map { incidents[$0] }.sorted { $0.number < $1.number }, created: created, unattachedAnomalies: left)
    }

    // MARK: - Grouping within a rule

    func sameRuleMatch(_ a: AlertRecord, _ g: AnalyticsRule.GroupingConfiguration, _ incidents: [Incident], candidates: [Int],
                       keysOf: [Set<String>], _ byAlert: [String: AlertRecord]) -> (Int, String)? {
        let keys = Set(a.entities.map(\.key))
        for i in candidates.reversed() {
            let inc = incidents[i]
            if inc.status == .closed && !g.reopenClosedIncident { continue }
            if inc.alerts.count >= settings.maxAlerts { continue }
            // Sentinel's window is the incident's: alerts within the time frame after its first alert of
            // the rule join it, later ones start a new incident. (A window that slid with each alert
            // kept a rule that fires every day in one incident until it held 150 alerts on 150 hosts.)
            let firstOfRule = inc.alerts.lazy.filter { $0.ruleID == a.ruleID && !$0.isAnomaly }.map(\.endTime).min()
            guard let firstOfRule, a.time - firstOfRule <= g.lookbackDuration else { continue }
            for prev in inc.alerts.reversed() where prev.ruleID == a.ruleID && !prev.isAnomaly {
                let window = hours(g.lookbackDuration)
                switch g.matchingMethod {
                case "AnyAlert":
                    return (i, "same rule within \(window) (grouping: any alert)")
                case "Selected":
                    let types = Set(g.groupByEntities)
                    let mine = Set(a.entities.filter { types.contains($0.type) }.map(\.key))
                    let theirs = Set(inc.entities.filter { types.contains($0.type) }.map(\.key))
                    if !mine.isEmpty && mine.isSubset(of: theirs) {
                        return (i, "same rule within \(window) and the same \(g.groupByEntities.map(\.rawValue).joined(separator: ", ")) (grouping: selected entities)")
                    }
                default:
                    // AllEntities: the previous alert of the rule had exactly these entities.
                    let prevKeys = Set((byAlert[prev.systemAlertID]?.entities ?? []).map(\.key))
                    let previous = prevKeys.isEmpty ? keysOf[i] : prevKeys
                    if keys == previous { return (i, "same rule within \(window) and the same entities (grouping: all entities)") }
                }
            }
        }
        return nil
    }

    // MARK: - Correlation

    func inWindow(_ a: AlertRecord, _ inc: Incident) -> Bool {
        a.endTime >= inc.firstActivityTime - settings.correlationWindow && a.startTime <= inc.lastActivityTime + settings.correlationWindow
    }

    func refusal(adding a: AlertRecord, to inc: Incident, entityCount: Int) -> String? {
        if inc.alerts.count >= settings.maxAlerts { return "incident \(inc.number) holds \(settings.maxAlerts) alerts" }
        if entityCount > settings.maxEntities { return "incident \(inc.number) would hold \(entityCount) entities (cap \(settings.maxEntities))" }
        return nil
    }

    func mergeRefusal(_ from: Incident, into to: Incident) -> String? {
        if from.status == .closed || to.status == .closed { return "a closed incident is never merged" }
        if !from.owner.isEmpty, !to.owner.isEmpty, from.owner != to.owner { return "different owners" }
        if let c1 = from.classification, let c2 = to.classification, c1 != c2 { return "conflicting classifications" }
        if from.alerts.count + to.alerts.count > settings.maxAlerts { return "together they would hold over \(settings.maxAlerts) alerts" }
        let keys = Set(from.entities.map(\.key)).union(to.entities.map(\.key))
        if keys.count > settings.maxEntities { return "together they would hold \(keys.count) entities (cap \(settings.maxEntities))" }
        return nil
    }

    func merge(_ j: Int, into t: Int, via a: AlertRecord, now: Int64, _ incidents: inout [Incident]) {
        let from = incidents[j]
        var keys = Set(incidents[t].entities.map(\.key))
        for e in from.entities where keys.insert(e.key).inserted { incidents[t].entities.append(e) }
        for r in from.alerts where !incidents[t].alerts.contains(where: { $0.systemAlertID == r.systemAlertID }) { incidents[t].alerts.append(r) }
        incidents[t].grouping += from.grouping
        incidents[t].grouping.append(Incident.GroupingDecision(alertID: a.systemAlertID, time: now,
                                                               reason: "merged incident \(from.number): alert \(a.name) links it to this one"))
        if incidents[t].owner.isEmpty { incidents[t].owner = from.owner }
        incidents[j].status = .closed
        incidents[j].closedTime = now
        incidents[j].classification = .undetermined
        incidents[j].classificationComment = "Merged into incident \(incidents[t].number)"
        incidents[j].grouping.append(Incident.GroupingDecision(alertID: a.systemAlertID, time: now, reason: "merged into incident \(incidents[t].number)"))
        incidents[j].lastModifiedTime = now
    }

    // MARK: - Derived fields

    func refresh(_ inc: inout Incident, _ byAlert: [String: AlertRecord], _ rules: [String: AnalyticsRule], now: Int64) {
        guard !inc.alerts.isEmpty else { return }
        inc.severity = inc.alerts.map(\.severity).max() ?? inc.severity
        inc.tactics = Array(Set(inc.alerts.flatMap(\.tactics))).sorted()
        var techniques: [String] = []
        for a in inc.alerts { for t in byAlert[a.systemAlertID]?.techniques ?? [] where !techniques.contains(t) { techniques.append(t) } }
        inc.techniques = Array(Set(inc.techniques + techniques)).sorted()
        inc.firstActivityTime = inc.alerts.map(\.startTime).min() ?? inc.firstActivityTime
        inc.lastActivityTime = inc.alerts.map(\.endTime).max() ?? inc.lastActivityTime
        var ruleIDs: [String] = []
        for a in inc.alerts where !a.ruleID.isEmpty && !ruleIDs.contains(a.ruleID) { ruleIDs.append(a.ruleID) }
        inc.relatedAnalyticRuleIds = ruleIDs
        if inc.status != .closed { inc.title = Self.title(inc) }
        inc.description = Self.describe(inc)
        (inc.confidence, inc.confidenceFactors) = Self.confidence(inc, byAlert)
        inc.lastModifiedTime = now
        inc.etag = Self.etag(inc)
    }

    /// One rule: its alert's name. Several: Sentinel's multi-stage title, tactics in kill-chain order.
    public static func title(_ inc: Incident) -> String {
        let rules = Set(inc.alerts.map(\.ruleID))
        guard rules.count > 1 else { return inc.alerts.first(where: { !$0.isAnomaly })?.name ?? inc.alerts[0].name }
        let hosts = Set(inc.entities.filter { $0.type == .host }.map(\.key)).count
        let accounts = Set(inc.entities.filter { $0.type == .account }.map(\.key)).count
        let scope = hosts == 1 ? " on one endpoint" : hosts > 1 ? " on multiple endpoints"
            : accounts == 1 ? " involving one user" : accounts > 1 ? " involving multiple users" : ""
        let tactics = inc.tactics.map { t -> String in
            let words = t.displayName.split(separator: " ")
            return ([String(words[0])] + words.dropFirst().map { $0.lowercased() }).joined(separator: " ")
        }
        return tactics.isEmpty ? "Multi-stage incident\(scope)" : "Multi-stage incident involving \(tactics.joined(separator: " & "))\(scope)"
    }

    static func describe(_ inc: Incident) -> String {
        let alerts = inc.alerts.filter { !$0.isAnomaly }.count, anomalies = inc.alerts.count - alerts
        var parts = ["\(alerts) alert\(alerts == 1 ? "" : "s")"]
        if anomalies > 0 { parts.append("\(anomalies) anomal\(anomalies == 1 ? "y" : "ies")") }
        let names = inc.alerts.reduce(into: [String]()) { if !$0.contains($1.name) { $0.append($1.name) } }
        let entities = inc.entities.prefix(6).map { "\($0.type.rawValue) \($0.displayName)" }
        // Repeats of one rule grouped into this incident: how many, and when the first and the last were.
        // Most incidents have no repeats: the formatter is made only when one is described.
        var formatter: ISO8601DateFormatter?
        func time(_ t: Int64) -> String {
            let f = formatter ?? ISO8601DateFormatter()
            formatter = f
            return f.string(from: Date(timeIntervalSince1970: Double(t) / 1e7))
        }
        var repeats: [String] = []
        for rule in inc.alerts.reduce(into: [String](), { if !$0.contains($1.ruleID) { $0.append($1.ruleID) } }) {
            let of = inc.alerts.filter { $0.ruleID == rule && !$0.isAnomaly }
            guard of.count > 1, let first = of.map(\.startTime).min(), let last = of.map(\.endTime).max() else { continue }
            repeats.append("\(of.count) alerts of '\(of[0].name)' from \(time(first)) to \(time(last))")
        }
        return parts.joined(separator: " and ") + " from \(Set(inc.alerts.map(\.ruleID)).count) rule\(Set(inc.alerts.map(\.ruleID)).count == 1 ? "" : "s"): "
            + names.joined(separator: "; ") + ". " + (repeats.isEmpty ? "" : "Repeated: " + repeats.joined(separator: "; ") + ". ")
            + "Entities: " + entities.joined(separator: ", ") + (inc.entities.count > 6 ? ", ..." : "") + "."
    }

    /// Confidence in [0, 1] as a sum of named factors, each with its reason.
    static func confidence(_ inc: Incident, _ byAlert: [String: AlertRecord]) -> (Double, [Incident.ConfidenceFactor]) {
        var f: [Incident.ConfidenceFactor] = []
        let real = inc.alerts.filter { !$0.isAnomaly }
        if let top = real.map(\.severity).max() {
            let p: Double = [.informational: 0.05, .low: 0.1, .medium: 0.25, .high: 0.4][top] ?? 0
            f.append(.init(name: "rule severity", points: p, reason: "highest alert severity \(top.rawValue)"))
        }
        let scores = inc.alerts.compactMap { byAlert[$0.systemAlertID]?.anomalyScore }
        if let s = scores.max() { f.append(.init(name: "anomaly score", points: round3(0.2 * s), reason: "strongest anomaly scored \(round3(s))")) }
        let rules = Set(inc.alerts.map(\.ruleID)).count
        if rules > 1 { f.append(.init(name: "corroboration", points: round3(min(0.3, 0.1 * Double(rules - 1))), reason: "\(rules) different rules or models agree")) }
        if inc.tactics.count > 1 { f.append(.init(name: "tactic spread", points: round3(min(0.15, 0.05 * Double(inc.tactics.count - 1))), reason: "\(inc.tactics.count) tactics: \(inc.tactics.map(\.rawValue).joined(separator: ", "))")) }
        if inc.grouping.contains(where: { $0.reason.hasPrefix("shares ") || $0.reason.hasPrefix("anomaly shares") }) {
            f.append(.init(name: "entity overlap", points: 0.1, reason: "alerts were joined through shared entities"))
        }
        let repeats = real.count - Set(real.map(\.ruleID)).count
        if repeats > 0 { f.append(.init(name: "repetition", points: round3(min(0.1, 0.02 * Double(repeats))), reason: "\(repeats) repeated alert\(repeats == 1 ? "" : "s") of the same rules")) }
        return (round3(min(1, f.reduce(0) { $0 + $1.points })), f)
    }

    static func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    func describe(_ entities: [Entity]) -> String { entities.prefix(3).map { "\($0.type.rawValue) \($0.displayName)" }.joined(separator: ", ") }
    func hours(_ ticks: Int64) -> String { ticks % 36_000_000_000 == 0 ? "\(ticks / 36_000_000_000)h" : "\(ticks / 600_000_000)m" }

    static func etag(_ inc: Incident) -> String {
        let d = SHA256.hash(data: Data("\(inc.id)|\(inc.lastModifiedTime)|\(inc.alerts.count)|\(inc.status.rawValue)|\(inc.title)".utf8))
        return "\"" + d.prefix(8).map { String(format: "%02x", $0) }.joined() + "\""
    }

    /// A GUID from a name: the same alerts give the same incident ids.
    public static func guid(_ name: String) -> String {
        let hex = Array(SHA256.hash(data: Data(name.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined())
        return String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-" + String(hex[12..<16]) + "-" + String(hex[16..<20]) + "-" + String(hex[20..<32])
    }
}
