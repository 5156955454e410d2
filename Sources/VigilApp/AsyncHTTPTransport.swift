import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
public import Notifications

/// The outbox's transport over AsyncHTTPClient.
public struct AsyncHTTPTransport: HTTPTransport {
    public init() {}

    public func post(url: String, headers: [(String, String)], body: Data, timeoutSeconds: Int) async -> DeliveryResult {
        var req = HTTPClientRequest(url: url)
        req.method = .POST
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        req.body = .bytes(ByteBuffer(bytes: body))
        do {
            let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(Int64(timeoutSeconds)))
            // The body is drained (and dropped) so the connection can be reused.
            _ = try? await resp.body.collect(upTo: 64 * 1024)
            return .status(Int(resp.status.code), retryAfter: resp.headers.first(name: "Retry-After"))
        } catch {
            return .failure("\(error)")
        }
    }
}
