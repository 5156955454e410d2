import Detection
import AsyncHTTPClient
import Foundation
import KQL
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
import VigilApp
import VigilCore
import VigilStore

/// `vigil serve` started for real on loopback (free ports), driven over HTTP, UDP and TCP.
@Suite(.serialized) struct ServeTests {
    /// A running server in a temporary workspace; `stop()` shuts it down gracefully.
    final class Running: @unchecked Sendable {
        let path: String
        let store: LogStore
        var task: Task<Void, any Error>?
        var port = 0
        var syslog: (udp: Int, tcp: Int)?
        var shutdown: (@Sendable () async -> Void)?

        /// `rules`: rule files (name → text) for the workspace's rule directory. `realClock`: the store
        /// stamps ingestion with the wall clock the detection loop runs on (NRT latency).
        /// An admin token the helpers send (nil with `auth: "none"`).
        var token: String?

        init(yaml: String = "", rules: [String: String] = [:], realClock: Bool = false, auth: String = "tokens") async throws {
            path = NSTemporaryDirectory() + "vigil-serve-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: path + "/rules", withIntermediateDirectories: true)
            for (name, text) in rules { try text.write(toFile: path + "/rules/" + name, atomically: true, encoding: .utf8) }
            try (yaml + "server:\n  port: 0\n  auth: \(auth)\n").write(toFile: path + "/vigil.yaml", atomically: true, encoding: .utf8)
            let fixed = DateTimeParser.parse("2026-11-24T00:00:00Z")!
            if realClock {
                store = try LogStore(workspace: Workspace.open(path), clock: { Int64(Date().timeIntervalSince1970 * 1e7) })
            } else {
                store = try LogStore(workspace: Workspace.open(path), clock: { fixed })
            }
            if auth == "tokens" { token = try TokenStore(store: store).create(name: "test-admin", role: .admin, expires: nil, now: fixed).secret }
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let runner = ServeRunner(store: store, logger: logger)
            let started = AsyncStream<ServeRunner.Started>.makeStream()
            task = Task { try await runner.run(onRunning: { started.continuation.yield($0) }, signals: false) }
            for await s in started.stream { port = s.port; syslog = s.syslog; shutdown = s.shutdown; break }
        }

        /// Graceful shutdown, as SIGTERM.
        func stop() async {
            await shutdown?()
            _ = await task?.result
            try? FileManager.default.removeItem(atPath: path)
        }

        func post(_ path: String, _ body: String, contentType: String = "application/json") async throws -> (Int, String) {
            try await send(.POST, path, body, contentType: contentType)
        }

        /// Any request, with the admin token unless `token` says otherwise ("" for none).
        func send(_ method: HTTPMethod, _ path: String, _ body: String? = nil, contentType: String = "application/json", token: String? = nil,
                  headers: [(String, String)] = []) async throws -> (Int, String) {
            var req = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            req.method = method
            if let t = token ?? self.token, !t.isEmpty { req.headers.add(name: "Authorization", value: "Bearer " + t) }
            for (k, v) in headers { req.headers.add(name: k, value: v) }
            req.headers.add(name: "Content-Type", value: contentType)
            if let body { req.body = .bytes(ByteBuffer(string: body)) }
            let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(30))
            let text = String(buffer: try await resp.body.collect(upTo: 16 << 20))
            return (Int(resp.status.code), text)
        }

        func get(_ path: String, token: String? = nil) async throws -> (Int, String) {
            try await send(.GET, path, token: token)
        }

        func json(_ s: String) -> [String: Any] { (try? JSONSerialization.jsonObject(with: Data(s.utf8))) as? [String: Any] ?? [:] }

        /// Rows of a query's single result table, via the API.
        func rows(_ q: String) async throws -> [[Any]] {
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["query": q]), as: UTF8.self)
            let (status, text) = try await post("/api/query", body)
            #expect(status == 200, "\(text)")
            return json(text)["rows"] as? [[Any]] ?? []
        }
    }

    @Test func httpIngestAnswersAfterTheBatchIsDurableAndReportsBadRecords() async throws {
        let s = try await Running()
        defer { Task { await s.stop() } }
        #expect(try await s.get("/healthz").0 == 200)
        #expect(try await s.get("/readyz").0 == 200)
        let body = "[{\"TimeGenerated\":\"2026-11-23T10:00:00Z\",\"Computer\":\"web1\",\"EventID\":4625,\"Account\":\"CONTOSO\\\\alice\"},\n"
            + " {\"TimeGenerated\":\"2026-11-23T10:00:01Z\",\"Computer\":\"web1\",\"EventID\":\"not a number\",\"Account\":\"bob\"},\n"
            + " {broken,\n"
            + " {\"TimeGenerated\":\"2026-11-23T10:00:02Z\",\"Computer\":\"web2\",\"EventID\":4624,\"Account\":\"carol\"}]"
        let (status, text) = try await s.post("/api/ingest/SecurityEvent", body)
        #expect(status == 200, "\(text)")
        let r = s.json(text)
        #expect(r["accepted"] as? Int == 3)
        #expect(r["rejected"] as? Int == 1)
        let diags = r["diagnostics"] as? [[String: Any]] ?? []
        #expect(diags.contains { $0["line"] as? Int == 3 && $0["severity"] as? String == "error" })
        #expect(diags.contains { $0["column"] as? String == "EventID" && $0["line"] as? Int == 2 })
        // Acknowledged means durable: a separate store over the same files sees the rows now.
        let other = try LogStore(workspace: Workspace.open(s.path))
        #expect(try other.scan("SecurityEvent", request: ScanRequest(columns: ["Account"])).count == 3)
        let rows = try await s.rows("SecurityEvent | summarize n = count() by Computer | order by Computer asc")
        #expect(rows.map { $0[0] as? String } == ["web1", "web2"])
        #expect(rows.map { $0[1] as? Int } == [2, 1])
    }

    /// The live loop: an NRT rule raises its alert within seconds of the event's ingestion (NRT rules
    /// run every second here instead of Sentinel's minute), and every run is in SentinelHealth.
    @Test func nearRealTimeRulesAlertSecondsAfterIngest() async throws {
        let rule = try #require(BuiltInRulePack.rules.first { $0.path == "EncodedPowerShell.yaml" }).text
        let s = try await Running(yaml: "detection:\n  nrtSeconds: 1\n", rules: ["EncodedPowerShell.yaml": rule], realClock: true)
        defer { Task { await s.stop() } }
        // Let the loop load the rule and run once before the event arrives.
        try await Task.sleep(for: .milliseconds(1500))
        let event = #"{"TimeGenerated":"2026-11-23T10:00:00Z","Computer":"WS-7","EventID":4688,"Account":"CONTOSO\\eve","#
            + #""NewProcessName":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","CommandLine":"powershell -enc SQBFAFgAIAAoAE4AZQB3AC0A"}"#
        let sent = Date()
        let (status, text) = try await s.post("/api/ingest/SecurityEvent", event)
        #expect(status == 200, "\(text)")
        var latency: Double?
        for _ in 0..<500 {
            if let n = try await s.rows("SecurityAlert | count").first?.first as? Int, n > 0 { latency = Date().timeIntervalSince(sent); break }
            try await Task.sleep(for: .milliseconds(50))
        }
        // Alone this is about half a second; the bound is loose because other suites (the browser,
        // the load test) share the two cores while it runs. The figure itself is in docs/detection.md.
        #expect(latency != nil && latency! < 20, "ingest-to-alert latency \(latency.map { String($0) } ?? "none")")
        print(String(format: "NRT ingest-to-alert latency (rules every 1 s): %.2f s", latency ?? -1))
        let alert = try await s.rows("SecurityAlert | project AlertName, CompromisedEntity, ProviderName")
        #expect(alert.first?[0] as? String == "PowerShell with an encoded command (NRT)")
        #expect(alert.first?[2] as? String == "ASI NRT Alerts")
        let health = try await s.rows("SentinelHealth | where SentinelResourceKind == 'NRT' | summarize runs = count(), failed = countif(Status != 'Success')")
        #expect((health.first?[0] as? Int ?? 0) >= 2)
        #expect(health.first?[1] as? Int == 0)
    }

    @Test func httpIngestErrorsAreJSONWithStatuses() async throws {
        let s = try await Running(yaml: "ingest:\n  maxPendingRows: 3\n  sealRows: 1000\n  sealSeconds: 3600\n")
        defer { Task { await s.stop() } }
        let bad = try await s.post("/api/ingest/NotATable", "{\"a\":1}")
        #expect(bad.0 == 400)
        #expect(s.json(bad.1)["code"] as? String == "InvalidTable")
        let media = try await s.post("/api/ingest/Test_CL", "a,b", contentType: "application/xml")
        #expect(media.0 == 415)
        let empty = try await s.post("/api/ingest/Test_CL", "")
        #expect(empty.0 == 400)
        let nothing = try await s.post("/api/ingest/Test_CL", "{nope")
        #expect(nothing.0 == 400)
        // Back-pressure: past maxPendingRows unsealed rows, 503 with Retry-After instead of a drop.
        #expect(try await s.post("/api/ingest/Test_CL", "{\"a_s\":\"1\"}\n{\"a_s\":\"2\"}\n{\"a_s\":\"3\"}").0 == 200)
        let busy = try await s.post("/api/ingest/Test_CL", "{\"a_s\":\"4\"}")
        #expect(busy.0 == 503)
        #expect(s.json(busy.1)["code"] as? String == "Busy")
        #expect(try await s.get("/readyz").0 == 503)
        let q = try await s.post("/api/query", "{\"query\": \"Test_CL | where\"}")
        #expect(q.0 == 400)
        let diag = (s.json(q.1)["diagnostics"] as? [[String: Any]])?.first
        #expect(diag?["line"] as? Int == 1)
        #expect((diag?["code"] as? String)?.hasPrefix("KQL1") == true)
    }

    @Test func syslogOverUDPAndTCPLandsInSyslogAndCommonSecurityLog() async throws {
        let s = try await Running(yaml: "syslog:\n  enabled: true\n  udpPort: 0\n  tcpPort: 0\n")
        defer { Task { await s.stop() } }
        let ports = try #require(s.syslog)
        // UDP: one datagram per message.
        let udp = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let dest = try SocketAddress(ipAddress: "127.0.0.1", port: ports.udp)
        for m in ["<38>Nov 23 10:00:00 fw1 sshd[42]: Failed password for root from 203.0.113.5",
                  "<134>1 2026-11-23T10:00:01Z fw1 app - - - udp 5424 message"] {
            try await udp.writeAndFlush(AddressedEnvelope(remoteAddress: dest, data: ByteBuffer(string: m))).get()
        }
        // TCP: octet counting and LF framing on one connection, one of them CEF.
        let tcp = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: ports.tcp).get()
        let cef = "<134>Nov 23 10:00:02 fw2 CEF:0|Vendor|FW|1.0|100|Blocked|5|src=198.51.100.9 dpt=22 act=deny"
        let framed = "\(cef.utf8.count) \(cef)" + "<13>Nov 23 10:00:03 fw2 kernel: lf framed\n"
        try await tcp.writeAndFlush(ByteBuffer(string: framed)).get()
        try await tcp.close()
        try await udp.close()
        var syslogRows: [[Any]] = [], cefRows: [[Any]] = []
        for _ in 0..<50 {
            syslogRows = try await s.rows("Syslog | order by TimeGenerated asc | project Computer, ProcessName, SyslogMessage, HostIP, Facility, SeverityLevel")
            cefRows = try await s.rows("CommonSecurityLog | project DeviceVendor, SourceIP, DestinationPort, DeviceAction, Computer")
            if syslogRows.count == 3 && cefRows.count == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(syslogRows.count == 3)
        #expect(syslogRows.first?[1] as? String == "sshd")
        #expect(syslogRows.first?[3] as? String == "127.0.0.1")
        #expect(syslogRows.first?[4] as? String == "auth")
        #expect(syslogRows.first?[5] as? String == "info")
        #expect(syslogRows.map { $0[2] as? String ?? "" }.contains("lf framed"))
        #expect(cefRows.count == 1)
        #expect(cefRows.first?[1] as? String == "198.51.100.9")
        #expect(cefRows.first?[2] as? Int == 22)
        #expect(cefRows.first?[4] as? String == "fw2")
    }

    @Test func gracefulShutdownSealsWhatIsPending() async throws {
        let s = try await Running(yaml: "ingest:\n  sealRows: 100000\n  sealSeconds: 3600\n")
        let path = s.path
        #expect(try await s.post("/api/ingest/Test_CL", "{\"a_s\":\"1\"}\n{\"a_s\":\"2\"}").0 == 200)
        #expect(s.store.pendingRows == 2)
        await s.shutdown?()
        let outcome = await s.task?.result
        if case .failure(let e)? = outcome { Issue.record("serve ended with \(e)") }
        let reopened = try LogStore(workspace: Workspace.open(path))
        #expect(reopened.pendingRows == 0)
        #expect(reopened.tableInfos().first { $0.name == "Test_CL" }?.rows == 2)
        #expect(reopened.tableInfos().first { $0.name == "Test_CL" }?.extents == 1)
        try? FileManager.default.removeItem(atPath: path)
    }

    // In this serialized suite so that its load does not overlap the NRT latency measurement.
    /// Load on loopback, bounded: concurrent reads, comments and ingest; no error, no lost write.
    /// (`vigil bench --api 5000` is the measured version.)
    /// On both state backends (`vigil bench --api N --api-state both` is the measured version).
    @Test(arguments: ["sqlite", "postgres"]) func concurrentReadsWritesAndIngestLoseNothing(_ backend: String) async throws {
        let state = backend == "sqlite" ? "sqlite" : try ThrowawayPostgres.url.get() + "?schema=workspace"
        let r = try await Benchmark.runAPI(requests: 240, clients: 8, state: state)
        #expect(r.statuses.keys.allSatisfy { (200..<300).contains($0) }, "\(r.statuses)")
        #expect(r.requests == 240)
        #expect(r.commentsStored == r.commentsAcknowledged && r.commentsAcknowledged == 60)
        #expect(r.rowsStored == r.rowsAcknowledged && r.rowsAcknowledged == 60 * 20)
    }
}
