import Glibc
public import Metrics
public import Prometheus

/// Vigil's metrics: recorded anywhere through swift-metrics (`Counter`, `Timer`, `Gauge`), exposed
/// by `vigil serve` at `/metrics` in Prometheus' text format from one registry. `bootstrap()` may be
/// called any number of times (tests start many servers in one process); the first one counts.
public enum VigilMetrics {
    public static let registry = PrometheusCollectorRegistry()
    nonisolated(unsafe) private static var done = false
    private static let lock = Lock()

    public static func bootstrap() {
        lock.withLock {
            guard !done else { return }
            done = true
            var factory = PrometheusMetricsFactory(registry: registry)
            // Query and request latencies: 1 ms to 30 s.
            factory.defaultDurationHistogramBuckets = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
                                                    .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30)]
            MetricsSystem.bootstrap(factory)
        }
    }

    public static func text() -> String { registry.emitToString() }
}

/// A tiny lock (Foundation's NSLock would do; this keeps the file free of it).
final class Lock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
