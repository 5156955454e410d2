import Detection
import Foundation
import KQL
import KQLSyntax
import OrderedCollections
import Testing
import VigilCore

/// Sigma rules as analytics rules: what one becomes, what cannot load (and says why), and SigmaHQ's
/// Windows rules loading and binding against Sentinel's catalog.
@Suite struct SigmaRuleTests {
    static let sigma = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/sigma").standardized
    static let at = DateTimeParser.parse("2024-06-21T02:00:00Z")!

    /// A SigmaHQ rule (path under the Sigma folder) run over one table whose rows are given by column
    /// name (the others null); the rule comes back with what it found.
    static func run(_ path: String, over table: String, _ rows: [[String: Value]]) throws -> (AnalyticsRule, Table) {
        let text = try String(contentsOf: sigma.appendingPathComponent(path), encoding: .utf8)
        let r = try #require(RuleParser.parse(text, file: path).rules.first).rule
        let schema = try #require(SchemaCatalog.known(table))
        var tables = InMemoryTables(schemas: SchemaCatalog.connectors.merging(SchemaCatalog.builtIn) { $1 })
        tables.add(table, Table.from(schema: schema, rows: rows.map { v in schema.columns.map { v[$0.name] ?? .null } }))
        let out = try #require(try QueryExecutor(provider: tables, context: EvalContext(now: at)).run(Parser.parse(r.query)).first?.table)
        return (r, out)
    }

    /// Every SigmaHQ file under a folder parsed and validated against the catalog: how many files,
    /// how many load and bind, each not-loaded reason with its count, and the files whose rule parsed
    /// but did not bind (which would be half-loaded).
    static func load(_ dir: String) throws -> (files: Int, loaded: Int, reasons: [String: Int], unbound: [String]) {
        let root = sigma.appendingPathComponent(dir)
        let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".yml") }
        let validator = RuleValidator(catalog: InMemoryTables(schemas: SchemaCatalog.connectors.merging(SchemaCatalog.builtIn) { $1 }), now: 0)
        var loaded = 0, reasons: [String: Int] = [:], unbound: [String] = []
        for f in files {
            let (rules, diags) = RuleParser.parse(try String(contentsOf: root.appendingPathComponent(f), encoding: .utf8), file: f)
            if let r = rules.first {
                let errors = validator.validate(r).filter { $0.severity == .error }
                if errors.isEmpty { loaded += 1 } else { unbound.append("\(f): \(errors)") }
            }
            for d in diags { reasons[d.message, default: 0] += 1 }
        }
        return (files.count, loaded, reasons, unbound)
    }

    /// A column of a result row, as text.
    static func cell(_ t: Table, _ row: Int, _ column: String) -> String? {
        t.schema.columns.firstIndex { $0.name == column }.map { t.row(row)[$0].kqlString }
    }

    static let runKey = """
    title: Potential Persistence Attempt Via Run Keys Using Reg.EXE
    id: de587dce-915e-4218-aac4-835ca6af6f70
    status: test
    author: Florian Roth (Nextron Systems)
    tags:
        - attack.persistence
        - attack.t1547.001
    logsource:
        category: process_creation
        product: windows
    detection:
        selection:
            Image|endswith: '\\reg.exe'
            CommandLine|contains|all:
                - 'reg'
                - ' add '
            CommandLine|contains:
                - 'Software\\Microsoft\\Windows\\CurrentVersion\\Run'
                - '\\Software\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run'
        filter_main:
            CommandLine|contains: 'C:\\Program Files\\'
        condition: selection and not 1 of filter_*
    falsepositives:
        - Legitimate software
    level: medium
    """

    @Test func aSigmaRuleBecomesAScheduledRule() throws {
        let (rules, diags) = RuleParser.parse(Self.runKey, file: "run.yml")
        #expect(diags.isEmpty && rules.count == 1)
        let r = try #require(rules.first).rule
        #expect(r.id == "de587dce-915e-4218-aac4-835ca6af6f70" && r.name.hasPrefix("Potential Persistence"))
        #expect(r.severity == .medium && r.tactics == [.persistence] && r.techniques == ["T1547.001"])
        #expect(r.queryFrequency == 36_000_000_000 && r.queryPeriod == 36_000_000_000)
        #expect(r.description.contains("Florian Roth") && r.description.contains("Legitimate software"))
        #expect(r.query.hasPrefix("union\n  (WindowsEvent\n   | where Provider == \"Microsoft-Windows-Sysmon\" and EventID in (1)"), "\(r.query)")
        #expect(r.query.contains("(SecurityEvent\n   | where EventID == 4688\n"), "process creation is also Security 4688")
        #expect(r.query.contains(#"tostring(EventData["Image"]) endswith "\\reg.exe""#), "\(r.query)")
        #expect(r.query.contains(#"not(((tostring(EventData["CommandLine"]) contains "C:\\Program Files\\")))"#), "\(r.query)")
        let validator = RuleValidator(catalog: InMemoryTables(schemas: SchemaCatalog.builtIn), now: 0)
        #expect(validator.validate(rules[0]).filter { $0.severity == .error }.isEmpty, "\(validator.validate(rules[0]))")
        #expect(r.enabled)
    }

    /// The rules page switches a Sigma rule off as it does a Sentinel rule: an `enabled:` line on top.
    @Test func enabledFalseSwitchesASigmaRuleOff() throws {
        let off = try #require(RuleParser.parse("enabled: false\n" + Self.runKey, file: "run.yml").0.first).rule
        #expect(!off.enabled && off.id == "de587dce-915e-4218-aac4-835ca6af6f70")
        let on = try #require(RuleParser.parse("enabled: true\n" + Self.runKey, file: "run.yml").0.first).rule
        #expect(on.enabled)
    }

    /// The same rule finds the event whether Sysmon or Security auditing recorded the process.
    @Test func processCreationMatchesSysmonAnd4688Alike() throws {
        let r = try #require(RuleParser.parse(Self.runKey, file: "run.yml").rules.first).rule
        var tables = InMemoryTables(schemas: SchemaCatalog.builtIn)
        let sec = SchemaCatalog.builtIn["SecurityEvent"]!, win = SchemaCatalog.builtIn["WindowsEvent"]!
        let t = DateTimeParser.parse("2024-06-21T02:00:00Z")!
        let cmd = #"REG ADD "HKCU\Software\Microsoft\Windows\CurrentVersion\Run" /v x /d C:\Users\Public\x.exe"#
        let secRow: [String: Value] = ["TimeGenerated": .datetime(t), "EventID": .long(4688), "Computer": .string("WS-1"), "Account": .string("CONTOSO\\eve"),
                                       "NewProcessName": .string(#"C:\Windows\System32\reg.exe"#), "CommandLine": .string(cmd)]
        tables.add("SecurityEvent", Table.from(schema: sec, rows: [sec.columns.map { secRow[$0.name] ?? .null }]))
        let data = Value.bag(["Image": .string(#"C:\Windows\System32\reg.exe"#), "CommandLine": .string(cmd), "User": .string("CONTOSO\\bob")])
        let winRow: [String: Value] = ["TimeGenerated": .datetime(t), "EventID": .long(1), "Provider": .string("Microsoft-Windows-Sysmon"), "Computer": .string("WS-2"), "EventData": data]
        tables.add("WindowsEvent", Table.from(schema: win, rows: [win.columns.map { winRow[$0.name] ?? .null }]))
        let out = try QueryExecutor(provider: tables, context: EvalContext(now: t)).run(Parser.parse(r.query)).first?.table
        let accounts = (0..<(out?.count ?? 0)).compactMap { i in out?.row(i)[out!.schema.columns.firstIndex { $0.name == "SigmaAccount" }!].kqlString }
        #expect(Set(accounts) == ["CONTOSO\\eve", "CONTOSO\\bob"], "\(accounts)")
    }

    @Test func anInexpressibleRuleIsReportedAndNotLoaded() {
        let text = Self.runKey.replacingOccurrences(of: "category: process_creation", with: "category: file_access")
        let (rules, diags) = RuleParser.parse(text, file: "x.yml")
        #expect(rules.isEmpty)
        #expect(diags.map(\.code) == ["VGR1030"] && diags.first?.message.contains("file_access") == true)
    }

    @Test func sigmaHQsWindowsRulesLoadAndBind() throws {
        let w = try Self.load("rules/windows")
        #expect(w.files >= 2400)
        #expect(w.loaded * 100 >= w.files * 98, "\(w.loaded) of \(w.files); \(w.reasons.sorted { $0.value > $1.value }.prefix(5))")
        #expect(w.reasons.keys.allSatisfy { $0.hasPrefix("Sigma rule not loaded: ") })
    }

    /// Azure's log sources read Sentinel's tables: the activity log's `operationName` is
    /// `OperationNameValue`, the audit log's `properties.message` is `OperationName`, risk
    /// detections are AADUserRiskEvents.
    @Test func sigmaHQsAzureRulesLoadOnSentinelsTables() throws {
        let az = try Self.load("rules/cloud/azure")
        #expect(az.unbound.isEmpty, "\(az.unbound)")
        #expect(az.files >= 120 && az.loaded >= 110, "\(az.loaded) of \(az.files): \(az.reasons)")
        // Identity Protection's risk detections read AADUserRiskEvents, which the catalog now holds.
        #expect(!az.reasons.keys.contains { $0.contains("riskdetection") }, "\(az.reasons)")

        let activity: (String) -> [String: Value] = { op in
            ["TimeGenerated": .datetime(Self.at), "OperationNameValue": .string(op), "Caller": .string("eve@contoso.com"), "CallerIpAddress": .string("203.0.113.7")]
        }
        let (r, out) = try Self.run("rules/cloud/azure/activity_logs/azure_firewall_rule_collection_modified_or_deleted.yml", over: "AzureActivity",
                                    [activity("MICROSOFT.NETWORK/AZUREFIREWALLS/NATRULECOLLECTIONS/DELETE"), activity("MICROSOFT.COMPUTE/VIRTUALMACHINES/READ")])
        #expect(out.count == 1)
        #expect(Self.cell(out, 0, "SigmaAccount") == "eve@contoso.com")
        #expect(Self.cell(out, 0, "SigmaIP") == "203.0.113.7")
        #expect(r.entityMappings.map(\.entityType) == [.account, .ip])
    }

    /// AWS CloudTrail reads Sentinel's AWSCloudTrail, whose columns flatten the record
    /// (`userIdentity.type` is `UserIdentityType`).
    @Test func sigmaHQsAWSRulesLoadOnAWSCloudTrail() throws {
        let aws = try Self.load("rules/cloud/aws")
        #expect(aws.files >= 57 && aws.loaded >= 56, "\(aws.loaded) of \(aws.files): \(aws.reasons)")
        let call: (String) -> [String: Value] = { name in
            ["TimeGenerated": .datetime(Self.at), "EventSource": .string("cloudtrail.amazonaws.com"), "EventName": .string(name),
             "UserIdentityArn": .string("arn:aws:iam::123456789012:user/eve"), "SourceIpAddress": .string("198.51.100.9")]
        }
        let (_, out) = try Self.run("rules/cloud/aws/cloudtrail/aws_cloudtrail_disable_logging.yml", over: "AWSCloudTrail", [call("StopLogging"), call("DescribeTrails")])
        #expect(out.count == 1)
        #expect(Self.cell(out, 0, "SigmaAccount") == "arn:aws:iam::123456789012:user/eve")
    }

    /// Linux and macOS process creation read ASIM's imProcessCreate (Unix paths; the parent is the
    /// acting process), file events imFileEvent, web server logs W3CIISLog, proxy logs imWebSession,
    /// DNS imDns, GCP, GitHub and Okta their connectors' tables; a field a source lacks is the
    /// stated reason a rule is not loaded.
    @Test func sigmaHQsLinuxMacOSAndWebRulesLoadOnSentinelsSources() throws {
        for (dir, atLeast) in [("rules/linux/process_creation", 0.95), ("rules/macos/process_creation", 0.95), ("rules/web/webserver_generic", 0.9),
                               ("rules/web/proxy_generic", 0.8), ("rules/linux/file_event", 1.0), ("rules/network/dns", 1.0),
                               ("rules/application/github", 1.0), ("rules/identity/okta", 0.7), ("rules/cloud/gcp/audit", 0.9)] {
            let l = try Self.load(dir)
            #expect(l.unbound.isEmpty, "\(dir): \(l.unbound)")
            #expect(l.files > 0 && Double(l.loaded) >= Double(l.files) * atLeast, "\(dir): \(l.loaded) of \(l.files): \(l.reasons)")
            #expect(l.reasons.keys.allSatisfy { $0.contains("is not a column of") || $0.contains("not supported") }, "\(l.reasons)")
        }
        // A Linux rule over ASIM's process events: only the Unix process matches, with its host and user.
        let process: (String, String) -> [String: Value] = { name, cmd in
            ["TimeGenerated": .datetime(Self.at), "TargetProcessName": .string(name), "TargetProcessCommandLine": .string(cmd),
             "DvcHostname": .string("web-01"), "TargetUsername": .string("www-data")]
        }
        let (_, out) = try Self.run("rules/linux/process_creation/proc_creation_lnx_base64_decode.yml", over: "imProcessCreate",
                                    [process("/usr/bin/base64", "base64 -d /tmp/x"), process("C:\\Tools\\base64", "base64 -d"), process("/usr/bin/base64", "base64 /tmp/x")])
        #expect(out.count == 1)
        #expect(Self.cell(out, 0, "SigmaComputer") == "web-01")
        #expect(Self.cell(out, 0, "SigmaAccount") == "www-data")
        // A web server rule over IIS logs, with the client address as an entity.
        let request: (String) -> [String: Value] = { q in
            ["TimeGenerated": .datetime(Self.at), "csUriQuery": .string(q), "cIP": .string("198.51.100.4"), "Computer": .string("iis-01")]
        }
        let (w, hits) = try Self.run("rules/web/webserver_generic/web_path_traversal_exploitation_attempt.yml", over: "W3CIISLog",
                                     [request("file=../../../etc/passwd"), request("page=2")])
        #expect(w.entityMappings.map(\.entityType) == [.host, .account, .ip])
        #expect(hits.count == 1)
        #expect(Self.cell(hits, 0, "SigmaIP") == "198.51.100.4")
    }

    /// Linux syslog and auditd read Sentinel's Syslog table: keywords search the message (a wildcard
    /// inside one is a pattern), auditd fields are the record's `key=value` pairs, the host is HostName.
    @Test func linuxSyslogAndAuditdRulesReadTheSyslogTable() throws {
        for (dir, atLeast) in [("rules/linux/auditd", 0.95), ("rules/linux/builtin", 0.95)] {
            let l = try Self.load(dir)
            #expect(l.unbound.isEmpty, "\(dir): \(l.unbound)")
            #expect(l.files > 0 && Double(l.loaded) >= Double(l.files) * atLeast, "\(dir): \(l.loaded) of \(l.files): \(l.reasons)")
        }
        let line: (String, String) -> [String: Value] = { process, message in
            ["TimeGenerated": .datetime(Self.at), "HostName": .string("db-01"), "HostIP": .string("10.1.2.3"), "ProcessName": .string(process),
             "Facility": .string("user"), "SyslogMessage": .string(message)]
        }
        let (_, audio) = try Self.run("rules/linux/auditd/lnx_auditd_audio_capture.yml", over: "Syslog", [
            line("audispd", #"type=EXECVE msg=audit(1718000000.123:456): argc=3 a0="arecord" a1="-vv" a2="-fdat""#),
            line("audispd", #"type=EXECVE msg=audit(1718000001.123:457): argc=2 a0="arecord" a1="-l""#),
            line("audispd", "type=SYSCALL msg=audit(1718000002.5:458): arch=c000003e syscall=319 success=yes exe=\"/usr/bin/ecasound\" key=(null)\u{1d}ARCH=x86_64 SYSCALL=memfd_create"),
            line("bash", "arecord -vv -fdat"),
        ])
        #expect(audio.count == 2)
        #expect(Self.cell(audio, 0, "SigmaComputer") == "db-01" && Self.cell(audio, 0, "SigmaIP") == "10.1.2.3")
        let (_, history) = try Self.run("rules/linux/builtin/lnx_shell_clear_cmd_history.yml", over: "Syslog", [
            line("bash", "user ran: rm /home/u/.bash_history"), line("bash", "user ran: history -c"), line("bash", "rm notes.txt"),
        ])
        #expect(history.count == 2)
    }

    /// Kubernetes audit rules read AKS's audit table: the event's objects are dynamic columns, and a
    /// pod spec's host path is found in the request's volumes.
    @Test func kubernetesAuditRulesReadAKSAudit() throws {
        let l = try Self.load("rules/application/kubernetes")
        #expect(l.unbound.isEmpty, "\(l.unbound)")
        #expect(l.files == 16 && l.loaded == 16, "\(l.loaded) of \(l.files): \(l.reasons)")
        func event(_ verb: String, _ objectRef: String, request: String = "null") -> [String: Value] {
            ["TimeGenerated": .datetime(Self.at), "Verb": .string(verb), "ObjectRef": Value.parseJSON(objectRef),
             "User": Value.parseJSON(#"{"username":"dev@contoso.com","groups":["system:authenticated"]}"#),
             "SourceIps": Value.parseJSON(#"["20.1.2.3"]"#), "RequestObject": Value.parseJSON(request)]
        }
        let (_, exec) = try Self.run("rules/application/kubernetes/audit/kubernetes_audit_exec_into_container.yml", over: "AKSAudit", [
            event("create", #"{"resource":"pods","subresource":"exec","namespace":"prod","name":"web-1"}"#),
            event("create", #"{"resource":"pods","namespace":"prod","name":"web-2"}"#),
            event("get", #"{"resource":"pods","subresource":"exec"}"#),
        ])
        #expect(exec.count == 1)
        #expect(Self.cell(exec, 0, "SigmaAccount") == "dev@contoso.com" && Self.cell(exec, 0, "SigmaIP") == "20.1.2.3")
        let (_, mount) = try Self.run("rules/application/kubernetes/audit/kubernetes_audit_hostpath_mount.yml", over: "AKSAudit", [
            event("create", #"{"resource":"pods"}"#, request: #"{"spec":{"volumes":[{"name":"root","hostPath":{"path":"/","type":""}}],"containers":[{"name":"c"}]}}"#),
            event("create", #"{"resource":"pods"}"#, request: #"{"spec":{"volumes":[{"name":"cfg","configMap":{"name":"x"}}],"containers":[{"name":"c"}]}}"#),
        ])
        #expect(mount.count == 1)
    }

    /// RPC Firewall rules read its event log as the agent forwards it (WindowsEvent, channel RPCFW).
    @Test func rpcFirewallRulesReadItsChannel() throws {
        let l = try Self.load("rules/application/rpc_firewall")
        #expect(l.unbound.isEmpty && l.files == 17 && l.loaded == 17, "\(l.loaded) of \(l.files): \(l.reasons) \(l.unbound)")
        func call(_ opnum: Int, channel: String = "RPCFW") -> [String: Value] {
            ["TimeGenerated": .datetime(Self.at), "Channel": .string(channel), "EventID": .long(3), "Computer": .string("DC01"),
             "EventData": Value.parseJSON(#"{"InterfaceUuid":"e3514235-4b06-11d1-ab04-00c04fc2dcd2","OpNum":"\#(opnum)","ClientNetworkAddress":"10.0.0.9"}"#)]
        }
        let (_, dcsync) = try Self.run("rules/application/rpc_firewall/rpc_firewall_dcsync_attack.yml", over: "WindowsEvent",
                                       [call(3), call(0), call(12), call(3, channel: "Application")])
        #expect(dcsync.count == 1 && Self.cell(dcsync, 0, "SigmaComputer") == "DC01")
    }

    /// The DNS client, Exchange management and IIS configuration channels are channels like any other.
    @Test func dnsClientExchangeAndIISChannelsLoad() throws {
        for dir in ["rules/windows/builtin/dns_client", "rules/windows/builtin/msexchange", "rules/windows/builtin/iis-configuration",
                    "rules/windows/builtin/applocker"] {
            let l = try Self.load(dir)
            #expect(l.unbound.isEmpty && l.files > 0 && l.loaded == l.files, "\(dir): \(l.loaded) of \(l.files): \(l.reasons) \(l.unbound)")
        }
        let query: (String) -> [String: Value] = { name in
            ["TimeGenerated": .datetime(Self.at), "Channel": .string("Microsoft-Windows-DNS Client Events/Operational"), "EventID": .long(3008),
             "Computer": .string("WS-7"), "EventData": Value.parseJSON(#"{"QueryName":"\#(name)","QueryType":"1"}"#)]
        }
        let (_, mega) = try Self.run("rules/windows/builtin/dns_client/win_dns_client_mega_nz.yml", over: "WindowsEvent",
                                     [query("userstorage.mega.co.nz"), query("www.contoso.com")])
        #expect(mega.count == 1 && Self.cell(mega, 0, "SigmaComputer") == "WS-7")
    }

    /// Cisco AAA command accounting is the device's syslog: the rules' keywords are the commands.
    @Test func ciscoAAARulesSearchTheDevicesSyslog() throws {
        let l = try Self.load("rules/network/cisco/aaa")
        #expect(l.unbound.isEmpty && l.files > 0 && l.loaded == l.files, "\(l.loaded) of \(l.files): \(l.reasons) \(l.unbound)")
        let line: (String) -> [String: Value] = { command in
            ["TimeGenerated": .datetime(Self.at), "HostName": .string("edge-rtr-1"), "HostIP": .string("10.0.0.1"), "Facility": .string("local7"),
             "SyslogMessage": .string("%PARSER-5-CFGLOG_LOGGEDCMD: User:netadmin  logged command:\(command)")]
        }
        let (_, cleared) = try Self.run("rules/network/cisco/aaa/cisco_cli_clear_logs.yml", over: "Syslog", [line("clear logging"), line("show running-config")])
        #expect(cleared.count == 1 && Self.cell(cleared, 0, "SigmaComputer") == "edge-rtr-1")
    }

    /// FortiGate event rules read its CEF records: the action and `FTNTFGT` extensions.
    @Test func fortigateRulesReadItsCEFRecords() throws {
        let l = try Self.load("rules/network/fortinet/fortigate")
        #expect(l.unbound.isEmpty && l.files == 7 && l.loaded == 7, "\(l.loaded) of \(l.files): \(l.reasons) \(l.unbound)")
        let record: (String, String) -> [String: Value] = { action, path in
            ["TimeGenerated": .datetime(Self.at), "DeviceVendor": .string("Fortinet"), "DeviceProduct": .string("Fortigate"), "DeviceName": .string("FGT-EDGE"),
             "DeviceAction": .string(action), "SourceUserName": .string("admin"),
             "AdditionalExtensions": .string("FTNTFGTlogid=0100044547;FTNTFGTsubtype=system;FTNTFGTcfgpath=\(path);FTNTFGTcfgobj=backdoor")]
        }
        let (_, created) = try Self.run("rules/network/fortinet/fortigate/fortinet_fortigate_new_admin_account_created.yml", over: "CommonSecurityLog",
                                        [record("Add", "system.admin"), record("Edit", "system.admin"), record("Add", "firewall.address")])
        #expect(created.count == 1 && Self.cell(created, 0, "SigmaComputer") == "FGT-EDGE" && Self.cell(created, 0, "SigmaAccount") == "admin")
    }

    /// Zeek's DNS and HTTP rules read Sentinel's normalized DNS and web sessions; a Zeek field ASIM
    /// has no column for (`Z`, `rejected`, `resp_mime_types`) is the stated reason a rule is not loaded.
    @Test func zeekDNSAndHTTPRulesReadASIMSources() throws {
        let root = Self.sigma.appendingPathComponent("rules/network/zeek")
        let files = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix("zeek_dns") || $0.hasPrefix("zeek_http") }
        var loaded = 0, reasons: [String] = []
        for f in files {
            let (rules, diags) = RuleParser.parse(try String(contentsOf: root.appendingPathComponent(f), encoding: .utf8), file: f)
            loaded += rules.count
            reasons += diags.map(\.message)
        }
        #expect(loaded == 4 && reasons.allSatisfy { $0.contains("is not a column of") }, "\(loaded) of \(files.count): \(reasons)")
        let lookup: (String) -> [String: Value] = { name in
            ["TimeGenerated": .datetime(Self.at), "DnsQuery": .string(name), "SrcIpAddr": .string("10.1.1.5"), "SrcHostname": .string("ws-7")]
        }
        let (_, spoof) = try Self.run("rules/network/zeek/zeek_dns_kerberos_coercion_via_dns_object_spn_spoofing.yml", over: "imDns",
                                      [lookup("srv11UWhRCAAAAAAAAAAAAAAAAAAAAAAAAAAAAwbEAYBAAAA.contoso.com"), lookup("www.contoso.com")])
        #expect(spoof.count == 1 && Self.cell(spoof, 0, "SigmaIP") == "10.1.1.5")
    }

    /// `'|all': [a, b]` is keywords the event must all hold, not a field named `all`.
    @Test func keywordsWithAllMustAllAppear() throws {
        let text = """
        title: Both words
        id: 1b6f3b52-4c4e-4d7e-9d0a-2a1f0f0e0b01
        logsource:
            product: windows
            service: system
        detection:
            keywords:
                '|all':
                    - 'alpha'
                    - 'beta'
            condition: keywords
        level: high
        """
        let r = try #require(RuleParser.parse(text, file: "all.yml").rules.first).rule
        #expect(r.query.contains("contains \"alpha\" and") && !r.query.contains("[\"all\"]"), "\(r.query)")
    }
}
