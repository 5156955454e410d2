import Detection
import Foundation
import Testing

/// The installed binary brings its detections: a workspace made in any folder (no `rules/` checkout
/// around) gets the pack, and `vigil detect` with no `--rules` raises the pack's alerts.
@Suite(.serialized) struct BuiltInContentProcessTests {
    /// Runs `vigil ARGS` in `cwd`; returns (status, stdout, stderr).
    static func vigil(_ args: [String], cwd: String) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = DurabilityKillTests.vigilBinary
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func aWorkspaceMadeAnywhereDetectsWithThePack() throws {
        let dir = NSTemporaryDirectory() + "vigil-anywhere-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Self.vigil(["init", "--workspace", "ws"], cwd: dir).0 == 0)
        let event = #"{"TimeGenerated":"2026-11-23T10:00:00Z","Computer":"WS-7","EventID":4688,"Account":"CONTOSO\\eve","#
            + #""NewProcessName":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","CommandLine":"powershell -enc SQBFAFgAIAAoAE4AZQB3AC0A"}"#
        try (event + "\n").write(toFile: dir + "/events.json", atomically: true, encoding: .utf8)
        #expect(try Self.vigil(["ingest", "--workspace", "ws", "--table", "SecurityEvent", "events.json"], cwd: dir).0 == 0)
        let (status, out, err) = try Self.vigil(["detect", "--workspace", "ws", "--from", "2026-11-23T09:00:00Z", "--to", "2026-11-23T12:00:00Z",
                                                 "--as-generated", "--dry-run"], cwd: dir)
        #expect(status == 0, "\(err)")
        #expect(err.contains("\(BuiltInRulePack.rules.count + BuiltInRulePack.sigmaFiles.count) rules,"), "\(err)")
        #expect(out.contains("PowerShell with an encoded command"), "\(out)")
        // A Sigma rule shows the KQL it became; a pack rule shows as Vigil runs it.
        let sigma = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/data/sigma/rules/windows/process_creation/proc_creation_win_reg_add_run_key.yml").standardized.path
        let (_, kql, _) = try Self.vigil(["rules", "show", "--workspace", "ws", "--kql", sigma], cwd: dir)
        #expect(kql.hasPrefix("union\n  (WindowsEvent\n   | where Provider == \"Microsoft-Windows-Sysmon\" and EventID in (1)"), "\(kql)")
        let (_, shown, _) = try Self.vigil(["rules", "show", "--workspace", "ws", "EncodedPowerShell.yaml"], cwd: dir)
        #expect(shown.hasPrefix("PowerShell with an encoded command (NRT)\nid: 5f1d2a70-3c41-4e0b-9f7a-1b2c3d4e5f09"), "\(shown)")
        let (_, update, _) = try Self.vigil(["rules", "update", "--workspace", "ws"], cwd: dir)
        #expect(update.contains("-> \(BuiltInRulePack.version): 0 added, 0 updated, \(BuiltInRulePack.files.count) unchanged"), "\(update)")
        #expect(update.contains("Sigma set \(BuiltInRulePack.sigmaVersion) -> \(BuiltInRulePack.sigmaVersion): 0 added, 0 updated, \(BuiltInRulePack.sigmaFiles.count) unchanged"), "\(update)")
    }
}
