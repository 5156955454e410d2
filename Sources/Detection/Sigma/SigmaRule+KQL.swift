import Foundation
import KQL

extension SigmaRule {
    /// Sysmon event ids of the Windows log source categories.
    static let sysmonCategories: [String: [Int]] = [
        "process_creation": [1], "network_connection": [3], "process_termination": [5], "driver_load": [6], "image_load": [7],
        "create_remote_thread": [8], "raw_access_thread": [9], "process_access": [10], "file_event": [11], "registry_add": [12],
        "registry_delete": [12], "registry_set": [13], "registry_rename": [14], "registry_event": [12, 13, 14], "create_stream_hash": [15],
        "sysmon_status": [4, 16], "pipe_created": [17, 18], "wmi_event": [19, 20, 21], "dns_query": [22], "file_delete": [23, 26],
        "clipboard_capture": [24], "process_tampering": [25], "file_block_executable": [27], "file_block_shredding": [28], "file_executable_detected": [29],
    ]
    /// Channels of the Windows log source services.
    static let serviceChannels: [String: String] = [
        "system": "System", "application": "Application", "powershell": "Microsoft-Windows-PowerShell/Operational",
        "powershell-classic": "Windows PowerShell", "taskscheduler": "Microsoft-Windows-TaskScheduler/Operational",
        "wmi": "Microsoft-Windows-WMI-Activity/Operational", "windefend": "Microsoft-Windows-Windows Defender/Operational",
        "sysmon": "Microsoft-Windows-Sysmon/Operational", "bits-client": "Microsoft-Windows-Bits-Client/Operational",
        "codeintegrity-operational": "Microsoft-Windows-CodeIntegrity/Operational", "dns-server": "DNS Server",
        "firewall-as": "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall", "appxdeployment-server": "Microsoft-Windows-AppXDeploymentServer/Operational",
        "ntlm": "Microsoft-Windows-NTLM/Operational", "security-mitigations": "Microsoft-Windows-Security-Mitigations/KernelMode",
        "smbclient-security": "Microsoft-Windows-SmbClient/Security", "terminalservices-localsessionmanager": "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
        "diagnosis-scripted": "Microsoft-Windows-Diagnosis-Scripted/Operational", "capi2": "Microsoft-Windows-CAPI2/Operational",
        "openssh": "OpenSSH/Operational", "lsa-server": "Microsoft-Windows-LSA/Operational", "shell-core": "Microsoft-Windows-Shell-Core/Operational",
        "dns-client": "Microsoft-Windows-DNS Client Events/Operational", "msexchange-management": "MSExchange Management",
        "iis-configuration": "Microsoft-IIS-Configuration/Operational",
    ]

    /// The table a rule reads and how it reaches a field of the event.
    struct Source {
        var table: String
        var filter: String
        var security: Bool
        /// Sysmon process-creation fields as Security 4688 stores them (nil: 4688 has no such field).
        var processCreation4688 = false
        /// A log source read from a table or parser (`TableSource`): its columns by lowercased name
        /// and aliases (Sigma spells Azure's fields as the raw Azure Monitor schema does:
        /// `operationName`, `properties.message`), and the source with its entity columns.
        var columns: [String: String]? = nil
        var tableSource: TableSource? = nil
        static let fields4688: [String: String] = [
            "Image": "NewProcessName", "ParentImage": "ParentProcessName", "CommandLine": "CommandLine", "User": "Account",
        ]
        /// A field as its table's column (`DeviceDetail.trusttype` as `DeviceDetail.trusttype` of the
        /// dynamic column; the raw schema's `properties.` envelope dropped), or nil when it has none.
        func columnField(_ name: String) -> String? {
            guard let columns else { return nil }
            // A source whose fields are in its text (auditd's `type`) reads them there, not from a column
            // of the same name (Syslog's `Type` is the table's name), unless an alias says otherwise.
            if let t = tableSource, let template = t.fieldTemplate, t.aliases[name.lowercased()] == nil, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                return template.replacingOccurrences(of: "FIELD", with: name)
            }
            if let whole = columns[name.lowercased()], name.contains(".") { return "tostring(\(whole))" }
            // A flattened record: `userIdentity.type` is the column `UserIdentityType`.
            if name.contains("."), let flat = columns[name.lowercased().replacingOccurrences(of: ".", with: "")] { return "tostring(\(flat))" }
            var parts = name.split(separator: ".").map(String.init)
            if parts.count > 1, parts[0].lowercased() == "properties", columns["properties"] == nil { parts.removeFirst() }
            guard let first = parts.first, let column = columns[first.lowercased()] else { return nil }
            return "tostring(" + ([column] + parts.dropFirst().map { "['\($0)']" }).joined() + ")"
        }

        func field(_ name: String) -> String {
            if columns != nil { return columnField(name) ?? "\"\"" }
            switch name {
            case "EventID": return "EventID"
            case "Channel", "EventLog": return "Channel"
            case "Computer", "ComputerName": return "Computer"
            case "Provider_Name": return security ? "EventSourceName" : "Provider"
            default:
                if processCreation4688, let column = Self.fields4688[name] { return column }
                if security {
                    let xml = "extract(@'Name=\"\(name)\">([^<]*)<', 1, EventData)"
                    // Sentinel's agent also writes many event fields as columns of their own (and some
                    // rows have no EventData): the column when set, else the XML.
                    guard Self.securityColumns.contains(name) else { return xml }
                    return "iff(isempty(tostring(\(name))), \(xml), tostring(\(name)))"
                }
                return "tostring(EventData[\"\(name)\"])"
            }
        }
        static let securityColumns: Set<String> = {
            let reserved: Set<String> = ["EventID", "Channel", "Computer", "TimeGenerated", "EventData", "Type", "TenantId", "SourceSystem", "MG", "ManagementGroupName"]
            return Set((SchemaCatalog.builtIn["SecurityEvent"]?.columns ?? []).map(\.name)).subtracting(reserved)
        }()

        /// The entity columns every leg carries.
        var entities: String {
            if let t = tableSource { return "| extend SigmaAccount = tostring(\(t.account)), SigmaComputer = tostring(\(t.computer)), SigmaIP = tostring(\(t.address))" }
            return security ? #"| extend SigmaAccount = Account, SigmaComputer = Computer"# : #"| extend SigmaAccount = tostring(EventData["User"]), SigmaComputer = Computer"#
        }
    }

    /// Every field the rule's searches test.
    var fieldsUsed: Set<String> {
        func collect(_ s: Search) -> [String] {
            switch s {
            case .fields(let t): return t.map(\.field) + t.filter { $0.modifiers.contains("fieldref") }.flatMap { $0.values.compactMap { if case .string(let v) = $0 { return v } else { return nil } } }
            case .anyOf(let xs): return xs.flatMap(collect)
            case .keywords: return ["\u{0}keywords"]
            }
        }
        return Set(searches.values.flatMap(collect))
    }

    /// Azure's log source services as Sentinel's tables, with their account and address columns.
    /// Fields whose Sentinel column has another name: the activity log's `operationName` is the
    /// operation's id (`MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE`), the audit log's `properties.message`
    /// its activity's display name and `Status` its result. Identity Protection's and PIM's rules test
    /// risk detections (AADUserRiskEvents).
    static let azureServices: [String: TableSource] = [
        "signinlogs": TableSource(table: "SigninLogs", account: "UserPrincipalName", address: "IPAddress"),
        "auditlogs": TableSource(table: "AuditLogs", account: "InitiatedBy.user.userPrincipalName",
                                 aliases: ["properties.message": "OperationName", "status": "Result"]),
        "activitylogs": TableSource(table: "AzureActivity", account: "Caller", address: "CallerIpAddress", aliases: ["operationname": "OperationNameValue"]),
        "riskdetection": TableSource(table: "AADUserRiskEvents", account: "UserPrincipalName", address: "IpAddress"),
        "pim": TableSource(table: "AADUserRiskEvents", account: "UserPrincipalName", address: "IpAddress"),
    ]

    /// AWS CloudTrail (`product: aws, service: cloudtrail`) as Sentinel's AWSCloudTrail, which
    /// flattens the record (`userIdentity.arn` is `UserIdentityArn`) and names `eventType` `EventTypeName`.
    static let awsServices: [String: TableSource] = [
        "cloudtrail": TableSource(table: "AWSCloudTrail", account: "UserIdentityArn", address: "SourceIpAddress",
                                  aliases: ["eventtype": "EventTypeName", "useridentity.sessioncontext.sessionissuer.type": "SessionIssuerType",
                                            "useridentity.sessioncontext.sessionissuer.arn": "SessionIssuerArn"]),
    ]

    static let cloudProducts = ["azure": azureServices, "aws": awsServices]

    /// Log sources beyond Windows' channels, read through a table or a normalized (ASIM) parser of
    /// Sentinel, keyed `product/category` (or `product/service`; `any` for no product): Linux and
    /// macOS process creation and file events from `imProcessCreate` / `imFileEvent` (Unix paths
    /// only; the parent is ASIM's acting process), web server logs from `W3CIISLog`, proxy logs from
    /// `imWebSession`, DNS from `imDns`, GCP audit logs, GitHub's audit log and Okta from their
    /// connectors' tables. Fields match the source's columns without case, or through the aliases.
    struct TableSource {
        var table: String
        var filter = "true"
        var account: String
        var address = "\"\""
        var computer = "\"\""
        var aliases: [String: String] = [:]
        /// Where keywords are searched (nil: every column).
        var keywordColumn: String? = nil
        /// A field the table has no column for, read from the text: `FIELD` is replaced by the field's
        /// name (auditd's `type`, `a0`, `exe` are `key=value` pairs of the Syslog message).
        var fieldTemplate: String? = nil

        /// The same source with more aliases (another product's names for its fields).
        func adding(_ more: [String: String]) -> TableSource {
            var out = self
            out.aliases.merge(more) { $1 }
            return out
        }
    }
    /// Linux syslog as Sentinel's Syslog table: the message is where keywords are, the host its host.
    static func syslog(_ filter: String = "true", fieldTemplate: String? = nil) -> TableSource {
        TableSource(table: "Syslog", filter: filter, account: "\"\"", address: "HostIP", computer: "HostName",
                    aliases: ["message": "SyslogMessage", "msg": "SyslogMessage", "pname": "ProcessName", "host": "HostName"],
                    keywordColumn: "SyslogMessage", fieldTemplate: fieldTemplate)
    }
    /// auditd records forwarded through syslog (`type=EXECVE msg=audit(...): argc=2 a0="ls" ...`): a
    /// field is its `key=value` pair, quoted or not (the enriched format's `SYSCALL=execve` too).
    static let auditd = syslog(#"SyslogMessage contains "msg=audit(""#,
                               fieldTemplate: #"extract(@'(?:^|[\s\x1d])FIELD="?([^"\s\x1d]*)', 1, SyslogMessage)"#)
    static let unixProcess = TableSource(
        table: "imProcessCreate", filter: "TargetProcessName startswith \"/\"", account: "TargetUsername", computer: "DvcHostname",
        aliases: ["image": "TargetProcessName", "commandline": "TargetProcessCommandLine", "parentimage": "ActingProcessName",
                  "parentcommandline": "ActingProcessCommandLine", "user": "TargetUsername", "processid": "TargetProcessId",
                  "parentprocessid": "ActingProcessId", "logonid": "TargetUserSessionId", "parentuser": "ActorUsername"])
    static let unixFile = TableSource(
        table: "imFileEvent", filter: "TargetFilePath startswith \"/\"", account: "ActorUsername", computer: "DvcHostname",
        aliases: ["targetfilename": "TargetFilePath", "image": "ActingProcessName"])
    /// Kubernetes API server audit events as AKS writes them (`AKSAudit`: the event's objects are
    /// dynamic columns, `objectRef.resource` is `ObjectRef.resource`). Rules also name a few fields
    /// of the request's pod spec without their path: `apiGroup` is the object's, `hostPath` a volume's
    /// host path, `capabilities` a container's added capabilities.
    static let kubernetesAudit = TableSource(
        table: "AKSAudit", account: "User.username", address: "SourceIps[0]",
        aliases: ["apigroup": "ObjectRef.apiGroup",
                  "hostpath": #"extract(@'"hostPath":\{[^}]*"path":"([^"]*)"', 1, tostring(RequestObject.spec.volumes))"#,
                  "capabilities": #"extract(@'"capabilities":(\{[^}]*\})', 1, tostring(RequestObject.spec.containers))"#])
    static let tableSources: [String: TableSource] = [
        "linux/process_creation": unixProcess,
        "macos/process_creation": unixProcess,
        "any/webserver": TableSource(
            table: "W3CIISLog", account: "csUserName", address: "cIP", computer: "Computer",
            aliases: ["cs-method": "csMethod", "cs-uri-query": "csUriQuery", "cs-uri-stem": "csUriStem", "cs-uri": "strcat(csUriStem, '?', csUriQuery)",
                      "c-uri": "strcat(csUriStem, '?', csUriQuery)", "cs-user-agent": "csUserAgent", "c-useragent": "csUserAgent",
                      "sc-status": "scStatus", "cs-referer": "csReferer", "cs-referrer": "csReferer", "cs-host": "csHost", "c-ip": "cIP",
                      "cs-username": "csUserName", "s-ip": "sIP", "s-port": "sPort", "cs-cookie": "csCookie", "cs-version": "csVersion"]),
        "linux/file_event": unixFile,
        "linux/": syslog(),
        "linux/syslog": syslog(),
        "linux/auditd": auditd,
        "linux/auth": syslog(#"Facility in ("auth", "authpriv")"#),
        "linux/sshd": syslog(#"ProcessName =~ "sshd""#),
        "linux/sudo": syslog(#"ProcessName =~ "sudo""#),
        "linux/cron": syslog(#"ProcessName in~ ("cron", "crond", "CRON")"#),
        "linux/vsftpd": syslog(#"ProcessName =~ "vsftpd""#),
        "linux/clamav": syslog(#"ProcessName in~ ("clamd", "freshclam", "clamscan")"#),
        "linux/guacamole": syslog(#"ProcessName in~ ("guacd", "guacamole")"#),
        "macos/file_event": unixFile,
        "any/dns": dns,
        // Zeek's logs as Sentinel normalizes them (ASIM's DNS and web session parsers read Zeek too).
        "zeek/dns": dns.adding(["answers": "DnsResponseName", "qtype_name": "DnsQueryTypeName", "id.orig_h": "SrcIpAddr", "id.resp_h": "DstIpAddr"]),
        "zeek/http": proxy.adding(["uri": "Url", "user_agent": "HttpUserAgent", "method": "HttpRequestMethod", "host": "DstHostname",
                                   "status_code": "HttpStatusCode", "id.orig_h": "SrcIpAddr", "id.resp_h": "DstIpAddr"]),
        "gcp/gcp.audit": TableSource(
            table: "GCPAuditLogs", account: "PrincipalEmail", address: "RequestMetadata.callerIp",
            aliases: ["gcp.audit.method_name": "MethodName", "data.protopayload.methodname": "MethodName", "protopayload.methodname": "MethodName",
                      "protopayload.servicename": "ServiceName", "data.protopayload.servicename": "ServiceName",
                      "data.protopayload.resource.type": "GCPResourceType", "data.protopayload.logname": "LogName"]),
        "github/audit": TableSource(table: "GitHubAudit", account: "Actor", address: "IPaddress"),
        // Cisco IOS command accounting (`%PARSER-5-CFGLOG_LOGGEDCMD: User:admin logged command:...`)
        // reaches Sentinel as the device's syslog; the rules are keywords of the command.
        "cisco/aaa": syslog(),
        // FortiGate logs in CEF: `act` is DeviceAction, the other fields are `FTNTFGT<field>=` pairs of
        // AdditionalExtensions (`FTNTFGTcfgpath=system.admin`).
        "fortigate/event": TableSource(
            table: "CommonSecurityLog", filter: #"DeviceVendor == "Fortinet" and DeviceProduct startswith "Fortigate""#,
            account: "SourceUserName", address: "SourceIP", computer: "DeviceName", aliases: ["action": "DeviceAction"],
            fieldTemplate: #"extract(@'(?:^|;)FTNTFGTFIELD=([^;]*)', 1, AdditionalExtensions)"#),
        "kubernetes/audit": kubernetesAudit,
        "kubernetes/application": kubernetesAudit,
        "okta/okta": TableSource(
            table: "Okta_CL", account: "actor_alternateId_s", address: "client_ipAddress_s",
            aliases: ["eventtype": "eventType_s", "outcome.result": "outcome_result_s", "outcome.reason": "outcome_reason_s",
                      "actor.alternateid": "actor_alternateId_s"]),
        "any/proxy": proxy,
    ]
    static let dns = TableSource(
        table: "imDns", account: "SrcUsername", address: "SrcIpAddr", computer: "SrcHostname",
        aliases: ["query": "DnsQuery", "answer": "DnsResponseName", "record_type": "DnsQueryTypeName"])
    static let proxy = TableSource(
        table: "imWebSession", account: "SrcUsername", address: "SrcIpAddr", computer: "SrcHostname",
        aliases: ["c-uri": "Url", "cs-uri": "Url", "c-uri-query": "Url", "c-uri-stem": "Url", "c-useragent": "HttpUserAgent", "cs-host": "DstHostname",
                  "cs-method": "HttpRequestMethod", "cs-referrer": "HttpReferrer", "r-dns": "DstHostname", "sc-status": "HttpStatusCode",
                  "c-ip": "SrcIpAddr", "src_ip": "SrcIpAddr", "dst_ip": "DstIpAddr", "cs-bytes": "SrcBytes", "sc-bytes": "DstBytes"])

    /// A cloud log source: its entities are an account and an address, not a host.
    var isCloud: Bool { Self.cloudProducts[product] != nil }

    /// The `TableSource` of the rule's log source, if it has one: a cloud product's service, or
    /// another product's category (or service).
    var tableSource: TableSource? {
        if let services = Self.cloudProducts[product] { return services[service] }
        let p = product.isEmpty ? "any" : product
        return Self.tableSources["\(p)/\(category.isEmpty ? service : category)"]
    }

    func source() throws -> Source {
        if let t = tableSource {
            // Fields are the table's columns (by name without case, or an alias).
            guard let schema = SchemaCatalog.known(t.table) else { throw SigmaError(message: "table \(t.table) is not in the catalog") }
            var src = Source(table: t.table, filter: t.filter, security: false)
            src.columns = Dictionary(schema.columns.map { ($0.name.lowercased(), $0.name) }, uniquingKeysWith: { a, _ in a })
                .merging(t.aliases) { _, alias in alias }
            src.tableSource = t
            for f in fieldsUsed.sorted() where f != "\u{0}keywords" && src.columnField(f) == nil {
                throw SigmaError(message: "field '\(f)' is not a column of \(t.table)")
            }
            return src
        }
        if isCloud { throw SigmaError(message: "log source service '\(service)' of product \(product) is not mapped") }
        // RPC Firewall audits to its own Windows event log, which the agent forwards like any channel.
        if product == "rpc_firewall" { return Source(table: "WindowsEvent", filter: "Channel == \"RPCFW\"", security: false) }
        guard product == "windows" else {
            throw SigmaError(message: "log source \(product.isEmpty ? "any" : product)/\(category.isEmpty ? service : category) is not mapped (Windows, RPC Firewall, Azure, AWS, GCP audit, GitHub, Okta, Kubernetes audit, Cisco AAA, FortiGate, Zeek DNS and HTTP, Linux and macOS process and file events, Linux syslog and auditd, web server, proxy and DNS so far)")
        }
        if let ids = Self.sysmonCategories[category] {
            return Source(table: "WindowsEvent", filter: "Provider == \"Microsoft-Windows-Sysmon\" and EventID in (\(ids.map(String.init).joined(separator: ", ")))", security: false)
        }
        switch category {
        case "ps_script": return Source(table: "WindowsEvent", filter: "Channel == \"Microsoft-Windows-PowerShell/Operational\" and EventID == 4104", security: false)
        case "ps_module": return Source(table: "WindowsEvent", filter: "Channel == \"Microsoft-Windows-PowerShell/Operational\" and EventID == 4103", security: false)
        case "ps_classic_start": return Source(table: "WindowsEvent", filter: "Channel == \"Windows PowerShell\" and EventID == 400", security: false)
        case "": break
        default: throw SigmaError(message: "log source category '\(category)' is not mapped")
        }
        if service == "security" { return Source(table: "SecurityEvent", filter: "true", security: true) }
        // AppLocker writes to four channels (EXE and DLL, MSI and Script, Packaged app-Deployment and -Execution).
        if service == "applocker" { return Source(table: "WindowsEvent", filter: "Channel startswith \"Microsoft-Windows-AppLocker/\"", security: false) }
        guard let channel = Self.serviceChannels[service] else { throw SigmaError(message: "log source service '\(service)' is not mapped") }
        return Source(table: "WindowsEvent", filter: "Channel == \"\(channel)\"", security: false)
    }

    /// The rule as KQL over Sentinel's tables (Sysmon and other channels from WindowsEvent, the
    /// Security channel from SecurityEvent); an unsupported construct is an error with its reason.
    /// `carry`: columns every leg adds from a field of its event (`column`, Sigma field name), for a
    /// correlation's group-by and value fields.
    public func kql(carry: [(column: String, field: String)] = []) throws -> String {
        let src = try source()
        let main = try leg(src, carry: carry)
        guard alsoSecurity4688 else { return main }
        var sec = Source(table: "SecurityEvent", filter: "EventID == 4688", security: true)
        sec.processCreation4688 = true
        return "union\n  (" + main.replacingOccurrences(of: "\n", with: "\n   ") + "),\n  (" + (try leg(sec, carry: carry)).replacingOccurrences(of: "\n", with: "\n   ") + ")"
    }

    /// Process creation is also Security 4688 when every field the rule tests is one 4688 has.
    var alsoSecurity4688: Bool {
        category == "process_creation" && fieldsUsed.allSatisfy { Source.fields4688[$0] != nil || $0 == "EventID" }
    }

    /// The tables the rule's KQL reads (and only filters).
    public func tables() throws -> [String] {
        let main = try source().table
        return alsoSecurity4688 && main != "SecurityEvent" ? [main, "SecurityEvent"] : [main]
    }

    func leg(_ src: Source, carry: [(column: String, field: String)] = []) throws -> String {
        var parser = ConditionParser(text: conditions.joined(separator: " or "), searches: searches) { try self.expression($0, src) }
        let condition = try parser.parse()
        let carried = carry.isEmpty ? "" : "\n| extend " + carry.map { "\($0.column) = tostring(\(src.field($0.field)))" }.joined(separator: ", ")
        return "\(src.table)\n| where \(src.filter)\n| where \(condition)\n\(src.entities)" + carried
    }

    func expression(_ s: Search, _ src: Source) throws -> String {
        switch s {
        case .fields(let tests):
            guard !tests.isEmpty else { return "true" }
            return "(" + (try tests.map { try test($0, src) }.joined(separator: " and ")) + ")"
        case .anyOf(let alternatives):
            return "(" + (try alternatives.map { try expression($0, src) }.joined(separator: " or ")) + ")"
        case .keywords(let values):
            return keywords(values, src, every: false)
        }
    }

    /// Keywords anywhere in the event: any of them, or (`'|all'`) every one.
    func keywords(_ values: [SigmaValue], _ src: Source, every: Bool) -> String {
        let all = src.tableSource?.keywordColumn ?? (src.columns != nil ? "tostring(pack_all())" : src.security ? "EventData" : "tostring(EventData)")
        return "(" + values.map { v -> String in
            if case .string(let s) = v {
                let text = unescape(s).trimmingCharacters(in: CharacterSet(charactersIn: "*"))
                // A wildcard inside the keyword (`rm *sh_history`) is a pattern, not text to find.
                guard text.contains("*") || text.contains("?") else { return "\(all) contains \(quote(text))" }
                let pattern = NSRegularExpression.escapedPattern(for: text).replacingOccurrences(of: "\\*", with: ".*").replacingOccurrences(of: "\\?", with: ".")
                return "\(all) matches regex \(quote("(?i)" + pattern))"
            }
            if case .number(let n) = v { return "\(all) contains \(quote(n))" }
            return "false"
        }.joined(separator: every ? " and " : " or ") + ")"
    }

    func test(_ t: FieldTest, _ src: Source) throws -> String {
        if t.field.isEmpty {
            guard t.modifiers.allSatisfy({ $0 == "all" || $0 == "contains" }) else {
                throw SigmaError(message: "keyword modifiers \(t.modifiers.joined(separator: "|")) are not supported")
            }
            return keywords(t.values, src, every: t.modifiers.contains("all"))
        }
        let f = src.field(t.field)
        var mods = t.modifiers
        let all = mods.contains("all")
        mods.removeAll { $0 == "all" }
        if mods.contains("exists") {
            let want = t.values.first.map { $0 == .string("true") || $0 == .string("yes") } ?? true
            return want ? "isnotempty(\(f))" : "isempty(\(f))"
        }
        var values: [String] = []
        var numeric = false
        for v in t.values {
            switch v {
            case .null: values.append("\u{0}null")
            case .number(let n): values.append(n); numeric = true
            case .string(let s): values.append(s)
            }
        }
        // Encodings first: the value becomes what the log holds.
        if mods.contains("windash") {
            values = values.flatMap { v in ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"].map { v.replacingOccurrences(of: "-", with: $0) } }
            values = Array(Set(values)).sorted()
            mods.removeAll { $0 == "windash" }
        }
        let wide = mods.contains("utf16le") || mods.contains("wide") || mods.contains("utf16")
        if mods.contains("base64") || mods.contains("base64offset") {
            let offsets = mods.contains("base64offset")
            values = values.flatMap { v -> [String] in
                let bytes: [UInt8] = wide ? Array(v.utf16).flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] } : Array(v.utf8)
                return offsets ? Self.base64Offsets(bytes) : [Data(bytes).base64EncodedString()]
            }
            mods.removeAll { ["base64", "base64offset", "utf16le", "wide", "utf16", "utf16be"].contains($0) }
            if !mods.contains("contains") && !mods.contains("startswith") && !mods.contains("endswith") { mods.append("contains") }
        }
        let op = mods.first ?? ""
        // A long list of plain strings (IOC lists of hundreds of names) is one regular expression,
        // not hundreds of operators.
        if values.count > 20, !all, !numeric, ["", "contains", "startswith", "endswith"].contains(op),
           values.allSatisfy({ v in v != "\u{0}null" && !v.contains("*") && !v.contains("?") }) {
            let alternatives = values.map { NSRegularExpression.escapedPattern(for: $0.replacingOccurrences(of: "\\\\", with: "\\")) }.joined(separator: "|")
            let (pre, post) = op == "contains" ? ("", "") : op == "startswith" ? ("^", "") : op == "endswith" ? ("", "$") : ("^", "$")
            return "\(f) matches regex \(quote("(?i)" + pre + "(" + alternatives + ")" + post))"
        }
        let parts: [String] = try values.map { v in
            if v == "\u{0}null" { return "isempty(\(f))" }
            switch op {
            case "", "contains", "startswith", "endswith":
                if numeric && op.isEmpty { return t.field == "EventID" ? "\(f) == \(v)" : "\(f) == \(quote(v))" }
                return match(f, v, op)
            case "re":
                var flags = ""
                if mods.contains("i") { flags += "i" }
                if mods.contains("m") { flags += "m" }
                if mods.contains("s") { flags += "s" }
                let pattern = (flags.isEmpty ? "" : "(?\(flags))") + v
                if let problem = KQLRegex.problem(in: pattern) { throw SigmaError(message: problem) }
                return "\(f) matches regex \(quote(pattern))"
            case "cidr": return "ipv4_is_in_range(\(f), \(quote(v)))"
            case "lt": return "toreal(\(f)) < \(v)"
            case "lte": return "toreal(\(f)) <= \(v)"
            case "gt": return "toreal(\(f)) > \(v)"
            case "gte": return "toreal(\(f)) >= \(v)"
            case "fieldref": return "\(f) =~ \(src.field(v))"
            default: throw SigmaError(message: "modifier '\(op)' is not supported")
            }
        }
        if parts.count == 1 { return parts[0] }
        return "(" + parts.joined(separator: all ? " and " : " or ") + ")"
    }

    /// A Sigma string match: `*` and `?` are wildcards (`\*`, `\?` literal), case-insensitive.
    func match(_ f: String, _ raw: String, _ op: String) -> String {
        // The value's own escapes first, so that a trailing backslash never escapes the wildcard a
        // modifier adds.
        var pieces: [(literal: String, wild: Character?)] = []
        var lit = ""
        var it = raw.makeIterator()
        while let c = it.next() {
            if c == "\\" {
                if let n = it.next() {
                    if n == "*" || n == "?" { lit.append(n) } else if n == "\\" { lit.append(n) } else { lit.append(c); lit.append(n) }
                } else { lit.append(c) }
            } else if c == "*" || c == "?" {
                pieces.append((lit, c)); lit = ""
            } else { lit.append(c) }
        }
        pieces.append((lit, nil))
        if op == "contains" || op == "endswith" { pieces.insert(("", "*"), at: 0) }
        if op == "contains" || op == "startswith" { pieces[pieces.count - 1].wild = "*"; pieces.append(("", nil)) }
        let wilds = pieces.compactMap(\.wild)
        let lits = pieces.map(\.literal)
        if wilds.isEmpty { return "\(f) =~ \(quote(lits[0]))" }
        if !wilds.contains("?") {
            let inner = lits.enumerated().filter { !$0.element.isEmpty }
            if inner.count == 1 {
                let (i, l) = (inner[0].offset, inner[0].element)
                let leading = i > 0, trailing = i < lits.count - 1
                if leading && trailing { return "\(f) contains \(quote(l))" }
                if trailing && !leading { return "\(f) startswith \(quote(l))" }
                if leading && !trailing { return "\(f) endswith \(quote(l))" }
            }
            if inner.isEmpty { return "isnotempty(\(f))" }
        }
        var regex = "(?is)^"
        for p in pieces {
            regex += NSRegularExpression.escapedPattern(for: p.literal)
            if let w = p.wild { regex += w == "*" ? ".*" : "." }
        }
        return "\(f) matches regex \(quote(regex + "$"))"
    }

    func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    func unescape(_ s: String) -> String { s.replacingOccurrences(of: "\\*", with: "*").replacingOccurrences(of: "\\?", with: "?") }

    /// The three base64 forms of a value at byte offsets 0, 1 and 2 of a longer text, without the
    /// characters that depend on its neighbours.
    static func base64Offsets(_ bytes: [UInt8]) -> [String] {
        (0..<3).map { i in
            let padded = Array(repeating: UInt8(0), count: i) + bytes
            let enc = Array(Data(padded).base64EncodedString().utf8)
            let start = [0, 2, 3][i]
            let endTrim = [0, 3, 2][(bytes.count + i) % 3]
            let end = max(start, enc.count - endTrim)
            return String(decoding: enc[start..<end], as: UTF8.self)
        }
    }
}

/// Sigma's condition language: identifiers (with wildcards), `and`, `or`, `not`, parentheses,
/// `1 of X*`, `all of X*`, `1 of them`, `all of them`.
struct ConditionParser {
    var tokens: [String]
    var i = 0
    let searches: [String: SigmaRule.Search]
    let compile: (SigmaRule.Search) throws -> String

    init(text: String, searches: [String: SigmaRule.Search], compile: @escaping (SigmaRule.Search) throws -> String) {
        var t: [String] = []
        var cur = ""
        for c in text {
            if c == "(" || c == ")" { if !cur.isEmpty { t.append(cur); cur = "" }; t.append(String(c)) }
            else if c == " " || c == "\t" || c == "\n" { if !cur.isEmpty { t.append(cur); cur = "" } }
            else { cur.append(c) }
        }
        if !cur.isEmpty { t.append(cur) }
        tokens = t; self.searches = searches; self.compile = compile
    }

    mutating func parse() throws -> String {
        let e = try or()
        guard i == tokens.count else { throw SigmaRule.SigmaError(message: "condition: unexpected '\(tokens[i])'") }
        return e
    }
    mutating func or() throws -> String {
        var parts = [try and()]
        while i < tokens.count, tokens[i].lowercased() == "or" { i += 1; parts.append(try and()) }
        return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " or ") + ")"
    }
    mutating func and() throws -> String {
        var parts = [try not()]
        while i < tokens.count, tokens[i].lowercased() == "and" { i += 1; parts.append(try not()) }
        return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " and ") + ")"
    }
    mutating func not() throws -> String {
        if i < tokens.count, tokens[i].lowercased() == "not" { i += 1; return "not(" + (try not()) + ")" }
        return try primary()
    }
    mutating func primary() throws -> String {
        guard i < tokens.count else { throw SigmaRule.SigmaError(message: "condition ends early") }
        let t = tokens[i]; i += 1
        if t == "(" {
            let e = try or()
            guard i < tokens.count, tokens[i] == ")" else { throw SigmaRule.SigmaError(message: "condition: missing ')'") }
            i += 1
            return e
        }
        if (t == "1" || t.lowercased() == "all" || t.lowercased() == "any"), i + 1 < tokens.count, tokens[i].lowercased() == "of" {
            let target = tokens[i + 1]; i += 2
            let names = target.lowercased() == "them" ? searches.keys.filter { !$0.hasPrefix("_") }.sorted() : matching(target)
            guard !names.isEmpty else { throw SigmaRule.SigmaError(message: "condition: nothing matches '\(target)'") }
            let parts = try names.map { try compile(searches[$0]!) }
            return "(" + parts.joined(separator: t.lowercased() == "all" ? " and " : " or ") + ")"
        }
        guard let s = searches[t] else { throw SigmaRule.SigmaError(message: "condition: unknown search identifier '\(t)'") }
        return try compile(s)
    }
    func matching(_ pattern: String) -> [String] {
        let regex = "^" + NSRegularExpression.escapedPattern(for: pattern).replacingOccurrences(of: "\\*", with: ".*") + "$"
        return searches.keys.filter { $0.range(of: regex, options: .regularExpression) != nil }.sorted()
    }
}
