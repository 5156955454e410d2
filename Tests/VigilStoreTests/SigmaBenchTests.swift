import Foundation
import Testing
import VigilApp

/// `vigil bench --sigma` at a tiny size: three rule files (a Windows process-creation rule, a
/// Bitbucket rule Vigil does not map, a correlation) over a day of a few SecurityEvent rows.
@Suite struct SigmaBenchTests {
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/sigma/rules").standardized

    @Test func rulesLoadPerLogSourceAndRunOverADay() throws {
        let dir = NSTemporaryDirectory() + "vigil-sigma-bench-" + UUID().uuidString
        let rules = dir + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.shared.appendingPathComponent("windows/process_creation/proc_creation_win_reg_add_run_key.yml").path,
                                         toPath: rules + "/run_key.yml")
        let unmapped = try #require(FileManager.default.contentsOfDirectory(atPath: Self.shared.appendingPathComponent("application/bitbucket/audit").path).sorted().first)
        try FileManager.default.copyItem(atPath: Self.shared.appendingPathComponent("application/bitbucket/audit/" + unmapped).path, toPath: rules + "/bitbucket.yml")
        try """
        title: Many failed logons for one account
        correlation: {type: event_count, rules: [failed], group-by: [TargetUserName], timespan: 1h, condition: {gte: 3}}
        level: high
        ---
        title: failed
        name: failed
        logsource: {product: windows, service: security}
        detection: {selection: {EventID: 4625}, condition: selection}
        """.write(toFile: rules + "/mr_failed.yml", atomically: true, encoding: .utf8)
        let header = "TimeGenerated,Computer,EventID,Activity,Account,AccountType,TargetUserName,SubjectUserName,LogonType,IpAddress,WorkstationName,Status,SubStatus,Process,NewProcessName,ParentProcessName,CommandLine"
        var rows = [header]
        for i in 0..<4 { rows.append("2024-06-29T10:0\(i):00Z,DC1,4625,4625 - An account failed to log on.,CONTOSO\\eve,User,eve,-,3,45.1.1.1,kali,0xc000006d,0xc000006a,,,,") }
        rows.append(#"2024-06-29T12:00:00Z,WS-1,4688,4688 - A new process has been created.,CONTOSO\bob,User,,bob,,-,,,,reg.exe,C:\Windows\System32\reg.exe,C:\Windows\explorer.exe,"reg add HKCU\Software\Microsoft\Windows\CurrentVersion\Run /v x /d C:\Users\Public\x.exe""#)
        try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/SecurityEvent.csv", atomically: true, encoding: .utf8)
        try "TimeGenerated,UserPrincipalName,ResultType\n2024-06-29T09:00:00Z,eve@contoso.com,0\n".write(toFile: dir + "/SigninLogs.csv", atomically: true, encoding: .utf8)
        try #"{"now": "2024-06-30T00:00:00Z"}"#.write(toFile: dir + "/ground_truth.json", atomically: true, encoding: .utf8)

        let f = try Benchmark(dataDir: dir, runs: 1, log: { _ in }).runSigma(workspace: dir + "/ws", directories: [rules], concurrency: 2)
        #expect(f.files == 3 && f.loaded == 2 && f.events == 6, "\(f)")
        #expect(f.byLogsource.contains { $0.logsource == "windows/process_creation" && $0.loaded == 1 })
        #expect(f.byLogsource.contains { $0.logsource == "correlation" && $0.loaded == 1 })
        #expect(f.byLogsource.contains { $0.logsource.hasPrefix("bitbucket/") && $0.loaded == 0 })
        #expect(f.reasons.first?.reason.contains("log source bitbucket/") == true && f.reasons.first?.reason.contains("is not mapped") == true, "\(f.reasons)")
        #expect(f.failedRuns == 0 && f.cycleSeconds > 0)
        #expect(f.alertsPerRule.map(\.rule).sorted() == ["Many failed logons for one account", "Potential Persistence Attempt Via Run Keys Using Reg.EXE"], "\(f.alertsPerRule)")
    }
}
