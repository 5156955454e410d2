public import Foundation

/// The port the outbox delivers through; the AsyncHTTPClient adapter lives in VigilApp, tests can
/// use it against a real server on loopback.
public protocol HTTPTransport: Sendable {
    func post(url: String, headers: [(String, String)], body: Data, timeoutSeconds: Int) async -> DeliveryResult
}

/// What one attempt came to.
public enum DeliveryResult: Sendable, Equatable {
    /// The server answered: its status and, for 429 / 503, its `Retry-After` header.
    case status(Int, retryAfter: String?)
    /// No answer: refused, reset, timed out.
    case failure(String)
}
