import Foundation
import Ingestion
import KQL
import Testing
import VigilApp
import VigilStore

/// The catalog a new workspace knows, custom tables declared ahead of data, and workspace functions.
@Suite struct CatalogTests {
    func run(_ store: LogStore, _ q: String) -> Result<Table, AsimParserTests.QueryFailed> {
        switch QueryRunner(provider: store, now: TestWorkspace.now).run(q) {
        case .success(let r, _): return .success(r.last?.table ?? Table.empty(Schema([])))
        case .failure(_, let m): return .failure(AsimParserTests.QueryFailed(description: m))
        }
    }

    @Test func aNewWorkspaceKnowsSentinelsTablesEmpty() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        #expect(store.tableNames().count >= 240)
        for q in ["SecurityEvent | count", "Okta_CL | where eventType_s == 'x' | count", "AWSVPCFlow | count", "Cisco_Umbrella | count",
                  "GSuite_ReportsAPI_login_CL | count", "union isfuzzy=true Tenable_ad_CL, SentinelOne_CL | count"] {
            #expect(try run(store, q).get().rows == [[Value.long(0)]], "\(q)")
        }
        // Connector tables carry the columns every custom log has.
        #expect(store.schema(of: "Okta_CL")?.index(of: "TimeGenerated") != nil)
        #expect(store.schema(of: "Okta_CL")?.index(of: "RawData") != nil)
    }

    @Test func defenderAndAzureMonitorTablesSentinelContentReadsAreKnown() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        #expect(store.tableNames().count >= 300)
        for q in ["CloudAppEvents | where ActionType == 'FileDownloaded' and IsAdminOperation | summarize count() by AccountObjectId | count",
                  "IdentityLogonEvents | where LogonType == 'Failed logon' | project AccountUpn, IPAddress, Timestamp | count",
                  "AlertInfo | join kind=inner AlertEvidence on AlertId | where EntityType == 'Ip' | count",
                  "AADUserRiskEvents | where RiskLevel == 'high' | project UserPrincipalName, Location.city | count",
                  "ThreatIntelIndicators | where ObservableKey == 'ipv4-addr:value' and IsActive | count",
                  "AADManagedIdentitySignInLogs | where ResultType == '0' | project ServicePrincipalName | count",
                  "AZFWNetworkRule | where Action == 'Deny' | summarize by SourceIp, DestinationPort | count",
                  "ASimNetworkSessionLogs | where DstPortNumber == 3389 | count"] {
            #expect(try run(store, q).get().rows == [[Value.long(0)]], "\(q)")
        }
        // A built-in table's schema is fixed: a query naming a column it lacks does not bind.
        guard case .failure = run(store, "CloudAppEvents | project NoSuchColumn") else { Issue.record("an unknown column bound"); return }
    }

    /// Hunting queries read columns Azure Monitor added after the shared snapshot (a sign-in's ASN and
    /// protocol, Defender's version-info columns, AzureActivity's legacy names): they bind, and the
    /// snapshot's own columns keep their types.
    @Test func snapshotTablesHaveTheColumnsAzureMonitorListsToday() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        for q in ["SigninLogs | where AuthenticationProtocol == 'deviceCode' | project AutonomousSystemNumber, CrossTenantAccessType, UniqueTokenIdentifier | count",
                  "AADNonInteractiveUserSignInLogs | project AutonomousSystemNumber, SignInEventTypes | count",
                  "AzureActivity | where OperationName has 'delete' | project ResourceProvider, ActivityStatus | count",
                  "DeviceProcessEvents | project ProcessVersionInfoOriginalFileName, InitiatingProcessSignerType, FileSize | count",
                  "DeviceRegistryEvents | project InitiatingProcessVersionInfoCompanyName | count",
                  "OfficeActivity | project OperationProperties, TargetUserId | count",
                  "IdentityInfo | project SAMAccountName, IsServiceAccount | count",
                  "BehaviorAnalytics | project ActorName, NativeTableName | count"] {
            #expect(try run(store, q).get().rows == [[Value.long(0)]], "\(q)")
        }
        let schema = try #require(SchemaCatalog.builtIn["SigninLogs"])
        #expect(schema.columns.first { $0.name == "OriginalRequestId" }?.type == .guid)
        #expect(schema.names.filter { $0 == "UserAgent" }.count == 1)
    }

    @Test func theTableListFormatSkipsWhatItCannotRead() {
        let text = """
        # comment
        Good: A:string, B:long, bad, C:notatype
        Alias = Good
        Orphan = Missing
        9bad: X:string
        """
        let t = SchemaCatalog.parseTableList(text, others: [:])
        #expect(t["Good"]?.names.prefix(3) == ["TimeGenerated", "A", "B"])
        #expect(t["Good"]?.index(of: "C") == nil)
        #expect(t["Good"]?.index(of: "TenantId") != nil)
        #expect(t["Alias"]?.names == t["Good"]?.names)
        #expect(t["Orphan"] == nil && t["9bad"] == nil)
    }

    @Test func unknownNamesSuggestTheNearestKnownOnes() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        for (q, hint) in [("SecurityEvnt | take 1", "'SecurityEvent'"), ("SigninLogs | where UserPrincipleName == 'x'", "'UserPrincipalName'"),
                          ("imAuthentcation | take 1", "'imAuthentication'"), ("print tolowr('A')", "'tolower'"),
                          ("securityevent | take 1", "'SecurityEvent'")] {
            guard case .failure(let e) = run(store, q) else { Issue.record("\(q) bound"); continue }
            #expect(e.description.contains("did you mean") && e.description.contains(hint), "\(e)")
        }
    }

    @Test func declaredCustomTablesTakeTheirColumnsAndDropTheRest() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        #expect(throws: StoreError.self) { try store.createTable("NoSuffix", columns: [ColumnSchema("a", .string)]) }
        #expect(throws: StoreError.self) { try store.createTable("Dup_CL", columns: [ColumnSchema("a", .string), ColumnSchema("A", .long)]) }
        #expect(throws: StoreError.self) { try store.createTable("Res_CL", columns: [ColumnSchema("TenantId", .string)]) }
        #expect(throws: StoreError.self) { try store.createTable("Time_CL", columns: [ColumnSchema("TimeGenerated", .string)]) }
        let s = try store.createTable("Fw_CL", columns: [ColumnSchema("Src", .string), ColumnSchema("Port", .int)])
        #expect(s.columns.map(\.name) == ["TimeGenerated", "Src", "Port"])
        #expect(throws: StoreError.self) { try store.createTable("Fw_CL", columns: [ColumnSchema("Src", .string)]) }
        let text = #"{"TimeGenerated": "2024-06-20T00:00:00Z", "Src": "10.0.0.1", "Port": "443", "Noise": "x"}"# + "\n" + #"{"Src": "10.0.0.2", "Port": "not a port"}"#
        let summary = try Array(text.utf8).withUnsafeBufferPointer { try store.ingest($0, source: "fw.json", format: .json, table: "Fw_CL") }
        #expect(summary.accepted == 2)
        #expect(summary.diagnostics.contains { $0.column == "Noise" && $0.reason.contains("not a column of Fw_CL") })
        #expect(summary.diagnostics.contains { $0.column == "Port" && $0.reason.contains("is not a int") })
        #expect(store.schema(of: "Fw_CL")?.index(of: "Noise") == nil)
        #expect(try run(store, "Fw_CL | where Port == 443 | project Src").get().rows == [[Value.string("10.0.0.1")]])
        // Dropping removes the rows and the declaration; a second drop finds nothing.
        #expect(try store.dropTable("Fw_CL") == 2)
        #expect(store.schema(of: "Fw_CL") == nil)
        #expect(throws: StoreError.self) { try store.dropTable("Fw_CL") }
        #expect(throws: StoreError.self) { try store.dropTable("SecurityEvent") }
        // A connector table dropped is still known, empty.
        _ = try Array(#"{"eventType_s": "user.session.start"}"#.utf8).withUnsafeBufferPointer { try store.ingest($0, source: "okta.json", format: .json, table: "Okta_CL") }
        #expect(try store.dropTable("Okta_CL") == 1)
        #expect(try run(store, "Okta_CL | count").get().rows == [[Value.long(0)]])
    }

    @Test func inferredColumnsFromASample() throws {
        let sample = #"{"Host": "a", "Port": 1, "Seen": "2024-06-20T00:00:00Z", "Tags": ["x"]}"#
        let cols = try Array(sample.utf8).withUnsafeBufferPointer { try TableDeclaration.columns(inferredFrom: $0, format: .json, table: "S_CL") }
        #expect(cols.map { "\($0.name):\($0.type.rawValue)" }.sorted() == ["Host:string", "Port:long", "Seen:datetime", "Tags:dynamic", "TimeGenerated:datetime"])
        #expect(try TableDeclaration.columns(fromSchemaDocument: Array(#"{"properties": {"schema": {"columns": [{"name": "A", "type": "boolean"}]}}}"#.utf8))?.first?.type == .bool)
        #expect(try TableDeclaration.columns(fromSchemaDocument: Array(sample.utf8)) == nil)
    }

    @Test func workspaceFunctionsReplaceShippedParsersAndGoBack() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        #expect(store.functionInfo(named: "_Im_Dns")?.origin == "built-in")
        let mine = WorkspaceFunction(name: "imDns", aliases: ["_Im_Dns"], parameters: [.init(name: "starttime", type: "datetime", defaultValue: "datetime(null)")],
                                     body: "print Mine = 1 | where isnull(starttime) or starttime < now()")
        let out = try store.installFunctions([mine], by: "test")
        #expect(out.first?.replaced == [])
        #expect(try run(store, "_Im_Dns(starttime=datetime(2020-01-01)) | project Mine").get().rows == [[Value.long(1)]])
        #expect(store.functionInfo(named: "imDns")?.origin == "workspace")
        // A second process sees the function (the catalog version changed).
        let other = try ws.store()
        #expect(other.storedFunction(named: "_Im_Dns")?.body.contains("Mine") == true)
        try store.removeFunction("_Im_Dns")
        #expect(store.functionInfo(named: "imDns")?.origin == "built-in")
        #expect(throws: StoreError.self) { try store.removeFunction("imDns") }
        #expect(throws: StoreError.self) { try store.installFunctions([WorkspaceFunction(name: "bad name", body: "print 1")], by: "test") }
    }

    @Test func aParserFileThatDoesNotParseIsReportedWithItsLineAndTheRestInstall() throws {
        let dir = NSTemporaryDirectory() + "vigil-parsers-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "ParserName: Good\nParserQuery: |\n  SecurityEvent\n  | take 1\n".write(toFile: dir + "/good.yaml", atomically: true, encoding: .utf8)
        try "ParserName: Bad\nParserParams:\n  - Name: x\n    Type: long\nParserQuery: |\n  SecurityEvent\n  | where EventID ==\n  | take 1\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        try "ParserName: [unclosed\n".write(toFile: dir + "/notyaml.yaml", atomically: true, encoding: .utf8)
        try "ParserName: NoQuery\n".write(toFile: dir + "/noquery.yaml", atomically: true, encoding: .utf8)
        let ws = try TestWorkspace()
        let store = try ws.store()
        let out = try FunctionInstaller.install([dir], into: store, by: "test")
        #expect(out.installed.map(\.name) == ["Good"])
        #expect(out.problems.count == 3)
        #expect(out.problems.contains { $0.hasPrefix("bad.yaml:8: the query does not parse") }, "\(out.problems)")
        #expect(out.problems.contains { $0.hasPrefix("notyaml.yaml:") && $0.contains("not valid YAML") })
        #expect(out.problems.contains { $0.hasPrefix("noquery.yaml:1: no ParserQuery") })
    }
}
