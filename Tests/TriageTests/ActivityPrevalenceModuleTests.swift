import Foundation
import KQL
import Testing
import Triage
import VigilCore

/// The estate-prevalence module: the launches an incident's alerts matched, counted on every host
/// before it. A renderer started from userinit on a dozen hosts is common (its client id masked); an
/// encoded PowerShell command nobody ran is not.
@Suite struct ActivityPrevalenceModuleTests {
    static let now = DateTimeParser.parse("2024-06-30T00:00:00Z")!
    static let hour: Int64 = 36_000_000_000
    static let chrome = #"C:\Program Files\Google\Chrome\Application\chrome.exe"#
    static let userinit = #"C:\Windows\System32\userinit.exe"#

    static func launch(_ host: String, _ image: String, _ cmd: String, at t: Int64) -> [String: Value] {
        ["TimeGenerated": .datetime(t), "Computer": .string(host), "EventID": .long(4688), "ParentProcessName": .string(userinit),
         "NewProcessName": .string(image), "CommandLine": .string(cmd), "Account": .string("CONTOSO\\someone")]
    }

    /// Twelve hosts started the renderer (each with its own client id) over the days before; the
    /// alert matched one more renderer and an encoded PowerShell.
    static func tables(alertRows: [[String: Value]]) -> InMemoryTables {
        var t = InMemoryTables(schemas: SchemaCatalog.builtIn)
        let se = SchemaCatalog.builtIn["SecurityEvent"]!
        var rows = (0..<12).map { i in launch("WS-\(i).corp", chrome, "\"\(chrome)\" --type=renderer --renderer-client-id=\(3000 + i * 17)", at: now - Int64(i + 2) * 24 * hour) }
        rows += (0..<12).map { i in launch("SRV-\(i).corp", #"C:\Windows\System32\cmd.exe"#, #"C:\Windows\system32\cmd.exe /c "C:\Users\user\#(i * 7)\AppData\Local\Temp\setup_\#(i * 31).bat""#, at: now - Int64(i + 2) * 24 * hour) }
        rows += alertRows.map { r in r.merging(["TimeGenerated": .datetime(now - hour)]) { $1 } }
        t.add("SecurityEvent", Table.from(schema: se, rows: rows.map { r in se.columns.map { r[$0.name] ?? .null } }))
        // The alert keeps its query's rows as JSON text, as Sentinel's ExtendedProperties do.
        func json(_ o: Any) -> String { String(decoding: try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]), as: UTF8.self) }
        let results = json(alertRows.map { r in r.compactMapValues { v -> Any? in v.asString ?? v.asInt64.map { $0 as Any } } })
        let props = json(["Analytic Rule Ids": #"["userinit"]"#, "Query Results": results])
        let sa = SchemaCatalog.builtIn["SecurityAlert"]!
        let alert: [String: Value] = ["TimeGenerated": .datetime(now - hour), "SystemAlertId": .string("a1"), "AlertName": .string("Uncommon Userinit Child Process"),
                                      "ExtendedProperties": .string(props)]
        t.add("SecurityAlert", Table.from(schema: sa, rows: [sa.columns.map { alert[$0.name] ?? .null }]))
        return t
    }

    static func run(_ alertRows: [[String: Value]]) throws -> [Finding] {
        var inc = Incident(id: "i", number: 1, title: "Uncommon Userinit Child Process", severity: .high, createdTime: now)
        inc.alerts = [Incident.AlertRef(systemAlertID: "a1", ruleID: "userinit", name: inc.title, severity: .high, tactics: [], startTime: now - hour, endTime: now - hour, isAnomaly: false)]
        inc.firstActivityTime = now - hour
        inc.lastActivityTime = now - hour
        return try ActivityPrevalenceModule().run(TriageContext(incident: inc, provider: tables(alertRows: alertRows), now: now))
    }

    @Test func aLaunchManyHostsRanBeforeIsCommonOnesNobodyRanAreNot() throws {
        let renderer = Self.launch("WS-99.corp", Self.chrome, "\"\(Self.chrome)\" --type=renderer --renderer-client-id=88231", at: 0)
        let encoded = Self.launch("WS-99.corp", #"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"#, "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA", at: 0)
        let f = try Self.run([renderer, encoded]).sorted { $0.summary < $1.summary }
        #expect(f.map(\.level) == ["common", "uncommon"])
        #expect(f[0].summary.hasPrefix(#"userinit.exe → chrome.exe ("c:\program files\google\chrome\application\chrome.exe" --type=renderer --ren...)"#))
        #expect(f[0].summary.hasSuffix("): 12 launches on 12 hosts in the 14 days before: common in this estate"))
        #expect(f[0].evidence.first?["commandLine"] == #""c:\program files\google\chrome\application\chrome.exe" --type=renderer --renderer-client-id=#"#)
        #expect(f[1].summary.hasPrefix("userinit.exe → powershell.exe (powershell.exe -nop -w hidden -enc sqbfafgaiaaoae#zqb#twbiagoa): 0 launches on 0 hosts"))
        #expect(f[1].summary.hasSuffix(": never seen in this estate"))
        #expect(f[0].evidence.first?["fact"] == "activity prevalence" && f[0].evidence.first?["hosts"] == "12" && f[0].evidence.first?["rowsCounted"] == "12")
        // The runner's verdict: routine only when every launch is common.
        let runner = TriageRunner(modules: [])
        var inc = Incident(id: "i", number: 1, title: "x", severity: .high, createdTime: Self.now)
        inc.firstActivityTime = Self.now
        inc.lastActivityTime = Self.now
        func verdict(_ findings: [Finding]) -> Bool? {
            runner.apply([ModuleReport(module: "Estate prevalence", findings: findings, comment: "", error: nil, millis: 0)], to: inc, now: Self.now).riskScore?.routineActivity
        }
        #expect(verdict(f) == false && verdict([f[0]]) == true && verdict([]) == nil)
        let scored = runner.apply([ModuleReport(module: "Estate prevalence", findings: f, comment: "", error: nil, millis: 0)], to: inc, now: Self.now)
        #expect(scored.riskScore?.uncommonLaunchAccounts == ["contoso\\someone"])
    }

    /// Each user's own temp folder and file number: the same logon script everywhere.
    @Test func aProfileFolderIsMaskedLikeANumber() throws {
        let script = Self.launch("WS-99.corp", #"C:\Windows\System32\cmd.exe"#, #"C:\Windows\system32\cmd.exe /c "C:\Users\svc_sched119\AppData\Local\Temp\setup_88.bat""#, at: 0)
            .merging(["Account": .string("CONTOSO\\svc_sched119")]) { $1 }
        let f = try #require(try Self.run([script]).first)
        #expect(f.level == "common" && f.evidence.first?["hosts"] == "12", "\(f.summary)")
        #expect(f.evidence.first?["commandLine"] == #"c:\windows\system#\cmd.exe /c "c:\users\*\appdata\local\temp\setup_#.bat""#)
        #expect(f.evidence.first?["accounts"] == "contoso\\svc_sched119")
    }

    @Test func anAlertWithoutLaunchesHasNothingToCount() throws {
        #expect(try Self.run([["Computer": .string("WS-1"), "EventID": .long(4720), "TargetUserName": .string("WS-1$")]]).isEmpty)
    }
}
