public import Foundation
public import Logging
public import Reports
public import ServiceLifecycle
public import VigilStore
import KQL

/// The riskiest-incidents digest on its cron schedule in `vigil serve`. A run's period is its
/// scheduled time, so a restart does not repeat it; a run missed while Vigil was down is made up once
/// at start (the latest missed one, not every one).
public struct ReportScheduleService: Service {
    public let store: LogStore
    public let logger: Logger
    public let clock: @Sendable () -> Int64
    public let uiBaseURL: String?
    /// With several `vigil serve` nodes, one of them runs each period (a lease per period).
    public let nodeID: String
    static let prefix = "scheduled|"

    public init(store: LogStore, logger: Logger, uiBaseURL: String?, clock: @escaping @Sendable () -> Int64, nodeID: String = DetectionLoop.defaultNodeID()) {
        self.store = store; self.logger = logger; self.uiBaseURL = uiBaseURL; self.clock = clock; self.nodeID = nodeID
    }

    public func run() async throws {
        let cfg = store.workspace.config.reports
        guard let zone = TimeZone(identifier: cfg.timeZone), let schedule = try? CronSchedule(cfg.schedule, timeZone: zone) else { return }
        var start = clock()
        if let p = try ReportDeliveries(store: store).latest(prefix: Self.prefix), let t = ReportTime.parseISO(String(p.dropFirst(Self.prefix.count))) { start = t }
        let first = start
        try? await cancelWhenGracefulShutdown {
            try await loop(schedule, cfg, after: first)
        }
    }

    /// The scheduled time to run at `now`, if one has come since `last`: the latest of them, so a
    /// long downtime is made up by one run, not one per missed time.
    public static func due(_ schedule: CronSchedule, after last: Int64, now: Int64) -> Int64? {
        guard var due = schedule.next(after: date(last)), ticks(due) <= now else { return nil }
        var steps = 0
        while let n = schedule.next(after: due), ticks(n) <= now, steps < 100_000 { due = n; steps += 1 }
        return ticks(due)
    }

    static func wall() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e7) }
    static func date(_ t: Int64) -> Date { Date(timeIntervalSince1970: Double(t) / 1e7) }
    static func ticks(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1e7).rounded()) }

    func loop(_ schedule: CronSchedule, _ cfg: WorkspaceConfig.Reports, after start: Int64) async throws {
        let date = Self.date, ticks = Self.ticks
        var last = start
        while !Task.isCancelled {
            let now = clock()
            guard let next = schedule.next(after: date(last)) else { return }
            guard let fire = Self.due(schedule, after: last, now: now) else {
                try await Task.sleep(for: .seconds(min(60, max(0.05, Double(ticks(next) - now) / 1e7))))
                continue
            }
            let period = Self.prefix + ReportTime(fire).iso
            // Another node may be running this period: wait for it to finish, or take over when its
            // lease expires (what it reported is recorded, so nothing is posted twice).
            let leases = Leases(db: store.stateBackend), lease = "digest|" + period
            // The cluster's lease time, renewed while the run goes on: a node that dies mid-period is
            // replaced within it, not after a fixed allowance for the longest run.
            let ttl = Int64(store.workspace.config.detection.leaseSeconds) * Ticks.perSecond
            guard try leases.acquire(lease, holder: nodeID, now: Self.wall(), ttl: ttl) else {
                if try leases.current(lease)?.holder == Leases.done { last = fire } else { try await Task.sleep(for: .seconds(min(5, max(0.2, Double(ttl) / 2e7)))) }
                continue
            }
            last = fire
            let job = RiskyReportJob(store: store, uiBaseURL: uiBaseURL)
            let logger = self.logger, nodeID = self.nodeID
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    var renewed = Self.wall()
                    let keep = {
                        let t = Self.wall()
                        guard t - renewed >= ttl / 3 else { return }
                        guard try leases.acquire(lease, holder: nodeID, now: t, ttl: ttl) else {
                            throw ReportError("another node took the period over (its lease expired)")
                        }
                        renewed = t
                    }
                    do {
                        let o = try job.run(.init(days: cfg.days, count: cfg.count, minScore: cfg.minScore, period: period), now: now, keep: keep)
                        logger.info("riskiest-incidents report", metadata: ["period": "\(period)", "incidents": "\(o.items.filter(\.reported).count)", "messages": "\(o.enqueued)"])
                        try leases.complete(lease, holder: nodeID)
                    } catch {
                        logger.error("riskiest-incidents report failed", metadata: ["period": "\(period)", "error": "\(error)"])
                    }
                    c.resume()
                }
            }
        }
    }
}
