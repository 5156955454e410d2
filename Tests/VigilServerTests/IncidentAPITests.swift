import AsyncHTTPClient
import Foundation
import Hummingbird
import KQL
import NIOHTTP1
import Testing
import VigilApp
import VigilCore
import VigilServer
import VigilStore

/// The incident API on a real server: every route with every role (allowed and denied), every way a
/// token can be wrong, and the Sentinel-shaped incident flows: list pages, etags, updates, comments,
/// reports, audit under the token's name.
@Suite(.serialized) struct IncidentAPITests {
    static let t0 = DateTimeParser.parse("2024-06-21T02:00:00Z")!

    static func seed(_ store: LogStore) throws {
        var list: [Incident] = []
        for n in 1...3 {
            var inc = Incident(id: "00000000-0000-4000-8000-00000000000\(n)", number: n, title: "Incident \(n)", severity: n == 2 ? .low : .high,
                               createdTime: t0 + Int64(n) * Ticks.perHour)
            inc.alerts = [.init(systemAlertID: "a\(n)", ruleID: "r", name: "Brute force", severity: .high, tactics: [.credentialAccess],
                                startTime: inc.createdTime, endTime: inc.createdTime, isAnomaly: false)]
            inc.entities = [Entity(type: .account, properties: ["FullName": "CONTOSO\\bob"])]
            inc.labels = [.init("Risk Score - \(n * 10)", .autoAssigned)]
            list.append(inc)
        }
        try IncidentStore(store: store).save(list, actor: "producer-agent", action: { _ in ("created", "seed") }, now: t0 + 4 * Ticks.perHour)
    }

    static func concrete(_ path: String) -> String {
        path.replacingOccurrences(of: "{number}", with: "1").replacingOccurrences(of: "{id}", with: "no-such-comment")
            .replacingOccurrences(of: "{table}", with: "Api_CL").replacingOccurrences(of: "{name}", with: "nobody")
    }

    static func method(_ m: HTTPRequest.Method) -> HTTPMethod {
        switch m {
        case .get: return .GET
        case .post: return .POST
        case .put: return .PUT
        case .patch: return .PATCH
        default: return .DELETE
        }
    }

    @Test func everyRouteWithEveryRoleIsAllowedOrDeniedAsDeclared() async throws {
        let s = try await ServeTests.Running()
        defer { Task { await s.stop() } }
        try Self.seed(s.store)
        let tokens = TokenStore(store: s.store)
        var secrets: [APIRole: String] = [:]
        for r in APIRole.allCases { secrets[r] = try tokens.create(name: "role-\(r.rawValue)", role: r, expires: nil, now: Self.t0).secret }
        for route in APIRoute.all {
            for role in APIRole.allCases {
                let body: String? = [.post, .put, .patch].contains(route.method) ? (route.path.hasPrefix("/api/ingest") ? "{\"A\":1}" : "{}") : nil
                let (status, text) = try await s.send(Self.method(route.method), Self.concrete(route.path), body, token: secrets[role])
                if role < route.role {
                    #expect(status == 403, "\(role.rawValue) \(route.method.rawValue) \(route.path): \(status) \(text)")
                } else {
                    #expect(status != 401 && status != 403 && status < 500, "\(role.rawValue) \(route.method.rawValue) \(route.path): \(status) \(text)")
                    // A 404 must be the handler's (a JSON error), not a route the router lacks.
                    if status == 404 { #expect(text.contains("\"code\""), "\(route.method.rawValue) \(route.path) has no handler") }
                }
            }
        }
        // The OpenAPI document lists exactly the declared routes, with their roles.
        let (os, doc) = try await s.get("/openapi.json", token: "")
        #expect(os == 200)
        let paths = s.json(doc)["paths"] as? [String: [String: Any]] ?? [:]
        #expect(s.json(doc)["openapi"] as? String == "3.1.0")
        for route in APIRoute.all {
            let op = paths[route.path]?[route.method.rawValue.lowercased()] as? [String: Any]
            #expect(op?["x-vigil-role"] as? String == route.role.rawValue, "\(route.method.rawValue) \(route.path) is not documented")
        }
        #expect(paths.keys.filter { $0.hasPrefix("/api") }.count == Set(APIRoute.all.map(\.path)).count)
        // Prometheus metrics, without a token: ingest, queries, the outbox backlog, requests.
        _ = try await s.post("/api/ingest/Metrics_CL", #"{"A": 1}"#)
        _ = try await s.rows("Metrics_CL | count")
        let (ms, metrics) = try await s.get("/metrics", token: "")
        #expect(ms == 200)
        for name in [#"vigil_ingest_rows_total{table="Metrics_CL"}"#, "vigil_query_duration_seconds_bucket", #"vigil_outbox_messages{state="pending"}"#, "vigil_ingest_pending_rows", "hb_requests"] {
            #expect(metrics.contains(name), "/metrics lacks \(name)")
        }
        // A path no route declares is not reachable, whoever asks.
        #expect(try await s.get("/api/secrets").0 == 404)
        #expect(try await s.get("/healthz", token: "").0 == 200)
    }

    @Test func missingWrongExpiredAndRevokedTokensAreRefused() async throws {
        let s = try await ServeTests.Running()
        defer { Task { await s.stop() } }
        let tokens = TokenStore(store: s.store)
        let now = Int64(Date().timeIntervalSince1970 * 1e7)
        let expired = try tokens.create(name: "old", role: .admin, expires: now - 1, now: now - 10).secret
        let revoked = try tokens.create(name: "gone", role: .admin, expires: nil, now: now).secret
        try tokens.revoke("gone", now: now)
        let (missing, m1) = try await s.get("/api/incidents", token: "")
        #expect(missing == 401 && m1.contains("an API token is required"))
        #expect(try await s.get("/api/incidents", token: "vgl_12345678_nope").0 == 401)
        #expect(try await s.get("/api/incidents", token: "not-even-a-token").0 == 401)
        let (e, et) = try await s.get("/api/incidents", token: expired)
        #expect(e == 401 && et.contains("TokenExpired"))
        let (r, rt) = try await s.get("/api/incidents", token: revoked)
        #expect(r == 401 && rt.contains("TokenRevoked"))
        // A token whose secret holds underscores (base64url) is read whole.
        let odd = try tokens.create(name: "odd", role: .reader, expires: nil, now: now, random: { [UInt8](repeating: 0xff, count: 32) }).secret
        #expect(odd.dropFirst(13).contains("_"))
        #expect(try await s.get("/api/incidents", token: odd).0 == 200)
        // Failures are rate-limited; a valid token still works.
        var limited = false
        for _ in 0..<25 where !limited { limited = try await s.get("/api/incidents", token: "vgl_00000000_x").0 == 429 }
        #expect(limited)
        #expect(try await s.get("/api/incidents").0 == 200)
        // The database holds no secret.
        let listed = try tokens.list()
        #expect(listed.count == 4 && !listed.contains { odd.contains($0.name) && $0.id.count != 8 })
    }

    @Test func incidentsListUpdateCommentReportAndAuditLikeSentinel() async throws {
        let s = try await ServeTests.Running()
        defer { Task { await s.stop() } }
        try Self.seed(s.store)
        // List: filter, order, page.
        let (st, page1) = try await s.get("/api/incidents?$filter=properties/severity%20eq%20'High'&$orderby=properties/createdTimeUtc%20desc&$top=1")
        #expect(st == 200, "\(page1)")
        let p1 = s.json(page1)
        let v1 = p1["value"] as? [[String: Any]] ?? []
        #expect(v1.count == 1 && (v1.first?["properties"] as? [String: Any])?["incidentNumber"] as? Int == 3)
        #expect(v1.first?["type"] as? String == "Microsoft.SecurityInsights/Incidents")
        let next = try #require(p1["nextLink"] as? String)
        let p2 = s.json(try await s.get(next).1)
        #expect(((p2["value"] as? [[String: Any]])?.first?["properties"] as? [String: Any])?["incidentNumber"] as? Int == 1)
        #expect(p2["nextLink"] == nil)
        let labelled = s.json(try await s.get("/api/incidents?$filter=properties/labels/any(l:%20l/labelName%20eq%20'Risk%20Score%20-%2020')").1)
        #expect((labelled["value"] as? [Any])?.count == 1)
        #expect(try await s.get("/api/incidents?$filter=properties/colour%20eq%20'red'").0 == 400)
        #expect(try await s.get("/api/incidents?$top=0").0 == 400)

        // Get, then update with the etag; a stale etag is a conflict.
        let (gs, got) = try await s.get("/api/incidents/1")
        #expect(gs == 200)
        let etag = try #require(s.json(got)["etag"] as? String)
        let update = #"{"properties": {"status": "Active", "owner": {"assignedTo": "alice@contoso.com"}, "labels": [{"labelName": "phishing"}]}}"#
        let (us, updated) = try await s.send(.PATCH, "/api/incidents/1", update, headers: [("If-Match", etag)])
        #expect(us == 200, "\(updated)")
        let up = s.json(updated)
        #expect((up["properties"] as? [String: Any])?["status"] as? String == "Active")
        #expect(up["etag"] as? String != etag)
        #expect(try await s.send(.PATCH, "/api/incidents/1", #"{"properties": {"severity": "Low"}}"#, headers: [("If-Match", etag)]).0 == 409)
        // Sentinel's rules and bad input: 4xx with a code, never 500.
        #expect(try await s.send(.PATCH, "/api/incidents/1", #"{"properties": {"status": "Closed"}}"#).1.contains("ClassificationRequired"))
        #expect(try await s.send(.PATCH, "/api/incidents/1", #"{"properties": {"colour": "red"}}"#).0 == 400)
        #expect(try await s.send(.PATCH, "/api/incidents/1", "{not json").0 == 400)
        #expect(try await s.send(.PATCH, "/api/incidents/1", #"{"properties": {"severity": "Urgent"}}"#).0 == 400)
        #expect(try await s.send(.PATCH, "/api/incidents/1", String(repeating: "x", count: 300_000)).0 == 413)
        #expect(try await s.get("/api/incidents/99").0 == 404)
        #expect(try await s.get("/api/incidents/abc").0 == 400)
        let close = #"{"properties": {"status": "Closed", "classification": "TruePositive", "classificationReason": "SuspiciousActivity", "classificationComment": "confirmed"}}"#
        let (cs, closed) = try await s.send(.PUT, "/api/incidents/1", close)
        #expect(cs == 200, "\(closed)")
        #expect((s.json(closed)["properties"] as? [String: Any])?["closedTimeUtc"] != nil)

        // Comments.
        let (ps, posted) = try await s.post("/api/incidents/1/comments", #"{"properties": {"message": "Reset bob's password."}}"#)
        #expect(ps == 201)
        let commentID = try #require(s.json(posted)["name"] as? String)
        let comments = s.json(try await s.get("/api/incidents/1/comments").1)["value"] as? [[String: Any]]
        #expect(comments?.contains { ($0["properties"] as? [String: Any])?["message"] as? String == "Reset bob's password." } == true)
        #expect(try await s.send(.DELETE, "/api/incidents/1/comments/\(commentID)").0 == 204)
        #expect(try await s.send(.DELETE, "/api/incidents/1/comments/\(commentID)").0 == 404)
        #expect(try await s.post("/api/incidents/1/comments", #"{"properties": {"message": ""}}"#).0 == 400)

        // The report, the alerts and entities, the audit trail under the token's name.
        let (rs, report) = try await s.get("/api/incidents/1/report?format=html")
        #expect(rs == 200 && report.hasPrefix("<h1>Incident 1: Incident 1</h1>") && report.contains("TruePositive"))
        #expect(try await s.get("/api/incidents/1/report?format=pdf").0 == 400)
        #expect((s.json(try await s.get("/api/incidents/1/alerts").1)["value"] as? [Any])?.count == 1)
        let audit = s.json(try await s.get("/api/incidents/1/audit").1)["value"] as? [[String: Any]] ?? []
        #expect(audit.map { $0["actor"] as? String ?? "" } == ["producer-agent", "token:test-admin", "token:test-admin", "token:test-admin", "token:test-admin"])
        #expect(audit.map { $0["action"] as? String ?? "" } == ["created", "update", "update", "comment", "comment deleted"])
        // SecurityIncident has the change, for KQL.
        let rows = try await s.rows("SecurityIncident | summarize arg_max(TimeGenerated, *) by IncidentNumber | where IncidentNumber == 1 | project Status, Classification, ModifiedBy")
        #expect(rows.first?[0] as? String == "Closed" && rows.first?[1] as? String == "TruePositive" && rows.first?[2] as? String == "token:test-admin")
        // Create by hand, relations, delete.
        let (ns, created0) = try await s.post("/api/incidents", #"{"properties": {"title": "Reported by phone", "severity": "Medium", "owner": {"assignedTo": "alice"}}}"#)
        #expect(ns == 201, "\(created0)")
        let newNumber = try #require((s.json(created0)["properties"] as? [String: Any])?["incidentNumber"] as? Int)
        #expect(newNumber == 4)
        #expect(try await s.post("/api/incidents", #"{"properties": {"title": "no severity"}}"#).0 == 400)
        #expect((s.json(try await s.get("/api/incidents/1/relations").1)["value"] as? [Any])?.count == 1)
        #expect(try await s.send(.DELETE, "/api/incidents/\(newNumber)").0 == 204)
        #expect(try await s.get("/api/incidents/\(newNumber)").0 == 404)
        let (_, again) = try await s.post("/api/incidents", #"{"properties": {"title": "Another", "severity": "Low"}}"#)
        #expect((s.json(again)["properties"] as? [String: Any])?["incidentNumber"] as? Int == 5, "a deleted number is not reused")
        // Tokens over the API: created once with its secret, then usable.
        let (ts, created) = try await s.post("/api/tokens", #"{"name": "soc-bot", "role": "reader", "expiresInDays": 30}"#)
        #expect(ts == 201)
        let secret = try #require(s.json(created)["token"] as? String)
        #expect(try await s.get("/api/incidents", token: secret).0 == 200)
        #expect(try await s.send(.PATCH, "/api/incidents/2", #"{"properties": {"severity": "High"}}"#, token: secret).0 == 403)
        #expect(try await s.send(.DELETE, "/api/tokens/soc-bot").0 == 204)
        #expect(try await s.get("/api/incidents", token: secret).0 == 401)
        #expect(!(try await s.get("/api/tokens").1.contains(secret)))
    }

    /// The CLI against a server (`--server`, `--token`), with the documented exit codes.
    @Test func theCLIWorksAgainstAServerWithItsExitCodes() async throws {
        let s = try await ServeTests.Running()
        defer { Task { await s.stop() } }
        try Self.seed(s.store)
        let token = try TokenStore(store: s.store).create(name: "cli", role: .responder, expires: nil, now: Self.t0).secret
        func vigil(_ args: [String], token t: String? = nil) async throws -> (Int32, String) {
            try await VigilProcess.run(args, environment: ["VIGIL_SERVER": "http://127.0.0.1:\(s.port)", "VIGIL_TOKEN": t ?? token])
        }
        let (l, list) = try await vigil(["incidents", "list", "--format", "json"])
        #expect(l == 0 && list.contains("Incident 3"))
        #expect(try await vigil(["incidents", "update", "2", "--owner", "alice", "--label", "triaged"]).0 == 0)
        #expect(try IncidentStore(store: s.store).get(number: 2)?.owner.assignedTo == "alice")
        #expect(try await vigil(["incidents", "comment", "2", "called the user"]).0 == 0)
        let (closeCode, closeText) = try await vigil(["incidents", "update", "2", "--status", "Closed"])
        #expect(closeCode == 2 && closeText.contains("ClassificationRequired"))
        #expect(try await vigil(["incidents", "show", "99"]).0 == 4)
        #expect(try await vigil(["incidents", "list"], token: "vgl_00000000_bad").0 == 2)
        #expect(try await vigil(["incidents", "update", "2", "--severity", "Urgent"]).0 == 2)
        #expect(try await vigil(["incidents", "list", "--bogus"]).0 == 2)
        let audit = try IncidentStore(store: s.store).audit(incidentID: "00000000-0000-4000-8000-000000000002")
        #expect(audit.map(\.actor).suffix(2) == ["token:cli", "token:cli"])
        // The other capabilities against the server, with an admin token.
        let admin = try TokenStore(store: s.store).create(name: "cli-admin", role: .admin, expires: nil, now: Self.t0).secret
        let dir = NSTemporaryDirectory() + "vigil-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "UserPrincipalName\nceo@contoso.com\n".write(toFile: dir + "/vip.csv", atomically: true, encoding: .utf8)
        try "type,value,threatType\nip,203.0.113.9,Botnet\n".write(toFile: dir + "/ti.csv", atomically: true, encoding: .utf8)
        try TestRules.failedLogons.write(toFile: dir + "/failed.yaml", atomically: true, encoding: .utf8)
        #expect(try await vigil(["watchlists", "add", "vip", dir + "/vip.csv", "--search-key", "UserPrincipalName"], token: admin).1.contains("1 items"))
        #expect(try await vigil(["watchlists", "list"], token: admin).1.contains("vip\t1 items"))
        #expect(try await vigil(["ti", "import", dir + "/ti.csv"], token: admin).1.contains("1 indicators imported"))
        #expect(try await vigil(["rules", "install", dir + "/failed.yaml"], token: admin).1.contains("Failed logons by account"))
        #expect(try await vigil(["rules", "list"], token: admin).1.contains("Failed logons by account"))
        #expect(try await vigil(["rules", "remove", "failed.yaml"], token: admin).0 == 0)
        #expect(try await vigil(["rules", "remove", "failed.yaml"], token: admin).0 == 4)
        let minted = try await vigil(["tokens", "create", "--role", "reader", "--name", "minted"], token: admin)
        #expect(minted.0 == 0 && minted.1.hasPrefix("vgl_"))
        #expect(try await vigil(["tokens", "list"], token: admin).1.contains("minted\treader"))
        #expect(try await vigil(["tokens", "list"]).0 == 2, "a responder cannot list tokens")
        #expect(try await vigil(["watchlists", "remove", "vip"], token: admin).0 == 0)
        let report = try await vigil(["report", "show", "1", "--format", "md"])
        #expect(report.0 == 0 && report.1.hasPrefix("# Incident 1: Incident 1"))
        let triage = try await vigil(["triage", "3"])
        #expect(triage.0 == 0 && triage.1.contains("**Related alerts**"))
    }


    /// Rules, policies, watchlists and threat intelligence through the API, validated on the way in.
    @Test func configurationThroughTheAPI() async throws {
        let s = try await ServeTests.Running()
        defer { Task { await s.stop() } }
        let rule = TestRules.failedLogons
        let (ps, put) = try await s.send(.PUT, "/api/rules/failed-logons", rule, contentType: "application/yaml")
        #expect(ps == 200, "\(put)")
        #expect(put.contains("Failed logons by account"))
        let listed = s.json(try await s.get("/api/rules").1)["value"] as? [[String: Any]] ?? []
        #expect(listed.contains { $0["name"] as? String == "Failed logons by account" && $0["file"] as? String == "failed-logons.yaml" })
        #expect(try await s.get("/api/rules/failed-logons").1.contains("EventID == 4625"))
        let bad = rule.replacingOccurrences(of: "summarize n = count() by Account", with: "summarize n = count() by NoSuchColumn")
        let (bs, bt) = try await s.send(.PUT, "/api/rules/broken", bad, contentType: "application/yaml")
        #expect(bs == 400 && bt.contains("VGR"), "\(bt)")
        #expect(try await s.get("/api/rules/broken").0 == 404)
        #expect(try await s.send(.PUT, "/api/rules/..hidden", rule).0 == 400)
        #expect(try await s.send(.DELETE, "/api/rules/failed-logons").0 == 204)
        #expect(try await s.send(.DELETE, "/api/rules/failed-logons").0 == 404)

        // Policies: validated, versioned, audited.
        let policy = try await s.get("/api/policies/review").1
        #expect(policy.contains("version: 6"))
        let next = policy.replacingOccurrences(of: "version: 6", with: "version: 7")
        let (vs, vt) = try await s.send(.PUT, "/api/policies/review", next, contentType: "application/yaml")
        #expect(vs == 200 && vt.contains("v7"), "\(vt)")
        #expect(try await s.send(.PUT, "/api/policies/review", next).0 == 400)
        #expect(try await s.send(.PUT, "/api/policies/review", "version: 7\nrules: [{name: x, when: {field: colour, op: eq, value: red}, then: approve}]").0 == 400)
        #expect(try await s.get("/api/policies/nope").0 == 404)

        // Watchlists, then usable from KQL.
        let csv = "UserPrincipalName,Title\nceo@contoso.com,CEO\ncfo@contoso.com,CFO\n"
        #expect(try await s.send(.PUT, "/api/watchlists/vip?searchKey=UserPrincipalName&name=VIPs", csv, contentType: "text/csv").0 == 200)
        #expect(try await s.send(.PUT, "/api/watchlists/vip", csv, contentType: "text/csv").0 == 400)
        #expect((s.json(try await s.get("/api/watchlists").1)["value"] as? [[String: Any]])?.first?["items"] as? Int == 2)
        #expect(try await s.rows("_GetWatchlist('vip') | count").first?.first as? Int == 2)
        #expect(try await s.send(.DELETE, "/api/watchlists/vip").0 == 204)

        // Threat intelligence: STIX 2.1 and CSV; an unsupported pattern is reported, not fatal.
        let stix = """
        {"type": "bundle", "id": "bundle--1", "objects": [
          {"type": "indicator", "id": "indicator--a", "pattern": "[ipv4-addr:value = '185.220.101.45']", "pattern_type": "stix", "valid_from": "2024-06-01T00:00:00Z",
           "valid_until": "2030-01-01T00:00:00Z", "confidence": 80, "indicator_types": ["malicious-activity"], "name": "Tor exit"},
          {"type": "indicator", "id": "indicator--b", "pattern": "[domain-name:value = 'evil.example']", "pattern_type": "stix", "valid_from": "2024-06-01T00:00:00Z"},
          {"type": "indicator", "id": "indicator--c", "pattern": "[process:name = 'x']", "pattern_type": "stix", "valid_from": "2024-06-01T00:00:00Z"},
          {"type": "malware", "id": "malware--d", "name": "ignored"}]}
        """
        let (ts, tt) = try await s.post("/api/threatintelligence", stix)
        #expect(ts == 200, "\(tt)")
        #expect(s.json(tt)["imported"] as? Int == 2 && (s.json(tt)["skipped"] as? [String])?.first?.contains("indicator--c") == true)
        let (cs, ct) = try await s.post("/api/threatintelligence", "type,value,threatType,confidence\nurl,http://104.21.33.7/a.exe,MaliciousUrl,70\nbogus,x,y,1\n", contentType: "text/csv")
        #expect(cs == 200 && s.json(ct)["imported"] as? Int == 1, "\(ct)")
        let ti = try await s.rows("ThreatIntelligenceIndicator | summarize ips = countif(NetworkIP != ''), domains = countif(DomainName != ''), urls = countif(Url != '')")
        #expect(ti.first?.compactMap { $0 as? Int } == [1, 1, 1])
        let audit = try IncidentStore(store: s.store).auditCount(actor: "token:test-admin", action: "policy", since: 0)
        #expect(audit == 1)
    }

    /// Sign-in sets a strict, HttpOnly session and sends the browser on only within the site.
    @Test func signInSetsAStrictSessionAndRedirectsOnlyWithinTheSite() async throws {
        let s = try await ServeTests.Running()
        defer { Task { await s.stop() } }
        let token = try TokenStore(store: s.store).create(name: "web", role: .reader, expires: nil, now: Self.t0).secret
        // A client that shows redirects instead of following them.
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = client.shutdown() }
        func signIn(next: String) async throws -> (Int, String?, String?) {
            var req = HTTPClientRequest(url: "http://127.0.0.1:\(s.port)/login")
            req.method = .POST
            req.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            req.body = .bytes(ByteBuffer(string: "token=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"))
            let resp = try await client.execute(req, timeout: .seconds(10))
            return (Int(resp.status.code), resp.headers.first(name: "Location"), resp.headers.first(name: "Set-Cookie"))
        }
        let (status, location, cookie) = try await signIn(next: "/incidents/2")
        #expect(status == 303 && location == "/incidents/2")
        #expect(cookie?.contains("HttpOnly") == true && cookie?.contains("SameSite=Strict") == true)
        for evil in ["//evil.example", "/\\evil.example", "https://evil.example"] {
            #expect(try await signIn(next: evil).1 == "/incidents", "\(evil)")
        }
        // Without a session the pages send the browser to sign in.
        let page = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(s.port)/incidents"), timeout: .seconds(10))
        #expect(page.status.code == 303 && page.headers.first(name: "Location")?.hasPrefix("/login?next=") == true)
    }
}
