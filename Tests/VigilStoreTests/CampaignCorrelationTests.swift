import Agents
import Detection
import Foundation
import Ingestion
import KQL
import Testing
import VigilApp
import VigilCore
import VigilStore

/// The shipped pack over one intrusion as Windows records it: a password spray from one box against
/// the DC, Kerberoasting from the same box by the account that fell, then commands over WinRM on a
/// server as that account. The rules' entity mappings must line up so the producer makes one
/// multi-stage incident naming the attacker's address, the account and both hosts.
@Suite struct CampaignCorrelationTests {
    static func events() -> String {
        var lines: [String] = []
        for i in 0..<14 {
            lines.append(#"{"TimeGenerated":"2024-06-21T01:10:\#(String(format: "%02d", i))Z","EventID":4625,"Computer":"DC-01.contoso.local","TargetUserName":"user\#(i)","TargetDomainName":"CONTOSO","LogonType":3,"IpAddress":"10.0.5.20","Status":"0xc000006d","SubStatus":"0xc000006a"}"#)
        }
        for s in ["svc_sql", "svc_web", "svc_backup"] {
            lines.append(#"{"TimeGenerated":"2024-06-21T02:05:00Z","EventID":4769,"Computer":"DC-01.contoso.local","TargetUserName":"eve@CONTOSO.LOCAL","ServiceName":"\#(s)","IpAddress":"::ffff:10.0.5.20","Status":"0x0","EventData":"<EventData><Data Name=\"TicketEncryptionType\">0x17</Data></EventData>"}"#)
        }
        for c in ["whoami /all", "net group \\\"domain admins\\\" /domain"] {
            lines.append(#"{"TimeGenerated":"2024-06-21T03:20:00Z","EventID":4688,"Computer":"SRV-09.contoso.local","Account":"CONTOSO\\eve","NewProcessName":"C:\\Windows\\System32\\\#(c.hasPrefix("whoami") ? "whoami" : "net").exe","ParentProcessName":"C:\\Windows\\System32\\wsmprovhost.exe","CommandLine":"\#(c)"}"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func sprayKerberoastWinRMBecomeOneIncident() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        let bytes = Array(Self.events().utf8)
        let summary = try bytes.withUnsafeBufferPointer { try store.ingest($0, source: "campaign", format: .json, table: "SecurityEvent") }
        #expect(summary.accepted == 19)
        let now = DateTimeParser.parse("2024-06-21T05:00:00Z")!
        let rules = try DetectReplay.loadRules(BuiltInRulePack.directory!.path, validator: RuleValidator(catalog: store, now: now)) { Issue.record("skipped \($0)") }
        let replay = DetectReplay(store: store, rules: rules, delay: 0)
        let result = replay.run(from: DateTimeParser.parse("2024-06-21T01:00:00Z")!, to: now)
        let fired = Set(result.alerts.compactMap { a in rules.first { $0.id == AlertRecords.fromAlertRow(a.row)?.ruleID }?.name })
        #expect(fired.isSuperset(of: ["Password spray against Windows accounts", "Kerberoasting (RC4 service tickets for user accounts)", "Command run on a host over WinRM"]),
                "\(fired)")
        let records = result.alerts.compactMap { AlertRecords.fromAlertRow($0.row) }
        let incidents = try IncidentPipeline(store: store, rules: rules).process(records, now: now).incidents
        let campaign = incidents.max { $0.alerts.count < $1.alerts.count }
        #expect(campaign?.alerts.count == records.count, "\(incidents.map { ($0.title, $0.alerts.map(\.name)) })")
        #expect(campaign?.title.hasPrefix("Multi-stage incident") == true)
        let keys = Set(campaign?.entities.map(\.key) ?? [])
        #expect(keys.isSuperset(of: ["ip:10.0.5.20", "account:contoso\\eve", "host:dc-01", "host:srv-09"]), "\(keys)")
    }
}
