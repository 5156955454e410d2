import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Ingestion
import KQL
import Logging
import NIOCore
import Testing
import VigilApp
import VigilCore
import VigilStore

/// The web UI in a real browser: headless Chromium (installed by scripts/bootstrap.sh) driven over
/// the DevTools protocol through the main flows: sign in with a token, the queue, an incident (score
/// chart, timeline, review), a comment, closing it with a classification, the query editor (results,
/// a time chart, an error with its position), rules, watchlists, signing out. Screenshots of each
/// page are kept in `.build/ui-screenshots/` (or `$VIGIL_ARTIFACTS`).
@Suite(.serialized) struct WebUIBrowserTests {
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var artifacts: String {
        ProcessInfo.processInfo.environment["VIGIL_ARTIFACTS"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/ui-screenshots").standardized.path
    }

    /// A page of the browser, driven by DevTools commands over its WebSocket.
    final class Page: @unchecked Sendable {
        var nextID = 0
        var inbound: WebSocketInboundMessageStream.AsyncIterator
        let outbound: WebSocketOutboundWriter
        init(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) {
            self.inbound = inbound.messages(maxSize: 1 << 26).makeAsyncIterator()
            self.outbound = outbound
        }

        func call(_ method: String, _ params: [String: Any] = [:]) async throws -> [String: Any] {
            nextID += 1
            let id = nextID
            let msg = try JSONSerialization.data(withJSONObject: ["id": id, "method": method, "params": params])
            try await outbound.write(.text(String(decoding: msg, as: UTF8.self)))
            while let m = try await inbound.next() {
                guard case .text(let text) = m, let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
                if obj["id"] as? Int == id {
                    if let e = obj["error"] { throw CDPError(message: "\(method): \(e)") }
                    return obj["result"] as? [String: Any] ?? [:]
                }
            }
            throw CDPError(message: "the browser closed the connection")
        }

        func eval(_ js: String) async throws -> Any? {
            let r = try await call("Runtime.evaluate", ["expression": js, "returnByValue": true, "awaitPromise": true])
            if let ex = r["exceptionDetails"] { throw CDPError(message: "\(js): \(ex)") }
            return (r["result"] as? [String: Any])?["value"]
        }

        /// Runs `js` (a click that submits or navigates) and waits for the next page at `path`: the
        /// mark set on the old document must be gone, so the old page cannot pass for the new one.
        func act(_ js: String, expect path: String) async throws {
            _ = try await eval("window.__vigilOld = true; " + js)
            try await wait(path: path)
        }

        /// Waits until a new page at `path` has loaded.
        func wait(path: String) async throws {
            for _ in 0..<100 {
                if let ok = try? await eval("!window.__vigilOld && document.readyState === 'complete' && location.pathname === '\(path)'") as? Bool, ok { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw CDPError(message: "the page never reached \(path): \(String(describing: try? await eval("location.href")))")
        }

        func go(_ url: String, expect path: String) async throws {
            _ = try await eval("window.__vigilOld = true")
            _ = try await call("Page.navigate", ["url": url])
            try await wait(path: path)
        }

        func screenshot(_ name: String) async throws {
            let r = try await call("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true])
            guard let b64 = r["data"] as? String, let png = Data(base64Encoded: b64) else { throw CDPError(message: "no screenshot") }
            try FileManager.default.createDirectory(atPath: WebUIBrowserTests.artifacts, withIntermediateDirectories: true)
            try png.write(to: URL(fileURLWithPath: WebUIBrowserTests.artifacts + "/\(name).png"))
        }
    }

    struct CDPError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    @Test func anAnalystWorksAnIncidentInARealBrowser() async throws {
        guard let chromium = Self.chromium else {
            Issue.record("Chromium is not installed (scripts/bootstrap.sh installs it): the UI test cannot run")
            return
        }
        let s = try await ServeTests.Running()
        defer { Task { await s.stop() } }
        try IncidentAPITests.seed(s.store)
        var inc = try #require(try IncidentStore(store: s.store).get(number: 1))
        inc.riskScore = Incident.RiskScore(total: 36, contributions: [.init(source: "Related alerts", points: 20, reason: "2 alerts"),
                                                                       .init(source: "Threat intelligence", points: 10, reason: "TI match"),
                                                                       .init(source: "Watchlists", points: 6, reason: "VIP")], time: Self.now)
        inc.review = .init(outcome: .flag, policyVersion: "v1", matchedRules: ["high"], reasons: ["hard gate: High severity"], gates: ["High severity"], time: Self.now, shadow: false)
        inc.comments = [.init(id: "t1", message: "**Threat intelligence**: 1 finding\n\n| Finding | Level |\n|---|---|\n| 185.220.101.45 is a known Botnet indicator <script>alert(1)</script> |  |",
                              author: "triage: Threat intelligence", createdTime: Self.now)]
        try IncidentStore(store: s.store).save([inc], actor: "triage", action: { _ in ("triage", "test") }, now: Self.now)
        let chart = Array("{\"TimeGenerated\":\"2024-06-21T00:00:00Z\",\"N\":1}\n{\"TimeGenerated\":\"2024-06-21T01:00:00Z\",\"N\":3}\n{\"TimeGenerated\":\"2024-06-21T02:00:00Z\",\"N\":2}".utf8)
        let ingested = try chart.withUnsafeBufferPointer { try s.store.ingest($0, source: "t", format: .json, table: "Chart_CL") }
        #expect(ingested.accepted == 3)
        let secret = try TokenStore(store: s.store).create(name: "alice", role: .responder, expires: nil, now: Self.now).secret
        let carol = try TokenStore(store: s.store).create(name: "carol", role: .contributor, expires: nil, now: Self.now).secret
        try TestRules.failedLogons.write(toFile: s.path + "/rules/failed-logons.yaml", atomically: true, encoding: .utf8)

        // The browser, with its DevTools endpoint on a free port.
        let profile = NSTemporaryDirectory() + "vigil-chromium-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let proc = Process()
        proc.executableURL = URL(fileURLWithPath: chromium)
        proc.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--window-size=1280,1000",
                          "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=\(profile)", "about:blank"]
        let err = Pipe()
        proc.standardError = err
        proc.standardOutput = FileHandle.nullDevice
        try proc.run()
        defer { proc.terminate(); proc.waitUntilExit() }
        var banner = ""
        let deadline = Date().addingTimeInterval(30)
        while !banner.contains("DevTools listening on"), Date() < deadline {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            banner += String(decoding: chunk, as: UTF8.self)
        }
        guard let r = banner.range(of: "ws://127.0.0.1:"), let port = Int(banner[r.upperBound...].prefix { $0.isNumber }) else {
            Issue.record("Chromium did not start: \(banner.suffix(500))")
            return
        }
        let targets = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/json/list"), timeout: .seconds(10))
        let list = try JSONSerialization.jsonObject(with: Data(String(buffer: try await targets.body.collect(upTo: 1 << 20)).utf8)) as? [[String: Any]] ?? []
        let pageURL = try #require(list.first { $0["type"] as? String == "page" }?["webSocketDebuggerUrl"] as? String)
        let base = "http://127.0.0.1:\(s.port)"
        var logger = Logger(label: "cdp")
        logger.logLevel = .warning

        try await WebSocketClient.connect(url: pageURL, configuration: .init(maxFrameSize: 1 << 26), logger: logger) { inbound, outbound, _ in
            let p = Page(inbound, outbound)
            _ = try await p.call("Page.enable")
            // Signed out: the queue sends us to sign in; a wrong token is refused.
            try await p.go(base + "/incidents", expect: "/login")
            try await p.act("document.getElementById('token').value = 'vgl_00000000_wrong'; document.getElementById('signin').click()", expect: "/login")
            #expect((try await p.eval("document.querySelector('.error').textContent") as? String)?.contains("not valid") == true)
            try await p.act("document.getElementById('token').value = '\(secret)'; document.getElementById('signin').click()", expect: "/incidents")
            #expect(try await p.eval("document.querySelectorAll('#queue tbody tr').length") as? Int == 3)
            #expect(try await p.eval("document.querySelector('.who').textContent") as? String == "alice (responder)")
            try await p.screenshot("1-queue")
            // Filter the queue.
            try await p.act("document.querySelector('#filters select[name=severity]').value = 'Low'; document.querySelector('#filters button').click()", expect: "/incidents")
            #expect(try await p.eval("document.querySelectorAll('#queue tbody tr').length") as? Int == 1)

            // The incident: score chart, review, timeline, evidence (escaped), entities.
            try await p.go(base + "/incidents/1", expect: "/incidents/1")
            #expect(try await p.eval("document.querySelectorAll('#score-chart rect').length") as? Int == 3)
            #expect((try await p.eval("document.getElementById('verdict').textContent") as? String)?.contains("flag") == true)
            #expect((try await p.eval("document.getElementById('timeline').textContent") as? String)?.contains("Credential Access") == true)
            #expect(try await p.eval("document.querySelectorAll('#comments script').length") as? Int == 0)
            #expect((try await p.eval("document.getElementById('comments').textContent") as? String)?.contains("<script>alert(1)</script>") == true)
            try await p.screenshot("2-incident")

            // Comment, then close it as a true positive (the page asks for confirmation).
            try await p.act("document.getElementById('message').value = 'Called bob; he did not sign in.'; document.getElementById('add-comment').click()", expect: "/incidents/1")
            #expect((try await p.eval("document.getElementById('comments').textContent") as? String)?.contains("Called bob; he did not sign in.") == true)
            try await p.act("""
                window.confirm = () => true;
                document.getElementById('status').value = 'Closed'; document.getElementById('classification').value = 'TruePositive';
                document.getElementById('reason').value = 'SuspiciousActivity'; document.getElementById('save').click()
                """, expect: "/incidents/1")
            #expect((try await p.eval("document.getElementById('done').textContent") as? String)?.contains("status Closed") == true)
            try await p.screenshot("3-closed")

            // The report page.
            try await p.go(base + "/incidents/1/report", expect: "/incidents/1/report")
            #expect((try await p.eval("document.querySelector('.report h1').textContent") as? String)?.hasPrefix("Incident 1") == true)

            // The query editor: a time chart, then an error with its position.
            try await p.go(base + "/query", expect: "/query")
            try await p.act("""
                document.getElementById('q').value = 'Chart_CL | summarize sum(N) by bin(TimeGenerated, 1h) | order by TimeGenerated asc | render timechart';
                document.getElementById('run').click()
                """, expect: "/query")
            let shown = try await p.eval("document.querySelector('main').innerText") as? String ?? ""
            #expect(try await p.eval("document.querySelectorAll('#results tbody tr').length") as? Int == 3, "\(shown.prefix(600))")
            #expect(try await p.eval("document.querySelectorAll('#timechart polyline').length") as? Int == 1)
            try await p.screenshot("4-query")
            try await p.act("document.getElementById('q').value = 'Chart_CL\\n| where Nope > 1'; document.getElementById('run').click()", expect: "/query")
            #expect((try await p.eval("document.getElementById('error').textContent") as? String)?.contains("line 2") == true)

            try await p.go(base + "/rules", expect: "/rules")
            #expect((try await p.eval("document.getElementById('rules').textContent") as? String)?.contains("Failed logons by account") == true)
            #expect(try await p.eval("document.querySelectorAll('#rules form').length") as? Int == 0, "a responder cannot disable rules")
            try await p.screenshot("5-rules")
            try await p.go(base + "/watchlists", expect: "/watchlists")
            #expect(try await p.eval("!!document.getElementById('watchlists')") as? Bool == true)

            // Signing out ends the session.
            try await p.act("document.querySelector('header form button').click()", expect: "/login")
            try await p.go(base + "/incidents", expect: "/login")
            // A contributor disables the rule from the rules page.
            try await p.act("document.getElementById('token').value = '\(carol)'; document.getElementById('signin').click()", expect: "/incidents")
            try await p.go(base + "/rules", expect: "/rules")
            try await p.act("document.querySelector('#rules form button').click()", expect: "/rules")
            #expect((try await p.eval("document.getElementById('rules').textContent") as? String)?.contains("disabled") == true)
        }
        // What the browser did is in the store, under the token's name.
        let after = try #require(try IncidentStore(store: s.store).get(number: 1))
        #expect(after.status == .closed && after.classification == .truePositive)
        #expect(after.comments.contains { $0.author == "alice" && $0.message == "Called bob; he did not sign in." })
        let audit = try IncidentStore(store: s.store).audit(incidentID: after.id)
        #expect(audit.suffix(2).map(\.actor) == ["token:alice", "token:alice"])
        #expect(FileManager.default.fileExists(atPath: Self.artifacts + "/2-incident.png"))
        #expect(try String(contentsOfFile: s.path + "/rules/failed-logons.yaml", encoding: .utf8).hasPrefix("enabled: false\n"))
    }

    static let now = DateTimeParser.parse("2024-06-21T08:00:00Z")!
}
