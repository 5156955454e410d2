import Agents
import Foundation
import KQL
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
import VigilApp
import VigilCore
import VigilStore

/// The optional language model: the OpenAI-compatible client against a real HTTP server on loopback
/// that speaks the chat-completions API, and the grounding check that decides whether its prose is used.
@Suite(.serialized) struct LanguageModelTests {
    /// A chat-completions server: answers every POST with `content`, keeps what it was sent.
    final class ChatServer: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let content: String
        var requests: [(path: String, auth: String?, body: [String: Any])] = []
        var body = ByteBuffer()
        var head: HTTPRequestHead?
        init(content: String) { self.content = content }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): head = h; body.clear()
            case .body(var b): body.writeBuffer(&b)
            case .end:
                let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
                requests.append((head?.uri ?? "", head?.headers.first(name: "Authorization"), json))
                let answer: [String: Any] = ["id": "chatcmpl-1", "object": "chat.completion",
                                             "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]]]
                let bytes = (try? JSONSerialization.data(withJSONObject: answer)) ?? Data()
                var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(bytes.count)")])
                headers.add(name: "Connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            }
        }
    }

    static func serve(_ handler: ChatServer) async throws -> (any Channel, Int) {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { ch in
                ch.pipeline.configureHTTPServerPipeline().flatMap { ch.pipeline.addHandler(handler) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return (channel, channel.localAddress?.port ?? 0)
    }

    static func incident() -> Incident {
        var inc = Incident(id: "5b1f0c1e-0000-4000-8000-000000000001", number: 3, title: "Brute force followed by a successful logon", severity: .high, createdTime: 0)
        inc.alerts = [Incident.AlertRef(systemAlertID: "a", ruleID: "r", name: "Brute force followed by a successful logon", severity: .high, tactics: [.credentialAccess],
                                        startTime: 17_189_352_030_000_000, endTime: 17_189_364_000_000_000, isAnomaly: false)]
        inc.entities = [Entity(type: .account, properties: ["FullName": "CONTOSO\\svc_backup_legacy"]), Entity(type: .ip, properties: ["Address": "185.220.101.45"])]
        inc.description = "1 alert from 1 rule."
        return inc
    }

    @Test func groundedProseIsUsedAndInventedFactsAreRejected() async throws {
        let good = ChatServer(content: "CONTOSO\\svc_backup_legacy was brute-forced from 185.220.101.45 and then logged on; 1 alert, High severity.")
        let (ch1, port1) = try await Self.serve(good)
        defer { _ = ch1.close() }
        let client = OpenAIChatClient(baseURL: "http://127.0.0.1:\(port1)/v1", model: "test-model", apiKey: "sk-test")
        let ok = await IncidentNarrator(model: client).describe(Self.incident())
        #expect(ok.text?.hasPrefix("CONTOSO\\svc_backup_legacy was brute-forced") == true, "\(ok.rejected) \(ok.error ?? "")")
        #expect(good.requests.count == 1)
        #expect(good.requests[0].path == "/v1/chat/completions" && good.requests[0].auth == "Bearer sk-test")
        #expect(good.requests[0].body["model"] as? String == "test-model")
        #expect(((good.requests[0].body["messages"] as? [[String: Any]])?.last?["content"] as? String)?.contains("185.220.101.45") == true)

        let bad = ChatServer(content: "The attacker at 10.9.9.9 tried 400 passwords against CONTOSO\\svc_backup_legacy.")
        let (ch2, port2) = try await Self.serve(bad)
        defer { _ = ch2.close() }
        let no = await IncidentNarrator(model: OpenAIChatClient(baseURL: "http://127.0.0.1:\(port2)/v1", model: "m", apiKey: nil)).describe(Self.incident())
        #expect(no.text == nil)
        #expect(no.rejected == ["10.9.9.9", "400"])
        // No server: an error, and the deterministic text stays.
        let down = await IncidentNarrator(model: OpenAIChatClient(baseURL: "http://127.0.0.1:9/v1", model: "m", apiKey: nil, timeoutSeconds: 2)).describe(Self.incident())
        #expect(down.text == nil && down.error != nil)
    }

    @Test func thePipelineKeepsTheDeterministicDescriptionWhenTheModelInvents() async throws {
        let bad = ChatServer(content: "Seven accounts were compromised from 203.0.113.99.")
        let (ch, port) = try await Self.serve(bad)
        defer { _ = ch.close() }
        let path = NSTemporaryDirectory() + "vigil-llm-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try LogStore(workspace: Workspace.open(path))
        var pipeline = IncidentPipeline(store: store, rules: [])
        pipeline.model = OpenAIChatClient(baseURL: "http://127.0.0.1:\(port)/v1", model: "m", apiKey: nil)
        let t = DateTimeParser.parse("2024-06-21T02:00:00Z")!
        let alert = AlertRecord(systemAlertID: "a1", ruleID: "r", name: "Brute force", severity: .medium, startTime: t, endTime: t, time: t,
                                entities: [Entity(type: .account, properties: ["FullName": "CONTOSO\\bob"])])
        let r = try await Task.detached { try pipeline.process([alert], now: t + Ticks.perHour) }.value
        #expect(r.incidents.first?.description.hasPrefix("1 alert from 1 rule: Brute force.") == true)
        let stored = try IncidentStore(store: store).get(number: 1)
        #expect(stored?.comments.first?.message == "The language model's description was not used: it states what the evidence does not: 203.0.113.99")
    }
}
