public import Foundation
public import Logging
import Reports
public import ServiceLifecycle
public import VigilStore

/// The riskiest-incidents digest on its cron schedule in `vigil serve`. A run's period is its
/// scheduled time, so a restart does not repeat it; a run missed while Vigil was down is made up once
/// at start (the latest missed one, not every one).
public struct ReportScheduleService: Service {
    public let store: LogStore
    public let logger: Logger
    public let clock: @Sendable () -> Int64
    public let uiBaseURL: String?
    static let prefix = "scheduled|"

    public init(store: LogStore, logger: Logger, uiBaseURL: String?, clock: @escaping @Sendable () -> Int64) {
        self.store = store; self.logger = logger; self.uiBaseURL = uiBaseURL; self.clock = clock
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

    static func date(_ t: Int64) -> Date { Date(timeIntervalSince1970: Double(t) / 1e7) }
    static func ticks(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1e7).rounded()) }

    func loop(_ schedule: CronSchedule, _ cfg: WorkspaceConfig.Reports, after start: Int64) async throws {
        let date = Self.date, ticks = Self.ticks
        var last = start
        do {
            while !Task.isCancelled {
                let now = clock()
                guard var due = schedule.next(after: date(last)) else { return }
                if ticks(due) > now {
                    try await Task.sleep(for: .seconds(min(60, max(0.05, Double(ticks(due) - now) / 1e7))))
                    continue
                }
                // Only the latest missed time is made up.
                var steps = 0
                while let n = schedule.next(after: due), ticks(n) <= now, steps < 100_000 { due = n; steps += 1 }
                let fire = ticks(due)
                last = fire
                let job = RiskyReportJob(store: store, uiBaseURL: uiBaseURL)
                let period = Self.prefix + ReportTime(fire).iso
                let logger = self.logger
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    Thread.detachNewThread {
                        do {
                            let o = try job.run(.init(days: cfg.days, count: cfg.count, minScore: cfg.minScore, period: period), now: now)
                            logger.info("riskiest-incidents report", metadata: ["period": "\(period)", "incidents": "\(o.items.filter(\.reported).count)", "messages": "\(o.enqueued)"])
                        } catch {
                            logger.error("riskiest-incidents report failed", metadata: ["period": "\(period)", "error": "\(error)"])
                        }
                        c.resume()
                    }
                }
            }
        }
    }
}

/// Delivers the outbox in `vigil serve`, every `interval`; what is in flight at shutdown keeps its
/// lease and is retried by the next start.
public struct OutboxService: Service {
    public let worker: OutboxWorker
    public let logger: Logger
    public let clock: @Sendable () -> Int64
    public var interval: Duration = .seconds(2)

    public init(worker: OutboxWorker, logger: Logger, clock: @escaping @Sendable () -> Int64) {
        self.worker = worker; self.logger = logger; self.clock = clock
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let p = try await worker.drain(now: clock)
                    if p.attempted > 0 { logger.info("outbox", metadata: ["delivered": "\(p.delivered)", "retrying": "\(p.retrying)", "failed": "\(p.failed)"]) }
                } catch {
                    logger.error("outbox failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
