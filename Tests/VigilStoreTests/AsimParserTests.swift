import Foundation
import KQL
import Testing
import VigilApp
import VigilStore

/// Sentinel's parser files, unchanged, as workspace functions: all 295 are installed (or reported with
/// their line), and every ASIM unifying parser runs with its parameters over the sample logs of the
/// tables its source parsers read, returning the normalized columns of its schema.
@Suite(.serialized) struct AsimParserTests {
    static var parsers: URL { TestWorkspace.samples.deletingLastPathComponent().appendingPathComponent("sentinel-parsers") }

    /// The sample logs the ASIM source parsers read, by table.
    static let samples: [(String, String?)] = [
        ("sign-in_adelete.csv", "SigninLogs"), ("disable_accounts.csv", "SigninLogs"), ("RiskIQ_scenrio.json", "SecurityEvent"),
        ("Okta_CL.json", nil), ("WatchGuardFirebox_syslog_data.csv", nil), ("VMwareESXi.json", nil), ("PulseConnectSecure.json", nil),
        ("CiscoISEEvent.json", nil), ("CiscoWSA.json", nil), ("OpenVPN.txt", "Syslog"), ("SonicWallFirewall_Query_Data.csv", nil),
        ("illusive.csv", nil), ("barracudaWAFCEF.txt", "CommonSecurityLog"), ("CitrixADC.txt", "CommonSecurityLog"),
        ("Cisco_Umbrella_proxy_CL.json", nil), ("SemperisDirectoryServicesProtector.json", nil), ("AuditLogs_Hunting.csv", "AuditLogs"),
    ]

    /// One workspace for the suite: the samples ingested and every parser file installed.
    nonisolated(unsafe) static let workspace: Result<(TestWorkspace, LogStore, FunctionInstaller.Outcome), any Error> = Result {
        let ws = try TestWorkspace()
        let store = try ws.store()
        for (file, table) in samples { _ = try store.ingestFile(TestWorkspace.samples.appendingPathComponent(file).path, table: table) }
        let outcome = try FunctionInstaller.install([parsers.path], into: store, by: "test")
        return (ws, store, outcome)
    }

    struct QueryFailed: Error, CustomStringConvertible { var description: String }

    func run(_ store: LogStore, _ q: String) -> Result<Table, QueryFailed> {
        switch QueryRunner(provider: store, now: TestWorkspace.now).run(q) {
        case .success(let r, _): return .success(r.last?.table ?? Table.empty(Schema([])))
        case .failure(_, let m): return .failure(QueryFailed(description: m))
        }
    }

    @Test func everyParserFileInstallsOrIsReportedWithItsLine() throws {
        let (_, store, outcome) = try Self.workspace.get()
        #expect(outcome.files == 295)
        // The four that cannot be functions, each with file:line and why: two sample datasets whose
        // file names are not names, a file of comments only, and a parser missing a comma in Sentinel's repository.
        #expect(outcome.problems.count == 4, "\(outcome.problems)")
        #expect(outcome.problems.contains { $0.hasPrefix("Parsers/Duo Security/DuoSecurityTrustMonitor.txt:56: the query does not parse") })
        #expect(outcome.problems.contains { $0.hasPrefix("Parsers/AzureFirewall/AzureFirewallDnsProxy.kql:1: the function body does not end with a query") })
        #expect(outcome.installed.count + outcome.problems.count >= 280)
        // Solutions' aliases come from their header comments.
        for alias in ["CiscoDuo", "SentinelOne", "afad_parser", "CiscoMeraki", "SymantecVIP", "GCP_IAM", "TeamsData", "GitHubAudit"] {
            #expect(store.storedFunction(named: alias) != nil, "no function \(alias)")
        }
    }

    /// The unifying parsers, by schema, with a call that uses their filtering parameters.
    static let unifying: [(String, String, String)] = [
        ("Authentication", "imAuthentication", "imAuthentication(starttime=datetime(2019-01-01), endtime=now(), targetusername_has='adele')"),
        ("Authentication", "_Im_Authentication", "_Im_Authentication(disabled=false)"),
        ("Authentication", "ASimAuthentication", "ASimAuthentication"),
        ("Dns", "imDns", "imDns(srcipaddr='10.0.0.1', domain_has_any=dynamic(['contoso.com']), responsecodename='NXDOMAIN', eventtype='Query')"),
        ("Dns", "_Im_Dns", "_Im_Dns(starttime=ago(30d), endtime=now())"),
        ("Dns", "ASimDns", "ASimDns"),
        ("NetworkSession", "imNetworkSession", "imNetworkSession(srcipaddr_has_any_prefix=dynamic(['10.']), dstportnumber=443, hostname_has_any=dynamic(['srv']), dvcaction=dynamic(['Allow']), eventresult='Success')"),
        ("NetworkSession", "_Im_NetworkSession", "_Im_NetworkSession(starttime=ago(7d))"),
        ("NetworkSession", "ASimNetworkSession", "ASimNetworkSession"),
        ("ProcessEvent", "imProcessCreate", "imProcessCreate"),
        ("ProcessEvent", "imProcessTerminate", "imProcessTerminate"),
        ("ProcessEvent", "imProcess", "imProcess"),
        ("ProcessEvent", "ASimProcessEvent", "ASimProcessEvent"),
        ("FileEvent", "imFileEvent", "imFileEvent"),
        ("RegistryEvent", "imRegistry", "imRegistry"),
        ("WebSession", "imWebSession", "imWebSession(url_has_any=dynamic(['contoso']), httpuseragent_has_any=dynamic(['curl']), eventresultdetails_in=dynamic(['403']), eventresult='Failure')"),
        ("WebSession", "_Im_WebSession", "_Im_WebSession(starttime=ago(1d), endtime=now(), srcipaddr_has_any_prefix=dynamic(['10.1.']))"),
        ("WebSession", "ASimWebSession", "ASimWebSession"),
    ]

    /// Columns every ASIM parser of 2022 returns, plus each schema's own mandatory fields
    /// (`ASimTester.csv`, minus fields the schema added after this snapshot of the parsers).
    static let common = ["TimeGenerated", "EventCount", "EventStartTime", "EventEndTime", "EventType", "EventResult", "EventProduct", "EventVendor",
                         "EventSchemaVersion", "Dvc"]
    static let bySchema: [String: [String]] = [
        "Authentication": ["TargetUsername", "SrcIpAddr", "LogonMethod", "EventResultDetails"],
        "Dns": ["SrcIpAddr", "DnsQuery", "DnsResponseCodeName", "DnsQueryTypeName"],
        "NetworkSession": ["SrcIpAddr", "DstIpAddr", "DstPortNumber", "NetworkProtocol", "DvcAction"],
        "ProcessEvent": ["TargetProcessName", "TargetProcessCommandLine", "ActingProcessName", "ActorUsername", "DvcHostname"],
        "FileEvent": ["TargetFilePath", "TargetFileName"],
        // 2022's registry schema (0.1) had no EventResult.
        "RegistryEvent": ["RegistryKey", "RegistryValue", "RegistryValueData", "ActorUsername"],
        "WebSession": ["Url", "SrcIpAddr", "HttpUserAgent", "EventResultDetails"],
    ]

    @Test(arguments: unifying.map { $0.1 })
    func unifyingParserRunsOverTheSamples(_ name: String) throws {
        let (_, store, _) = try Self.workspace.get()
        let (schema, _, call) = Self.unifying.first { $0.1 == name }!
        for q in [name, call, "\(name) | where TimeGenerated > ago(3650d) | summarize count() by EventProduct"] {
            switch run(store, q) {
            case .failure(let e): Issue.record("\(q): \(e)")
            case .success(let t):
                if q == name || q == call {
                    let expected = Self.common.filter { schema != "RegistryEvent" || $0 != "EventResult" } + Self.bySchema[schema]!
                    let missing = expected.filter { t.schema.index(of: $0) == nil }
                    #expect(missing.isEmpty, "\(q) lacks \(missing)")
                }
            }
        }
    }

    @Test func parsersReturnRowsFromTheSamples() throws {
        let (_, store, _) = try Self.workspace.get()
        // AAD sign-ins (SigninLogs) and Windows logons (SecurityEvent 4624) are authentication events.
        let auth = try run(store, "imAuthentication | summarize n = count() by EventProduct | order by EventProduct asc").get()
        #expect(auth.rows.contains { $0.first == Value.string("AAD") && ($0.last.map { $0 != Value.long(0) } ?? false) }, "\(auth.rows)")
        // SecurityEvent 4688 is a process creation.
        let proc = try run(store, "imProcessCreate | summarize n = count() by EventType, EventProduct").get()
        #expect(proc.rows.contains { ($0.last.map { $0 != Value.long(0) } ?? false) }, "\(proc.rows)")
        // Filtering parameters reach the source parsers: a time window before the samples returns nothing.
        let none = try run(store, "imAuthentication(starttime=datetime(2000-01-01), endtime=datetime(2000-01-02)) | count").get()
        #expect(none.rows == [[Value.long(0)]])
    }

    @Test func aFunctionThatCallsItselfIsAnErrorNotAHang() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        try store.installFunctions([WorkspaceFunction(name: "Loop", body: "Loop | take 1"),
                                    WorkspaceFunction(name: "PingA", body: "PingB"), WorkspaceFunction(name: "PingB", body: "PingA | where true")], by: "test")
        for q in ["Loop", "PingA | count", "print x = 1 | join (PingB) on $left.x == $right.x"] {
            guard case .failure(let e) = run(store, q) else { Issue.record("\(q) ran"); continue }
            #expect(e.description.contains("KQL2012") && e.description.contains("calls itself"), "\(e)")
        }
    }
}
