import AsyncHTTPClient
import NIOHTTP1
import VigilCore
import Foundation
import Testing
import VigilApp
import VigilStore

/// Custom tables and workspace functions through the API (contributor role) and the CLI against a server.
@Suite(.serialized) struct CatalogAPITests {
    static let parser = """
        Parser:
          Title: Failed sign-ins
        ParserName: FailedSignins
        EquivalentBuiltInParser: _Im_FailedSignins
        ParserParams:
          - Name: minfailures
            Type: long
            Default: 1
        ParserQuery: |
          SigninLogs
          | where ResultType != '0'
          | summarize Failures = count() by UserPrincipalName
          | where Failures >= minfailures
        """

    @Test func tablesAndFunctionsThroughTheAPI() async throws {
        let s = try await ServeTests.Running()
        defer { Task { await s.stop() } }
        let reader = try TokenStore(store: s.store).create(name: "reader", role: .reader, expires: nil, now: 0).secret

        // Custom tables: declared, listed, ingested with warnings for undeclared fields, dropped.
        let cols = #"[{"name": "Src", "type": "string"}, {"name": "Bytes", "type": "long"}]"#
        #expect(try await s.send(.PUT, "/api/tables/Proxy_CL", cols, token: reader).0 == 403)
        let (cs, ct) = try await s.send(.PUT, "/api/tables/Proxy_CL", cols)
        #expect(cs == 201, "\(ct)")
        #expect(try await s.send(.PUT, "/api/tables/Proxy_CL", cols).0 == 409)
        #expect(try await s.send(.PUT, "/api/tables/NoSuffix", cols).0 == 400)
        #expect(try await s.send(.PUT, "/api/tables/Bad_CL", #"[{"name": "x", "type": "colour"}]"#).0 == 400)
        let table = s.json(try await s.get("/api/tables/Proxy_CL", token: reader).1)
        #expect(table["kind"] as? String == "custom (declared)")
        #expect((table["columns"] as? [[String: Any]])?.compactMap { $0["name"] as? String }.prefix(3) == ["TimeGenerated", "Src", "Bytes"])
        let (is_, it) = try await s.post("/api/ingest/Proxy_CL", #"{"Src": "10.0.0.1", "Bytes": 5, "Extra": "x"}"#)
        #expect(is_ == 200 && s.json(it)["accepted"] as? Int == 1 && (s.json(it)["warnings"] as? Int ?? 0) >= 1, "\(it)")
        #expect(try await s.rows("Proxy_CL | project Src, Bytes").first.map { "\($0)" } == #"["10.0.0.1", 5]"#)
        let all = s.json(try await s.get("/api/tables?all=true").1)["value"] as? [[String: Any]] ?? []
        #expect(all.count >= 240 && all.contains { $0["name"] as? String == "Okta_CL" && $0["kind"] as? String == "connector" })
        #expect(try await s.send(.DELETE, "/api/tables/SecurityEvent").0 == 400)
        #expect(try await s.send(.DELETE, "/api/tables/Proxy_CL", token: reader).0 == 403)
        #expect(try await s.send(.DELETE, "/api/tables/Proxy_CL").0 == 204)
        #expect(try await s.get("/api/tables/Proxy_CL").0 == 404)

        // Functions: a parser file as it is, then callable from a query with its parameter.
        #expect(try await s.send(.PUT, "/api/functions/FailedSignins?file=FailedSignins.yaml", Self.parser, contentType: "application/yaml", token: reader).0 == 403)
        let (fs, ft) = try await s.send(.PUT, "/api/functions/FailedSignins?file=FailedSignins.yaml", Self.parser, contentType: "application/yaml")
        #expect(fs == 200, "\(ft)")
        _ = try await s.post("/api/ingest/SigninLogs", #"[{"TimeGenerated": "2024-06-20T00:00:00Z", "UserPrincipalName": "a@x", "ResultType": "50126"}, {"TimeGenerated": "2024-06-20T00:00:01Z", "UserPrincipalName": "a@x", "ResultType": "50126"}]"#)
        #expect(try await s.rows("FailedSignins(minfailures=2) | project UserPrincipalName, Failures").first.map { "\($0)" } == #"["a@x", 2]"#)
        #expect(try await s.rows("_Im_FailedSignins | count").first?.first as? Int == 1)
        let f = s.json(try await s.get("/api/functions/_Im_FailedSignins", token: reader).1)
        #expect(f["name"] as? String == "FailedSignins" && f["origin"] as? String == "workspace")
        let listed = s.json(try await s.get("/api/functions").1)["value"] as? [[String: Any]] ?? []
        #expect(listed.contains { $0["name"] as? String == "imAuthentication" && $0["origin"] as? String == "built-in" })
        let (bs, bt) = try await s.send(.PUT, "/api/functions/Broken", "SigninLogs | where (", contentType: "text/plain")
        #expect(bs == 400 && bt.contains("does not parse"), "\(bt)")
        let (js, jt) = try await s.send(.PUT, "/api/functions/Recent", #"{"body": "SigninLogs | where TimeGenerated > ago(d)", "parameters": [{"name": "d", "type": "timespan", "defaultValue": "1d"}]}"#)
        #expect(js == 200, "\(jt)")
        #expect(try await s.send(.DELETE, "/api/functions/imAuthentication").0 == 400, "a built-in parser is replaced, not removed")
        #expect(try await s.send(.DELETE, "/api/functions/FailedSignins").0 == 204)
        #expect(try await s.get("/api/functions/_Im_FailedSignins").0 == 404)
        let (us, ut) = try await s.post("/api/query", #"{"query": "SigninLog | take 1"}"#)
        #expect(us == 400 && ut.contains("did you mean"), "\(ut)")
    }

    /// `vigil functions` and `vigil tables` against the server, as an operator would use them.
    @Test func theCLIManagesFunctionsAndTablesOnAServer() async throws {
        let s = try await ServeTests.Running()
        defer { Task { await s.stop() } }
        let dir = NSTemporaryDirectory() + "vigil-cat-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/parsers", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.parser.write(toFile: dir + "/parsers/FailedSignins.yaml", atomically: true, encoding: .utf8)
        try "// Function Alias must be set to - RecentAudit\nAuditLogs | where TimeGenerated > ago(1d)\n".write(toFile: dir + "/parsers/recent.txt", atomically: true, encoding: .utf8)
        try "ParserName: Broken\nParserQuery: |\n  SigninLogs | where (\n".write(toFile: dir + "/parsers/broken.yaml", atomically: true, encoding: .utf8)
        try #"[{"name": "Host", "type": "string"}, {"name": "Port", "type": "int"}]"#.write(toFile: dir + "/cols.json", atomically: true, encoding: .utf8)
        try #"{"Host": "a", "Port": 1, "Seen": "2024-06-20T00:00:00Z"}"#.write(toFile: dir + "/sample.json", atomically: true, encoding: .utf8)
        func vigil(_ args: [String]) async throws -> (Int32, String) {
            try await VigilProcess.run(args, environment: ["VIGIL_SERVER": "http://127.0.0.1:\(s.port)", "VIGIL_TOKEN": s.token!])
        }
        let (ic, it) = try await vigil(["functions", "install", dir + "/parsers"])
        #expect(ic == 0 && it.contains("2 functions installed from 3 files") && it.contains("broken.yaml:3:"), "\(it)")
        #expect(try await vigil(["functions", "list", "--workspace-only"]).1.contains("RecentAudit"))
        let (sc, st) = try await vigil(["functions", "show", "_Im_FailedSignins"])
        #expect(sc == 0 && st.contains("let FailedSignins = (minfailures:long=1) {"), "\(st)")
        #expect(try await vigil(["functions", "remove", "RecentAudit"]).0 == 0)
        #expect(try await vigil(["functions", "remove", "RecentAudit"]).0 == 4)
        let (tc, tt) = try await vigil(["tables", "create", "Ports_CL", "--schema", dir + "/cols.json"])
        #expect(tc == 0 && tt.contains("Port: int"), "\(tt)")
        let (ic2, it2) = try await vigil(["tables", "create", "Seen_CL", "--schema", dir + "/sample.json"])
        #expect(ic2 == 0 && it2.contains("inferred") && it2.contains("Seen: datetime"), "\(it2)")
        #expect(try await vigil(["tables", "list", "--all"]).1.contains("Ports_CL"))
        #expect(try await vigil(["tables", "show", "Ports_CL"]).1.contains("Host: string"))
        #expect(try await vigil(["tables", "drop", "Ports_CL"]).0 == 0)
        #expect(try await vigil(["tables", "drop", "SecurityEvent"]).0 == 2)
        #expect(try await vigil(["tables", "create", "nope", "--schema", dir + "/cols.json"]).0 == 2)
    }
}
