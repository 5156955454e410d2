public import Detection
import Agents
public import Foundation
import Metrics
import KQL
public import Logging
public import VigilCore
public import VigilStore

/// The live side of detection in `vigil serve`: the workspace's rules on Sentinel's schedule, with the
/// state that must survive a restart kept in the rule-run log (each rule's last run, for back-fill;
/// its last alert, for suppression; its result counts, for learned triggers). Rules are reloaded when
/// their files change; a rule that fails to load is logged and the others keep running.
public final class DetectionLoop: @unchecked Sendable {
    public let store: LogStore
    public let logger: Logger
    let clock: @Sendable () -> Int64
    let settings: WorkspaceConfig.Detection
    var rules: [AnalyticsRule] = []
    var fingerprint = ""
    var scheduler: RuleScheduler?
    var history = RunHistory()
    let lock = NSLock()
    /// This node's name in the `detection` lease (several `vigil serve` nodes on one workspace).
    public let nodeID: String
    /// Real time for the lease, even when `clock` is fixed for a replay.
    let wallClock: @Sendable () -> Int64
    var leader = false
    static let leaseName = "detection"

    public init(store: LogStore, logger: Logger, clock: @escaping @Sendable () -> Int64, nodeID: String = DetectionLoop.defaultNodeID(),
                wallClock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e7) }) {
        self.store = store; self.logger = logger; self.clock = clock; self.nodeID = nodeID; self.wallClock = wallClock
        settings = store.workspace.config.detection
    }

    public static func defaultNodeID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    var leaseTTL: Int64 { Int64(settings.leaseSeconds) * Ticks.perSecond }

    /// Takes or renews the detection lease. A node that (re)gains it rebuilds its schedule from the
    /// run log, where the previous holder recorded how far it got.
    func holdLease() -> Bool {
        let held: Bool
        do { held = try Leases(db: store.stateBackend).acquire(Self.leaseName, holder: nodeID, now: wallClock(), ttl: leaseTTL) } catch {
            logger.error("cannot take the detection lease", metadata: ["error": "\(error)"])
            held = false
        }
        if held && !leader {
            logger.info("this node runs the analytics rules", metadata: ["node": "\(nodeID)"])
            fingerprint = ""
        } else if !held && leader {
            logger.warning("another node runs the analytics rules now", metadata: ["node": "\(nodeID)"])
        }
        leader = held
        return held
    }

    /// Gives the lease up on shutdown, so that another node takes over at once.
    public func releaseLease() {
        lock.withLock {
            if leader { try? Leases(db: store.stateBackend).release(Self.leaseName, holder: nodeID) }
            leader = false
        }
    }

    public var rulesDirectory: String { store.workspace.rulesDirectory }
    var delay: Int64 { Int64(settings.delaySeconds) * Ticks.perSecond }

    /// When the next run is due, if any rule is scheduled.
    public var nextDue: Int64? { lock.withLock { scheduler?.nextDue } }

    /// One pass: reload the rules if their files changed, run everything due now, store the alerts,
    /// anomalies and run records. Returns what ran.
    @discardableResult
    public func cycle() -> [DetectionRunner.Outcome] {
        lock.withLock {
            guard holdLease() else { return [] }
            let now = clock()
            reloadIfChanged(now: now)
            guard var s = scheduler else { return [] }
            let byID = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0) })
            let runner = DetectionRunner(provider: store)
            // Runs of one cycle are independent queries: run them on every core. Bookkeeping that
            // depends on order (suppression, learned-trigger history) follows, in run order.
            let outcomes = ConcurrentRuns.execute(s.tick(now: now), rules: byID, runner: runner,
                                                  concurrency: ProcessInfo.processInfo.activeProcessorCount) { run, rule in
                self.history.counts(run.ruleID, before: run.runTime, within: rule.dynamicThreshold?.history ?? 0)
            }
            for o in outcomes {
                Counter(label: "vigil_rule_runs_total", dimensions: [("outcome", o.error == nil ? "ok" : "failed")]).increment()
                if !o.alerts.isEmpty { Counter(label: "vigil_alerts_total").increment(by: o.alerts.count) }
                if o.error == nil { history.record(ruleID: o.run.ruleID, runTime: o.run.runTime, count: o.resultRows) }
                if !o.alerts.isEmpty { s.alerted(ruleID: o.run.ruleID, at: o.run.runTime) }
                if let e = o.error { logger.warning("rule run failed", metadata: ["rule": "\(byID[o.run.ruleID]?.name ?? o.run.ruleID)", "error": "\(e)"]) }
            }
            guard !outcomes.isEmpty else { scheduler = s; return [] }
            // A cycle longer than the lease lets another node take over: then these results are
            // dropped, and the new holder, whose schedule comes from the run log, runs these windows.
            guard holdLease() else {
                logger.warning("the detection lease expired during a cycle; its results are left to the new holder", metadata: ["runs": "\(outcomes.count)"])
                return []
            }
            scheduler = s
            let replay = DetectReplay(store: store, rules: rules, delay: delay)
            do {
                try replay.storeAlerts(outcomes.flatMap(\.alerts))
                try replay.storeAnomalies(outcomes.flatMap(\.anomalies))
                try replay.recordRuns(outcomes)
            } catch {
                logger.error("storing rule results failed", metadata: ["error": "\(error)"])
            }
            // Alerts become incidents in the same cycle.
            let records = outcomes.flatMap { $0.alerts.compactMap { AlertRecords.fromAlertRow($0.row) } }
            if !records.isEmpty || outcomes.contains(where: { !$0.anomalies.isEmpty }) {
                do {
                    let anomalies = outcomes.flatMap { $0.anomalies.compactMap { AlertRecords.fromAnomalyRow($0.row) } }
                    let r = try IncidentPipeline(store: store, rules: rules).process(records, anomalies: anomalies, now: now)
                    if !r.incidents.isEmpty { logger.info("incidents", metadata: ["created": "\(r.created.count)", "changed": "\(r.incidents.count - r.created.count)"]) }
                } catch {
                    logger.error("producing incidents failed", metadata: ["error": "\(error)"])
                }
            }
            history.prune(olderThan: now - 15 * Ticks.perDay)
            return outcomes
        }
    }

    func reloadIfChanged(now: Int64) {
        let files = DetectReplay.ruleFiles(in: rulesDirectory)
        let print = files.map { f -> String in
            let a = try? FileManager.default.attributesOfItem(atPath: f)
            return "\(f)|\((a?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)|\(a?[.size] ?? 0)"
        }.joined(separator: "\n")
        guard print != fingerprint else { return }
        fingerprint = print
        do {
            let validator = RuleValidator(catalog: store, now: now)
            rules = try DetectReplay.loadRules(rulesDirectory, validator: validator) { d in
                self.logger.warning("rule skipped", metadata: ["problem": "\(d)"])
            }
            let log = RuleRunLog(db: store.stateBackend)
            let last = try log.lastRuns()
            var s = RuleScheduler(rules: rules, start: now, delay: delay, nrtEvery: Int64(settings.nrtSeconds) * Ticks.perSecond,
                                  lastRuns: last, maxBackfill: settings.maxBackfillRuns)
            for (id, t) in try log.lastAlerted() { s.alerted(ruleID: id, at: t) }
            scheduler = s
            history = RunHistory()
            let horizon = rules.compactMap { $0.dynamicThreshold?.history }.max() ?? 0
            if horizon > 0 {
                for r in try log.results(since: now - horizon) { history.record(ruleID: r.ruleID, runTime: r.runTime, count: r.rows) }
                // A learned rule with no history yet learns from the data it would have seen.
                let runner = DetectionRunner(provider: store)
                for r in rules where r.dynamicThreshold != nil && !history.hasHistory(r.id) {
                    runner.learn(r, before: now, delay: delay, into: &history)
                }
            }
            logger.info("rules loaded", metadata: ["rules": "\(rules.count)", "directory": "\(rulesDirectory)"])
        } catch {
            logger.error("loading rules failed", metadata: ["error": "\(error)"])
        }
    }
}
