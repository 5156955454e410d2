/// Exponential backoff with full jitter for failed deliveries, capped, with a last attempt after
/// which the message is marked failed (and stays visible in `vigil outbox list` to resend).
public struct RetryPolicy: Sendable, Equatable {
    public var baseSeconds: Double = 5
    public var maxSeconds: Double = 3_600
    public var maxAttempts = 12
    public init(baseSeconds: Double = 5, maxSeconds: Double = 3_600, maxAttempts: Int = 12) {
        self.baseSeconds = baseSeconds; self.maxSeconds = maxSeconds; self.maxAttempts = maxAttempts
    }

    /// The wait after `attempts` failures: between half and all of `base · 2^(attempts-1)`, capped;
    /// `random` in [0, 1) is injected so the core stays deterministic.
    public func delay(afterAttempts attempts: Int, random: Double) -> Double {
        let exp = min(maxSeconds, baseSeconds * Double(1 << min(max(attempts - 1, 0), 30)))
        return exp * (0.5 + 0.5 * min(max(random, 0), 1))
    }
}
