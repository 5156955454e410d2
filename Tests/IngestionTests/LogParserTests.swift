import Foundation
import Ingestion
import KQL
import Testing

/// Each parser on real sample lines (from the shared Sentinel samples) and on the edge cases of its spec.
@Suite struct LogParserTests {
    static let now = DateTimeParser.parse("2026-11-24T12:00:00Z")!

    /// Parses text into one table of the given target; returns the table and the diagnostics.
    func parse(_ text: String, _ format: LogFormat, table: String) throws -> (Table, DiagnosticLog) {
        var bytes = Array(text.utf8)
        let schema = SchemaCatalog.builtIn[table] ?? Schema([])
        let r = try bytes.withUnsafeMutableBufferPointer { b in
            try Ingestor.parseAll(UnsafeBufferPointer(b), format: format, table: table, schema: schema,
                                  policy: SchemaCatalog.builtIn[table] != nil ? .fixed : .extensible, source: "t", ingestionTime: Self.now)
        }
        let t = r.batches.first ?? Table.empty(Schema([]))
        return (t, r.diagnostics)
    }

    func value(_ t: Table, _ col: String, _ row: Int = 0) -> Value { t.column(named: col)?.value(at: row) ?? .null }

    // MARK: syslog

    @Test func rfc3164FromOpenVPNSample() throws {
        let (t, d) = try parse("Jun 21 11:17:33 demo-host.local openvpn[30264]: 1.2.3.4:41445 peer info: IV_TCPNL=1\n", .syslog, table: "Syslog")
        #expect(d.warnings == 0 && d.skippedRecords == 0)
        #expect(value(t, "Computer") == .string("demo-host.local"))
        #expect(value(t, "HostName") == .string("demo-host.local"))
        #expect(value(t, "ProcessName") == .string("openvpn"))
        #expect(value(t, "ProcessID") == .long(30264))
        #expect(value(t, "SyslogMessage") == .string("1.2.3.4:41445 peer info: IV_TCPNL=1"))
        #expect(value(t, "TimeGenerated") == .datetime(DateTimeParser.parse("2026-06-21T11:17:33Z")!))
        #expect(value(t, "Facility") == .string("user"))
        #expect(value(t, "SeverityLevel") == .string("notice"))
        #expect(value(t, "Type") == .string("Syslog"))
    }

    @Test func rfc3164PriorityPaddedDayAndYearTurn() throws {
        // Dec 31 received on Jan 1: last year, not eleven months ahead.
        let m = SyslogMessage.parse("<38>Dec 31 23:59:59 gw sshd: Accepted publickey", reference: DateTimeParser.parse("2027-01-01T00:00:10Z")!)
        #expect(m.format == .rfc3164)
        #expect(m.facility == 4 && m.severity == 6)
        #expect(m.timestamp == DateTimeParser.parse("2026-12-31T23:59:59Z"))
        #expect(m.appName == "sshd" && m.procID == "")
        #expect(m.message == "Accepted publickey")
        let padded = SyslogMessage.parse("<13>Aug  3 10:49:35 host app: x", reference: Self.now)
        #expect(padded.timestamp == DateTimeParser.parse("2026-08-03T10:49:35Z"))
        #expect(padded.hostname == "host")
    }

    @Test func rfc5424WithStructuredData() throws {
        let line = #"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 8710 ID47 [exampleSDID@32473 iut="3" eventSource="App\]lication"] BOMAn application event"#
        let m = SyslogMessage.parse(Substring(line), reference: Self.now)
        #expect(m.format == .rfc5424)
        #expect(m.facility == 20 && m.severity == 5)
        #expect(m.timestamp == DateTimeParser.parse("2003-10-11T22:14:15.003Z"))
        #expect(m.hostname == "mymachine.example.com")
        #expect(m.appName == "evntslog" && m.procID == "8710" && m.msgID == "ID47")
        #expect(m.structuredData == #"[exampleSDID@32473 iut="3" eventSource="App\]lication"]"#)
        #expect(m.message == "BOMAn application event")
        let (t, _) = try parse(line + "\n<34>1 2003-10-11T22:14:15Z - - - - - nil fields\n", .syslog, table: "Syslog")
        #expect(t.count == 2)
        #expect(value(t, "Facility") == .string("local4"))
        #expect(value(t, "SeverityLevel") == .string("notice"))
        #expect(value(t, "ProcessID") == .long(8710))
        #expect(value(t, "Computer", 1) == .string(""))
        #expect(value(t, "SyslogMessage", 1) == .string("nil fields"))
        #expect(value(t, "SeverityLevel", 1) == .string("crit"))
    }

    // MARK: CEF

    @Test func cefBehindSyslogHeaderFromBarracudaSample() throws {
        let line = #"Aug  3 10:49:35 Barracuda CEF: 0|BarracudaNetworks|WAAS|BNWAS-1.0|WAF|WAF|4| cat=TR dvc=10.239.1.26 duser="-" in=209 src=101.173.234.143 spt=48293 requestMethod=GET app=HTTP msg=lang=en dst=- dpt=9049 rt=1659523775038 request=/pma/index.php requestClientApplication=Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 cs1Label=ClientType cs1=%ct cn1Label=ServicePort cn1=9049 flexNumber1Label=ServerTime(ms) flexNumber1=0 BarracudaWafResponseType=INTERNAL"#
        let (t, d) = try parse(line, .cef, table: "CommonSecurityLog")
        #expect(d.skippedRecords == 0)
        #expect(value(t, "DeviceVendor") == .string("BarracudaNetworks"))
        #expect(value(t, "DeviceProduct") == .string("WAAS"))
        #expect(value(t, "DeviceVersion") == .string("BNWAS-1.0"))
        #expect(value(t, "DeviceEventClassID") == .string("WAF"))
        #expect(value(t, "Activity") == .string("WAF"))
        #expect(value(t, "LogSeverity") == .string("4"))
        #expect(value(t, "Computer") == .string("Barracuda"))
        #expect(value(t, "DeviceAddress") == .string("10.239.1.26"))
        #expect(value(t, "SourceIP") == .string("101.173.234.143"))
        #expect(value(t, "SourcePort") == .long(48293))
        #expect(value(t, "ReceivedBytes") == .long(209))
        #expect(value(t, "DestinationPort") == .long(9049))
        #expect(value(t, "Message") == .string("lang=en"))
        #expect(value(t, "RequestURL") == .string("/pma/index.php"))
        #expect(value(t, "RequestClientApplication") == .string("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"))
        #expect(value(t, "DeviceCustomString1Label") == .string("ClientType"))
        #expect(value(t, "DeviceCustomString1") == .string("%ct"))
        #expect(value(t, "DeviceCustomNumber1") == .long(9049))
        #expect(value(t, "FlexNumber1Label") == .string("ServerTime(ms)"))
        #expect(value(t, "ReceiptTime") == .string("1659523775038"))
        // `rt` (epoch milliseconds) is the event time.
        #expect(value(t, "TimeGenerated") == .datetime(1_659_523_775_038 * 10_000))
        #expect(value(t, "AdditionalExtensions") == .string("BarracudaWafResponseType=INTERNAL"))
    }

    @Test func cefEscapes() throws {
        let m = CEFMessage.parse(#"CEF:0|Sec\|urity|threat\\manager|1.0|100|detected a \| in message|10|src=10.0.0.1 act=blocked a \= b msg=line1\nline2 path=C:\\Windows"#)
        #expect(m?.deviceVendor == "Sec|urity")
        #expect(m?.deviceProduct == #"threat\manager"#)
        #expect(m?.name == "detected a | in message")
        #expect(m?.severity == "10")
        #expect(m?.extensions.map(\.key) == ["src", "act", "msg", "path"])
        #expect(m?.extensions[1].value == "blocked a = b")
        #expect(m?.extensions[2].value == "line1\nline2")
        #expect(m?.extensions[3].value == #"C:\Windows"#)
        #expect(CEFMessage.parse("CEF:0|too|few|fields") == nil)
    }

    @Test func cefBareLineFromCitrixSample() throws {
        let (t, _) = try parse("CEF:0|Citrix|NetScaler|NS13.1|APPFW|APPFW_STARTURL|6|src=10.10.10.10 spt=53743 method=GET request=http://www.example.org/www/login.html msg=Disallow Illegal URL. cn1=233 cs1=def_profile act=blocked\nnot cef at all\n", .cef, table: "CommonSecurityLog")
        #expect(t.count == 1)
        #expect(value(t, "Message") == .string("Disallow Illegal URL."))
        #expect(value(t, "DeviceAction") == .string("blocked"))
        #expect(value(t, "AdditionalExtensions") == .string("method=GET"))
        // No time in the record: ingestion time.
        #expect(value(t, "TimeGenerated") == .datetime(Self.now))
    }

    // MARK: W3C

    @Test func w3cIISLog() throws {
        let text = """
        #Software: Microsoft Internet Information Services 10.0
        #Version: 1.0
        #Date: 2026-11-20 00:00:01
        #Fields: date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
        2026-11-20 00:00:01 W3SVC1 10.0.0.4 GET /owa/auth/x.js a=1 443 - 203.0.113.9 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 15
        2026-11-20 00:00:02 W3SVC1 10.0.0.4 POST /autodiscover/autodiscover.json - 443 CONTOSO\\bob 198.51.100.7 python-requests/2.31 - 401 1 2148074254 3

        """
        let (t, d) = try parse(text, .w3c, table: "W3CIISLog")
        #expect(d.skippedRecords == 0 && d.warnings == 0)
        #expect(t.count == 2)
        #expect(value(t, "TimeGenerated") == .datetime(DateTimeParser.parse("2026-11-20T00:00:01Z")!))
        #expect(value(t, "csMethod", 1) == .string("POST"))
        #expect(value(t, "csUriStem", 1) == .string("/autodiscover/autodiscover.json"))
        #expect(value(t, "csUriQuery", 1) == .string(""))
        #expect(value(t, "csUserName", 1) == .string("CONTOSO\\bob"))
        #expect(value(t, "cIP") == .string("203.0.113.9"))
        #expect(value(t, "sPort") == .long(443))
        #expect(value(t, "scStatus", 1) == .string("401"))
        #expect(value(t, "TimeTaken") == .long(15))
        #expect(value(t, "csUserAgent") == .string("Mozilla/5.0+(Windows+NT+10.0)"))
        #expect(value(t, "sSiteName") == .string("W3SVC1"))
        #expect(value(t, "Date") == .string("2026-11-20"))
    }

    // MARK: JSON

    @Test func jsonShapesAndBadRecords() throws {
        let lines = "{\"TimeGenerated\":\"2026-11-20T01:02:03Z\",\"EventID\":\"4625\",\"Account\":\"CONTOSO\\\\alice\",\"Computer\":\"ws1\"}\n{broken json\n{\"EventID\":4624,\"Account\":\"b\\u00e9\",\"Extra\":1}\n"
        let (t, d) = try parse(lines, .json, table: "SecurityEvent")
        #expect(t.count == 2)
        #expect(d.skippedRecords == 1)
        #expect(d.items.contains { $0.line == 2 && $0.severity == .error })
        #expect(d.items.contains { $0.column == "Extra" })
        #expect(value(t, "EventID") == .long(4625))
        #expect(value(t, "EventID", 1) == .long(4624))
        #expect(value(t, "Account") == .string("CONTOSO\\alice"))
        #expect(value(t, "Account", 1) == .string("bé"))
        // No TimeGenerated: the ingestion time.
        #expect(value(t, "TimeGenerated", 1) == .datetime(Self.now))
        let array = "[ {\"a_s\": \"x\", \"n\": 1.5, \"obj\": {\"k\": [1, 2]}},\n {\"a_s\": \"y\", \"n\": 2, \"obj\": null} ]"
        let (u, _) = try parse(array, .json, table: "Test_CL")
        #expect(u.count == 2)
        #expect(u.column(named: "n")?.type == .real)
        #expect(value(u, "obj") == Value.parseJSON("{\"k\":[1,2]}"))
        let wrapped = "{\"table\": [{\"a_s\": \"x\"}, {\"a_s\": \"y\"}]}"
        let (w, _) = try parse(wrapped, .json, table: "Test_CL")
        #expect(w.count == 2)
        #expect(value(w, "a_s", 1) == .string("y"))
    }

    @Test func customColumnsAreTypedBySuffixThenValue() throws {
        let text = "{\"when_t\":\"2026-01-02T03:04:05Z\",\"ok_b\":\"true\",\"n_d\":\"3\",\"id_g\":\"5E8B0B52-7D3B-4B5F-9C2A-2D6D7B0C1A11\",\"count\":7,\"ratio\":0.5,\"name\":\"x\",\"tags\":[\"a\"]}\n{\"count\":\"many\"}\n"
        let (t, d) = try parse(text, .json, table: "Types_CL")
        let types = Dictionary(uniqueKeysWithValues: t.schema.columns.map { ($0.name, $0.type) })
        #expect(types["when_t"] == .datetime && types["ok_b"] == .bool && types["n_d"] == .real && types["id_g"] == .guid)
        #expect(types["count"] == .long && types["ratio"] == .real && types["name"] == .string && types["tags"] == .dynamic)
        // The first record's time column stands in for a missing TimeGenerated.
        #expect(value(t, "TimeGenerated") == .datetime(DateTimeParser.parse("2026-01-02T03:04:05Z")!))
        // A later conflicting value keeps the column's type; the value is nulled and reported.
        #expect(value(t, "count", 1) == .null)
        #expect(d.items.contains { $0.column == "count" && $0.line == 2 })
    }

    // MARK: CSV

    @Test func csvPortalExport() throws {
        let text = "\u{FEFF}TimeGenerated [UTC],Account,EventID,Details\n\"4/28/2021, 2:08:45.221 PM\",\"CONTOSO\\alice\",4625,\"{\"\"a\"\":1}\"\n\n\"4/28/2021, 2:09:00.000 PM\",bob,null,\n"
        let (t, d) = try parse(text, .csv, table: "SecurityEvent")
        #expect(t.count == 2)
        #expect(d.warnings == 1)
        #expect(d.items.first?.column == "Details")
        #expect(value(t, "TimeGenerated") == .datetime(DateTimeParser.parse("2021-04-28T14:08:45.221Z")!))
        #expect(value(t, "EventID") == .long(4625))
        #expect(value(t, "EventID", 1) == .null)
        #expect(value(t, "Account") == .string("CONTOSO\\alice"))
    }

    @Test func csvHeaderlessFeedAsCustomTable() throws {
        let (t, d) = try parse("1.2.3.0/24,VPS Inc\n5.6.7.0/24,Other\n", .csv, table: "Feed_CL")
        #expect(t.count == 2)
        #expect(t.schema.names.contains("Column1"))
        #expect(value(t, "Column1", 1) == .string("5.6.7.0/24"))
        #expect(d.items.contains { $0.reason.contains("no header row") })
    }

    @Test func formatDetection() {
        func detect(_ name: String, _ s: String) -> LogFormat? { var b = Array(s.utf8); return b.withUnsafeMutableBufferPointer { LogFormat.detect(name: name, head: UnsafeBufferPointer($0)) } }
        #expect(detect("x.log", "<34>Oct 11 22:14:15 mymachine su: 'su root' failed") == .syslog)
        #expect(detect("x.log", "Jun 21 11:17:33 demo-host.local openvpn: hi") == .syslog)
        #expect(detect("x.txt", "Aug  3 10:49:35 Barracuda CEF: 0|a|b|c|d|e|4| src=1") == .cef)
        #expect(detect("x.log", "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time") == .w3c)
        #expect(detect("x.dat", "  [{\"a\":1}]") == .json)
        #expect(detect("x.csv", "a,b\n1,2") == .csv)
        #expect(detect("x.bin", "hello") == nil)
    }

    @Test func tableNames() throws {
        #expect(Ingestor.isCustomName("Okta_CL"))
        #expect(!Ingestor.isCustomName("_CL"))
        #expect(!Ingestor.isCustomName("1bad_CL"))
        #expect(!Ingestor.isCustomName("Bad Name_CL"))
        #expect(throws: IngestionError.self) { try Ingestor.validate("NotATable", isBuiltIn: { SchemaCatalog.builtIn[$0] != nil }) }
        #expect(try Ingestor.validate("Syslog", isBuiltIn: { SchemaCatalog.builtIn[$0] != nil }) == "Syslog")
    }
}
