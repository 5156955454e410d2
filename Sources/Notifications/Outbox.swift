public import Foundation

/// The outbox's decisions, with no I/O: what request a message becomes (signed at the time of
/// sending), and what a delivery result does to it: delivered; retried later (5xx, 408, 429 and
/// network failures, honouring `Retry-After`, else backing off with jitter); or failed for good
/// (another 4xx, or the last attempt). The store applies the state; a transport sends.
public struct Outbox: Sendable {
    public var policy: RetryPolicy
    public init(policy: RetryPolicy = RetryPolicy()) { self.policy = policy }

    public struct Request: Sendable {
        public var url: String
        public var headers: [(String, String)]
        public var body: Data
    }

    /// The HTTP request for a message to `channel`, at `now` (ticks).
    public func request(_ m: OutboxMessage, channel: NotificationChannel, now: Int64) -> Request {
        var headers: [(String, String)] = [("Content-Type", "application/json"), ("User-Agent", "Vigil"), ("Idempotency-Key", m.key)]
        if channel.kind == .webhook, let secret = channel.secret {
            headers += WebhookSigner.headers(body: m.body, secret: secret, timestamp: now / 10_000_000)
        }
        return Request(url: channel.url, headers: headers, body: m.body)
    }

    /// The message after one attempt that ended in `result`.
    public func after(_ result: DeliveryResult, _ m: OutboxMessage, now: Int64, random: Double) -> OutboxMessage {
        var out = m
        out.attempts += 1
        let error: String
        var wait: Double?
        switch result {
        case .status(let code, _) where (200..<300).contains(code):
            out.state = .delivered
            out.nextAttempt = now
            out.lastError = nil
            return out
        case .status(let code, let retryAfter) where code == 408 || code == 425 || code == 429 || code >= 500:
            error = "HTTP \(code)"
            wait = retryAfter.flatMap { Self.retryAfterSeconds($0, now: now) }
        case .status(let code, _):
            out.state = .failed
            out.nextAttempt = now
            out.lastError = "HTTP \(code): the channel refused the message; not retried"
            return out
        case .failure(let why):
            error = why
        }
        guard out.attempts < policy.maxAttempts else {
            out.state = .failed
            out.nextAttempt = now
            out.lastError = "\(error) (gave up after \(out.attempts) attempts)"
            return out
        }
        let seconds = wait.map { min($0, 86_400) } ?? policy.delay(afterAttempts: out.attempts, random: random)
        out.nextAttempt = now + Int64(seconds * 10_000_000)
        out.lastError = error
        return out
    }

    /// `Retry-After` as delta seconds or an HTTP date (RFC 9110), as seconds from `now`.
    public static func retryAfterSeconds(_ header: String, now: Int64) -> Double? {
        let h = header.trimmingCharacters(in: .whitespaces)
        if let s = Double(h), s >= 0 { return s }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let d = f.date(from: h) else { return nil }
        return max(0, d.timeIntervalSince1970 - Double(now) / 1e7)
    }
}
