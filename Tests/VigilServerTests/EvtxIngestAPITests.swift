import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `POST /api/ingest/{table}?format=evtx`: a Windows event log file over HTTP, its events in their
/// channels' tables, acknowledged once durable; a body that is not EVTX is refused.
@Suite struct EvtxIngestAPITests {
    static let recording = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/sigma/regression_data/rules/windows/registry/registry_set/registry_set_bypass_uac_using_eventviewer/674202d0-b22a-4af4-ae5f-2eda1f3da1af.evtx").standardized

    func post(_ s: ServeTests.Running, _ bytes: [UInt8]) async throws -> (Int, String) {
        var req = HTTPClientRequest(url: "http://127.0.0.1:\(s.port)/api/ingest/WindowsEvent?format=evtx")
        req.method = .POST
        req.headers.add(name: "Authorization", value: "Bearer " + (s.token ?? ""))
        req.headers.add(name: "Content-Type", value: "application/octet-stream")
        req.body = .bytes(ByteBuffer(bytes: bytes))
        let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(30))
        return (Int(resp.status.code), String(buffer: try await resp.body.collect(upTo: 1 << 20)))
    }

    @Test func anEvtxFileLandsInItsChannelsTables() async throws {
        let s = try await ServeTests.Running()
        defer { Task { await s.stop() } }
        let (status, text) = try await post(s, [UInt8](try Data(contentsOf: Self.recording)))
        #expect(status == 200, "\(text)")
        let reply = s.json(text)
        #expect(reply["events"] as? Int == 1)
        #expect((reply["tables"] as? [[String: Any]])?.compactMap { $0["table"] as? String } == ["Event", "WindowsEvent"])
        let rows = try await s.rows("WindowsEvent | project Provider, EventID, Target = tostring(EventData.TargetObject)")
        #expect(rows.count == 1 && rows.first?[0] as? String == "Microsoft-Windows-Sysmon" && rows.first?[1] as? Int == 13)
        #expect((rows.first?[2] as? String)?.contains("mscfile") == true, "\(rows)")
        let (bad, badText) = try await post(s, Array("{\"not\": \"evtx\"}".utf8))
        #expect(bad == 400 && badText.contains("NotEvtx"))
    }
}
