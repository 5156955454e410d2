import Foundation
import Notifications
import Reports
import Testing
import VigilCore

/// What each channel receives (golden payloads), the webhook signature, and the outbox's decisions.
@Suite struct NotificationTests {
    static func notice() -> ReportNotice {
        let t0: Int64 = 17_189_352_000_000_000  // 2024-06-21T02:00:00Z
        var inc = Incident(id: "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5", number: 42, title: "Password spray & <successful> sign-in", severity: .high, createdTime: t0)
        inc.alerts = [.init(systemAlertID: "a", ruleID: "r", name: "Password spray", severity: .high, tactics: [.credentialAccess], startTime: t0, endTime: t0, isAnomaly: false)]
        inc.entities = [Entity(type: .account, properties: ["FullName": "bob@contoso.com"])]
        inc.owner = .init(assignedTo: "Tier 2")
        inc.riskScore = .init(total: 106, contributions: [.init(source: "Watchlists", points: 10, reason: "VIP")], time: t0)
        let r = ReportBuilder().build(.init(incident: inc, audit: []))
        return ReportNotice(report: r, markdown: ReportRenderer.markdown(r), json: ReportRenderer.json(r), link: "https://vigil.example.org/incidents/42")
    }

    static func golden(_ name: String, _ text: String) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens/\(name)").path
        if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] != nil { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        #expect(text == (try String(contentsOfFile: path, encoding: .utf8)), "\(name) differs from its golden file")
    }

    @Test func goldenPayloads() throws {
        let n = Self.notice()
        for kind in NotificationChannel.Kind.allCases {
            let body = ChannelPayload.body(n, for: kind, deliveryID: "delivery-1")
            let json = try JSONSerialization.jsonObject(with: body)
            try Self.golden("\(kind.rawValue).json", String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), as: UTF8.self) + "\n")
        }
    }

    @Test func cardsCarryTheFactsAndTheLink() throws {
        let n = Self.notice()
        let teams = ChannelPayload.teams(n).text
        for fact in ["\"Incident\"", "\"42\"", "\"Severity\"", "\"High\"", "\"Risk score\"", "\"106\"", "\"Owner\"", "\"Tier 2\"", "\"Status\"", "\"New\"",
                     "\"Classification\"", "\"not classified\"", "\"Created\"", "https://vigil.example.org/incidents/42", "application/vnd.microsoft.card.adaptive"] {
            #expect(teams.contains(fact), "Teams card lacks \(fact)")
        }
        let slack = ChannelPayload.slack(n).text
        #expect(slack.contains("&lt;successful&gt;") && slack.contains("\"type\":\"header\"") && slack.contains("https://vigil.example.org/incidents/42"))
        // Slack's section text limit holds for any report size.
        var big = n
        big.markdown = String(repeating: "a line of the report that goes on\n", count: 2_000)
        guard case .object(let o) = ChannelPayload.slack(big), case .array(let blocks)? = o["blocks"] else { Issue.record("no blocks"); return }
        #expect(blocks.count <= 50)
        for case .object(let b) in blocks { if case .object(let t)? = b["text"], case .string(let s)? = t["text"] { #expect(s.count <= 3_000) } }
        #expect(ChannelPayload.teams(big).text.count < 28_000)
        let hook = try JSONSerialization.jsonObject(with: ChannelPayload.webhook(n, deliveryID: "d-1")) as? [String: Any]
        #expect(hook?["deliveryId"] as? String == "d-1" && (hook?["report"] as? [String: Any])?["incidentNumber"] as? Int == 42)
    }

    @Test func webhookSignaturesVerifyAndRejectTamperingAndReplay() {
        let body = Data("{\"a\":1}".utf8)
        let headers = Dictionary(uniqueKeysWithValues: WebhookSigner.headers(body: body, secret: "s3cret", timestamp: 1_700_000_000))
        let sig = headers[WebhookSigner.signatureHeader], ts = headers[WebhookSigner.timestampHeader]
        // Known answer: HMAC-SHA256("s3cret", "1700000000.{\"a\":1}").
        #expect(sig == "sha256=1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940")
        #expect(WebhookSigner.verify(body: body, secret: "s3cret", timestamp: ts, signature: sig, now: 1_700_000_100))
        #expect(!WebhookSigner.verify(body: Data("{\"a\":2}".utf8), secret: "s3cret", timestamp: ts, signature: sig, now: 1_700_000_100))
        #expect(!WebhookSigner.verify(body: body, secret: "other", timestamp: ts, signature: sig, now: 1_700_000_100))
        #expect(!WebhookSigner.verify(body: body, secret: "s3cret", timestamp: ts, signature: sig, now: 1_700_000_000 + 301))
        #expect(!WebhookSigner.verify(body: body, secret: "s3cret", timestamp: "1700000001", signature: sig, now: 1_700_000_100))
    }
}

/// The outbox as a state machine: every delivery result and what it does to the message.
@Suite struct OutboxTests {
    static let now: Int64 = 17_000_000_000_000_000
    static let s: Int64 = 10_000_000
    static func message() -> OutboxMessage { OutboxMessage(key: "k", channel: "c", body: Data("{}".utf8), created: now) }

    @Test func successIsDeliveredOnce() {
        let m = Outbox().after(.status(204, retryAfter: nil), Self.message(), now: Self.now, random: 0.5)
        #expect(m.state == .delivered && m.attempts == 1 && m.lastError == nil)
    }

    @Test func throttlingAndServerErrorsRetryHonouringRetryAfter() {
        let o = Outbox(policy: RetryPolicy(baseSeconds: 10, maxSeconds: 600, maxAttempts: 5))
        let a = o.after(.status(429, retryAfter: "120"), Self.message(), now: Self.now, random: 0.5)
        #expect(a.state == .pending && a.nextAttempt == Self.now + 120 * Self.s && a.lastError == "HTTP 429")
        // An HTTP date: 90 s after now.
        let date = Date(timeIntervalSince1970: Double(Self.now / Self.s + 90))
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = TimeZone(identifier: "GMT"); f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let b = o.after(.status(503, retryAfter: f.string(from: date)), Self.message(), now: Self.now, random: 0.5)
        #expect(b.nextAttempt == Self.now + 90 * Self.s)
        // No Retry-After: exponential backoff, with jitter between half and all of it.
        var m = Self.message()
        var waits: [Int64] = []
        for _ in 0..<4 {
            let before = Self.now
            m = o.after(.status(500, retryAfter: nil), m, now: before, random: 1)
            waits.append((m.nextAttempt - before) / Self.s)
        }
        #expect(waits == [10, 20, 40, 80])
        #expect(o.after(.failure("connection refused"), Self.message(), now: Self.now, random: 0).nextAttempt == Self.now + 5 * Self.s)
        // The last attempt fails for good.
        let last = o.after(.status(500, retryAfter: nil), m, now: Self.now, random: 0.5)
        #expect(last.state == .failed && last.attempts == 5 && last.lastError?.contains("gave up after 5 attempts") == true)
    }

    @Test func aRefusalIsNotRetried() {
        for code in [400, 401, 403, 404, 410] {
            let m = Outbox().after(.status(code, retryAfter: nil), Self.message(), now: Self.now, random: 0.5)
            #expect(m.state == .failed && m.lastError?.hasPrefix("HTTP \(code)") == true)
        }
    }

    @Test func backoffStaysWithinItsBoundsForAnyRandomness() {
        let p = RetryPolicy(baseSeconds: 5, maxSeconds: 3_600, maxAttempts: 100)
        for attempts in 1...64 {
            for r in [0.0, 0.25, 0.999, -3, 7] {
                let d = p.delay(afterAttempts: attempts, random: r)
                let cap = min(3_600, 5 * pow(2, Double(min(attempts - 1, 30))))
                #expect(d >= cap / 2 && d <= cap)
            }
        }
    }

    @Test func signedRequestsCarryTheIdempotencyKey() {
        let ch = NotificationChannel(name: "siem", kind: .webhook, url: "https://example.org/hook", secret: "s")
        let req = Outbox().request(Self.message(), channel: ch, now: Self.now)
        let h = Dictionary(uniqueKeysWithValues: req.headers)
        #expect(h["Idempotency-Key"] == "k" && h[WebhookSigner.timestampHeader] == String(Self.now / Self.s))
        #expect(WebhookSigner.verify(body: req.body, secret: "s", timestamp: h[WebhookSigner.timestampHeader], signature: h[WebhookSigner.signatureHeader], now: Self.now / Self.s))
        let teams = Outbox().request(Self.message(), channel: .init(name: "t", kind: .teams, url: "https://x"), now: Self.now)
        #expect(!teams.headers.contains { $0.0 == WebhookSigner.signatureHeader })
    }
}
