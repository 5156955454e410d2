import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
public import VigilCore

/// An OpenAI-compatible chat-completions client (`POST {base}/chat/completions`), configured by
/// `VIGIL_LLM_URL` (the base, e.g. `http://127.0.0.1:11434/v1`), `VIGIL_LLM_MODEL` and
/// `VIGIL_LLM_API_KEY`. Temperature 0: the same facts give the same prose as far as the server allows.
public struct OpenAIChatClient: LanguageModel {
    public var baseURL: String
    public var model: String
    public var apiKey: String?
    public var timeoutSeconds: Int64

    public init(baseURL: String, model: String, apiKey: String?, timeoutSeconds: Int64 = 60) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model; self.apiKey = apiKey; self.timeoutSeconds = timeoutSeconds
    }

    /// From the environment; nil when `VIGIL_LLM_URL` is not set (the deterministic default).
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> OpenAIChatClient? {
        guard let url = env["VIGIL_LLM_URL"], !url.isEmpty else { return nil }
        return OpenAIChatClient(baseURL: url, model: env["VIGIL_LLM_MODEL"] ?? "gpt-4o-mini", apiKey: env["VIGIL_LLM_API_KEY"])
    }

    public struct ClientError: Error, CustomStringConvertible {
        public var description: String
    }

    var headers: HTTPHeaders {
        var h = HTTPHeaders()
        h.add(name: "Content-Type", value: "application/json")
        if let k = apiKey, !k.isEmpty { h.add(name: "Authorization", value: "Bearer \(k)") }
        return h
    }

    func body(_ system: String, _ user: String) throws -> Data {
        try JSONSerialization.data(withJSONObject: ["model": model, "temperature": 0,
                                                    "messages": [["role": "system", "content": system], ["role": "user", "content": user]]] as [String: Any])
    }

    public func complete(system: String, user: String) async throws -> String {
        var req = HTTPClientRequest(url: baseURL + "/chat/completions")
        req.method = .POST
        req.headers = headers
        req.body = .bytes(ByteBuffer(bytes: try body(system, user)))
        let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(timeoutSeconds))
        var buffer = try await resp.body.collect(upTo: 4 << 20)
        return try Self.content(status: resp.status, Data(buffer.readBytes(length: buffer.readableBytes) ?? []))
    }

    public func completeBlocking(system: String, user: String) throws -> String {
        let req = try HTTPClient.Request(url: baseURL + "/chat/completions", method: .POST, headers: headers, body: .bytes(Array(try body(system, user))))
        let resp = try HTTPClient.shared.execute(request: req, deadline: .now() + .seconds(timeoutSeconds)).wait()
        var buffer = resp.body ?? ByteBuffer()
        return try Self.content(status: resp.status, Data(buffer.readBytes(length: buffer.readableBytes) ?? []))
    }

    static func content(status: HTTPResponseStatus, _ data: Data) throws -> String {
        guard status == .ok else {
            throw ClientError(description: "the model answered HTTP \(status.code): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let choices = json["choices"] as? [[String: Any]], let message = choices.first?["message"] as? [String: Any],
              let content = message["content"] as? String else {
            throw ClientError(description: "the model's answer has no choices[0].message.content")
        }
        return content
    }
}
