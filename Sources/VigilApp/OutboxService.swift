public import Logging
public import ServiceLifecycle

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
