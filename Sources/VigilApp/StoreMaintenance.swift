import Foundation
public import Logging
public import ServiceLifecycle
public import VigilStore

/// The store's background work in `vigil serve`: seal write-ahead batches when due (every second),
/// merge small extents and apply retention (every minute). On shutdown everything pending is sealed.
public struct StoreMaintenance: Service {
    public let store: LogStore
    public let logger: Logger
    public let clock: @Sendable () -> Int64

    public init(store: LogStore, logger: Logger, clock: @escaping @Sendable () -> Int64) {
        self.store = store; self.logger = logger; self.clock = clock
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var tick = 0
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                tick += 1
                self.step(full: tick % 60 == 0)
            }
        }
        do { try store.seal(force: true) } catch { logger.error("final seal failed; batches stay in the write-ahead area", metadata: ["error": "\(error)"]) }
    }

    func step(full: Bool) {
        do {
            try store.seal()
            if full {
                for t in store.tableInfos() where t.extents > 1 { try store.merge(table: t.name) }
                let dropped = try store.applyRetention(now: clock())
                if dropped > 0 { logger.info("retention dropped extents", metadata: ["count": "\(dropped)"]) }
            }
        } catch {
            logger.error("store maintenance failed", metadata: ["error": "\(error)"])
        }
    }
}
