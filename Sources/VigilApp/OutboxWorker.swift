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
        public init(delivered: Int = 0, retrying: Int = 0, failed: Int = 0) { self.delivered = delivered; self.retrying = retrying; self.failed = failed }
        public var attempted: Int { delivered + retrying + failed }
    }

    /// One pass over the messages due at `now()`: channels in parallel (a dead one does not hold
    /// up the others), each channel's messages in order.
    public func drain(now: @escaping @Sendable () -> Int64) async throws -> Pass {
        let outboxStore = OutboxStore(store: store)
        let lease = Int64(timeoutSeconds + 30) * 10_000_000
        let claimed = try outboxStore.claim(now: now(), lease: lease)
        var byChannel: [String: [OutboxMessage]] = [:]
        for m in claimed { byChannel[m.channel, default: []].append(m) }
        return try await withThrowingTaskGroup(of: Pass.self) { group in
            for (name, messages) in byChannel {
                group.addTask {
                    var pass = Pass()
                    for m in messages {
                        let result: DeliveryResult
                        if let ch = channels[name] {
                            let req = outbox.request(m, channel: ch, now: now())
                            result = await transport.post(url: req.url, headers: req.headers, body: req.body, timeoutSeconds: timeoutSeconds)
                        } else {
                            result = .failure("channel \(name) is not in vigil.yaml any more")
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
            }
            var total = Pass()
            for try await p in group { total.delivered += p.delivered; total.retrying += p.retrying; total.failed += p.failed }
            return total
        }
    }

    /// Drains until nothing is due right now (at most `passes` passes).
    public func drainAll(now: @escaping @Sendable () -> Int64, passes: Int = 10) async throws -> Pass {
        var total = Pass()
        for _ in 0..<passes {
            let p = try await drain(now: now)
            total.delivered += p.delivered; total.retrying += p.retrying; total.failed += p.failed
            if p.attempted == 0 || p.retrying == p.attempted { break }
        }
        return total
    }
}
