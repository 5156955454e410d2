import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

/// The CLI's client of a running `vigil serve` (`--server URL --token T`, or `VIGIL_SERVER` /
/// `VIGIL_TOKEN`): JSON in and out, failures as `RemoteError` with the server's code and message.
public struct RemoteAPI: Sendable {
    public var server: String
    public var token: String?

    public init(server: String, token: String?) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.token = token
    }

    public struct RemoteError: Error, CustomStringConvertible, Sendable {
        public var status: Int
        public var code: String
        public var message: String
        public var description: String { "\(code) (HTTP \(status)): \(message)" }
    }

    /// The body of a successful answer; a `RemoteError` otherwise.
    /// A raw body (CSV, YAML) with its content type.
    public func send(_ method: String, _ path: String, body: Data, contentType: String) async throws -> Data {
        try await send(method, path, json: nil, headers: [("Content-Type", contentType)], raw: body)
    }

    public func send(_ method: String, _ path: String, json: Any? = nil, headers: [(String, String)] = [], raw: Data? = nil) async throws -> Data {
        var req = HTTPClientRequest(url: server + path)
        req.method = HTTPMethod(rawValue: method)
        if let token { req.headers.add(name: "Authorization", value: "Bearer " + token) }
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        if let json {
            req.headers.add(name: "Content-Type", value: "application/json")
            req.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        } else if let raw {
            req.body = .bytes(ByteBuffer(bytes: raw))
        }
        let resp: HTTPClientResponse
        do { resp = try await HTTPClient.shared.execute(req, timeout: .seconds(60)) } catch {
            throw RemoteError(status: 0, code: "Unreachable", message: "\(server): \(error)")
        }
        let body = Data(try await resp.body.collect(upTo: 64 << 20).readableBytesView)
        guard (200..<300).contains(Int(resp.status.code)) else {
            let obj = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            throw RemoteError(status: Int(resp.status.code), code: obj?["code"] as? String ?? "HTTP\(resp.status.code)",
                              message: obj?["message"] as? String ?? String(decoding: body.prefix(500), as: UTF8.self))
        }
        return body
    }

    public func object(_ method: String, _ path: String, json: Any? = nil) async throws -> [String: Any] {
        let data = try await send(method, path, json: json)
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}
