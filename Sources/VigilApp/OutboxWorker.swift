public import Foundation
import Logging
public import Notifications
public import VigilStore

/// Delivers the outbox: claims due messages (with a lease, so a crash mid-send retries them after
/// it, never loses them), posts each to its channel, and stores the state machine's verdict.
public struct OutboxWorker: Sendable {
    public var store: LogStore
    public var channels: [String: NotificationChannel]
    public var outbox: Outbox
    public var transport: any HTTPTransport
    public var random: @Sendable () -> Double
    public var timeoutSeconds = 30

    public init(store: LogStore, transport: any HTTPTransport = AsyncHTTPTransport(), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        let cfg = store.workspace.config.notifications
        self.store = store
        channels = Dictionary(cfg.channels.map { ($0.name, $0.resolved(environment)) }, uniquingKeysWith: { a, _ in a })
        outbox = Outbox(policy: RetryPolicy(baseSeconds: Double(cfg.baseDelaySeconds), maxSeconds: Double(cfg.maxDelaySeconds), maxAttempts: cfg.maxAttempts))
        self.transport = transport
        self.random = random
    }

    public struct Pass: Sendable, Equatable {
        public var delivered = 0, retrying = 0, failed = 0
        public var attempted: Int { delivered + retrying + failed }
    }

    /// One pass over the messages due at `now()`.
    public func drain(now: @Sendable () -> Int64) async throws -> Pass {
        let outboxStore = OutboxStore(store: store)
        var pass = Pass()
        let lease = Int64(timeoutSeconds + 30) * 10_000_000
        for m in try outboxStore.claim(now: now(), lease: lease) {
            let result: DeliveryResult
            if let ch = channels[m.channel] {
                let req = outbox.request(m, channel: ch, now: now())
                result = await transport.post(url: req.url, headers: req.headers, body: req.body, timeoutSeconds: timeoutSeconds)
            } else {
                result = .failure("channel \(m.channel) is not in vigil.yaml any more")
            }
            let next = outbox.after(result, m, now: now(), random: random())
            try outboxStore.update(next)
            switch next.state {
            case .delivered: pass.delivered += 1
            case .pending: pass.retrying += 1
            case .failed: pass.failed += 1
            }
        }
        return pass
    }

    /// Drains until nothing is due right now (at most `passes` passes).
    public func drainAll(now: @Sendable () -> Int64, passes: Int = 10) async throws -> Pass {
        var total = Pass()
        for _ in 0..<passes {
            let p = try await drain(now: now)
            total.delivered += p.delivered; total.retrying += p.retrying; total.failed += p.failed
            if p.attempted == 0 || p.retrying == p.attempted { break }
        }
        return total
    }
}
