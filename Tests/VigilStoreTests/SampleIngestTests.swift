import Foundation
import Ingestion
import KQL
import Testing
import VigilApp
import VigilStore

/// Real sample files through the whole path: `ingestFile` into a workspace, then KQL over the store.
/// Golden files pin the stored rows; `UPDATE_GOLDENS=1 swift test` rewrites them after a reviewed change.
@Suite struct SampleIngestTests {
    static let goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")

    func query(_ store: LogStore, _ q: String) throws -> [ResultTable] {
        switch QueryRunner(provider: store, now: TestWorkspace.now).run(q) {
        case .success(let r, _): return r
        case .failure(_, let m): Issue.record("query failed: \(m)"); throw CancellationError()
        }
    }

    func golden(_ name: String, _ text: String) throws {
        let url = Self.goldens.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldens, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let want = try String(contentsOf: url, encoding: .utf8)
        #expect(text == want, "golden \(name) differs; run with UPDATE_GOLDENS=1 to rewrite after review")
    }

    /// Files and their tables; RiskIQ's rows carry no `Type`, so its table is named as `--table` would.
    @Test(arguments: [
        ("barracudaWAFCEF.txt", "CommonSecurityLog"), ("OpenVPN.txt", "Syslog"), ("office_activity_inbox_rule.csv", "OfficeActivity"),
        ("Okta_CL.json", "Okta_CL"), ("WatchGuardFirebox_syslog_data.csv", "Syslog"), ("RiskIQ_scenrio.json", "SecurityEvent!"),
        ("CitrixADC.txt", "CommonSecurityLog"),
    ])
    func storedRowsMatchGolden(file: String, tableSpec: String) throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        let table = tableSpec.hasSuffix("!") ? String(tableSpec.dropLast()) : tableSpec
        let s = try store.ingestFile(TestWorkspace.samples.appendingPathComponent(file).path, table: tableSpec.hasSuffix("!") ? table : nil)
        #expect(s.table == table)
        #expect(s.skipped == 0)
        // Only the columns the file set, in schema order: the dump stays readable.
        let cols = try store.scan(table, request: ScanRequest()).schema.columns.map(\.name)
        let present = try cols.filter { c in
            let t = try store.scan(table, request: ScanRequest(columns: [c]))
            return (0..<t.count).contains { !t.columns[0].value(at: $0).isNull && t.columns[0].value(at: $0) != .string("") }
        }
        let r = try query(store, "\(table) | order by TimeGenerated asc | take 4 | project \(present.map { "['\($0)']" }.joined(separator: ", "))")
        let name = file.replacingOccurrences(of: ".", with: "_") + ".ndjson"
        let types = r[0].table.schema.columns.map { "\($0.name):\($0.type.rawValue)" }.joined(separator: " ")
        try golden(name, "# \(s.accepted) rows accepted; columns \(types)\n" + ResultFormatter.render(r, as: .ndjson))
    }

    @Test func missionQueriesRunOnIngestedSamples() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        _ = try store.ingestFile(TestWorkspace.samples.appendingPathComponent("sign-in_adelete.csv").path, table: "SigninLogs")
        _ = try store.ingestFile(TestWorkspace.samples.appendingPathComponent("RiskIQ_scenrio.json").path, table: "SecurityEvent")
        let signin = "SigninLogs | summarize FailedLogins = countif(ResultType != \"0\"), UniqueIPs = dcount(IPAddress) by UserPrincipalName"
        let all = try query(store, signin)[0].table
        #expect(all.rows == [[.string("adelev@m365x816222.onmicrosoft.com"), .long(3), .long(1)]])
        // The mission's threshold (more than three failures) keeps nobody in this sample.
        #expect(try query(store, signin + " | where FailedLogins > 3")[0].table.count == 0)
        let logons = "SecurityEvent | where EventID == 4625 | summarize FailedAttempts = count() by Account | where FailedAttempts > 5 | extend AnomalyScore = log(FailedAttempts)"
        let r = try query(store, logons)[0].table
        #expect(r.schema.names == ["Account", "FailedAttempts", "AnomalyScore"])
        #expect(r.count == 0)
        let ok = try query(store, "SecurityEvent | where EventID == 4624 | summarize Logons = count() by Account | order by Account asc")[0].table
        #expect(ok.rows == [[.string("contoso\\benjamin"), .long(1)], [.string("contoso\\kdickens"), .long(1)]])
        // ingestion_time() reads the stored _IngestionTime.
        let it = try query(store, "SecurityEvent | summarize min(ingestion_time()), max(ingestion_time())")[0].table
        #expect(it.rows == [[.datetime(TestWorkspace.now), .datetime(TestWorkspace.now)]])
    }

    @Test func customTableColumnsStayStableAcrossIngests() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        func ingest(_ text: String) throws -> LogStore.IngestSummary {
            var b = Array(text.utf8)
            return try b.withUnsafeMutableBufferPointer { try store.ingest(UnsafeBufferPointer($0), source: "inline.json", table: "App_CL") }
        }
        _ = try ingest("{\"Count\": 5, \"User\": \"a\"}\n")
        let second = try ingest("{\"Count\": \"lots\", \"User\": \"b\", \"NewField\": true}\n")
        #expect(second.warnings == 1)
        #expect(second.diagnostics.first?.column == "Count")
        let reopened = try ws.store()
        let schema = reopened.schema(of: "App_CL")!
        #expect(schema.columns.first { $0.name == "Count" }?.type == .long)
        #expect(schema.columns.first { $0.name == "NewField" }?.type == .bool)
        let t = try query(reopened, "App_CL | order by User asc | project User, Count, NewField")[0].table
        #expect(t.rows == [[.string("a"), .long(5), .null], [.string("b"), .null, .bool(true)]])
    }
}
