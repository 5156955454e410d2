import Foundation
public import ServiceLifecycle
import KQL

/// Runs the detection loop in `vigil serve`: wakes when the next rule is due (at least once a
/// second, to notice rule changes), runs the cycle off the cooperative thread pool so that queries
/// and ingest stay responsive, and stops between cycles on shutdown.
public struct DetectionService: Service {
    public let loop: DetectionLoop
    let clock: @Sendable () -> Int64

    public init(loop: DetectionLoop, clock: @escaping @Sendable () -> Int64) { self.loop = loop; self.clock = clock }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let loop = self.loop
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    Thread.detachNewThread { loop.cycle(); c.resume() }
                }
                let wait = max(0, min((loop.nextDue ?? .max) - clock(), Ticks.perSecond))
                try await Task.sleep(for: .nanoseconds(max(wait * 100, 50_000_000)))
            }
        }
        loop.releaseLease()
    }
}
