import Foundation
import Ingestion
import KQL
import Testing
import VigilApp
import VigilStore

/// The demo's data: the same bytes on every machine, every row accepted by ingest, the attacks in it.
@Suite struct DemoDatasetTests {
    @Test func theDatasetIsDeterministicCleanAndHoldsTheAttacks() throws {
        var a = DemoDataset(), b = DemoDataset()
        let x = a.generate(), y = b.generate()
        #expect(x.securityEvent == y.securityEvent && x.signinLogs == y.signinLogs && x.vipWatchlist == y.vipWatchlist)

        let path = NSTemporaryDirectory() + "vigil-demo-data-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try LogStore(workspace: Workspace.open(path))
        for (table, text, format) in [("SecurityEvent", x.securityEvent, LogFormat.csv), ("SigninLogs", x.signinLogs, .csv), ("ThreatIntelligenceIndicator", x.threatIntelligence, .json)] {
            let bytes = Array(text.utf8)
            let s = try bytes.withUnsafeBufferPointer { try store.ingest($0, source: table, format: format, table: table) }
            #expect(s.skipped == 0 && s.warnings == 0, "\(table): \(s.diagnostics.prefix(3))")
        }
        func count(_ q: String) -> Int64? {
            guard case .success(let r, _) = QueryRunner(provider: store, now: DemoDataset.end).run(q), let t = r.first?.table, t.count == 1 else { return nil }
            return t.columns[0].value(at: 0).asInt64
        }
        #expect(count("SecurityEvent | count") == 150_329)
        #expect(count("SecurityEvent | where IpAddress == '185.220.101.45' and EventID == 4625 | count") == 300)
        #expect(count("SigninLogs | where IPAddress startswith '45.137.22.' and ResultType == '50126' | summarize dcount(UserPrincipalName)") == 250)
        #expect(count("SigninLogs | where UserPrincipalName == 'user00998@contoso.com' and Location == 'RU' | count") == 1)
        #expect(count("SecurityEvent | where CommandLine has '-enc' and Computer startswith 'WS-00119' | count") == 4)
        #expect(count("ThreatIntelligenceIndicator | where NetworkIP == '185.220.101.45' | count") == 1)
        #expect(count("SecurityEvent | summarize min(TimeGenerated) | extend d = datetime_diff('day', datetime(2024-06-30), min_TimeGenerated) | project d") == 30)
    }
}
