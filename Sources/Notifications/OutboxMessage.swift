public import Foundation

/// A message waiting to be delivered, or delivered: stored before the first attempt, so a crash
/// loses nothing; its `key` is unique, so enqueuing it twice stores it once, and receivers get it as
/// the `Idempotency-Key` header to drop the repeats at-least-once delivery can cause.
public struct OutboxMessage: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case pending, delivered, failed }
    public var key: String
    public var channel: String
    public var body: Data
    public var state: State
    public var attempts: Int
    /// When to try next (ticks); for a delivered or failed message, when that happened.
    public var nextAttempt: Int64
    public var lastError: String?
    public var created: Int64

    public init(key: String, channel: String, body: Data, created: Int64) {
        self.key = key; self.channel = channel; self.body = body; state = .pending; attempts = 0; nextAttempt = created; lastError = nil
        self.created = created
    }
}
