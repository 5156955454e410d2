import Detection
import Foundation
import KQL
import Testing
import VigilApp
import VigilCore
import VigilStore

/// Real recordings (Sigma's regression set, .evtx) through the EVTX reader into a workspace, then the
/// shipped pack over them: what a host really wrote must raise the pack's alert.
@Suite struct EvtxRecordingDetectionTests {
    static let root = TestWorkspace.samples.deletingLastPathComponent().appendingPathComponent("sigma/regression_data/rules/windows")

    @Test(arguments: [
        ("file/file_event/file_event_win_taskmgr_lsass_dump/69ca12af-119d-44ed-b50f-a47af0ebc364", "LSASS memory read or dumped"),
        ("process_creation/proc_creation_win_reg_add_run_key/de587dce-915e-4218-aac4-835ca6af6f70", "Autostart registry key set to run a suspicious program"),
        ("registry/registry_set/registry_set_bypass_uac_using_eventviewer/674202d0-b22a-4af4-ae5f-2eda1f3da1af", "UAC bypass through an auto-elevating binary"),
    ])
    func theRecordingRaisesThePacksAlert(_ recording: String, _ rule: String) throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        let bytes = [UInt8](try Data(contentsOf: Self.root.appendingPathComponent(recording + ".evtx")))
        let s = try store.ingestEvtx(bytes, source: recording)
        #expect(s.problems.isEmpty && s.records >= 1 && s.tables.allSatisfy { $0.skipped == 0 })
        guard case .success(let r, _) = QueryRunner(provider: store, now: TestWorkspace.now).run(
            "union SecurityEvent, Event | summarize min(TimeGenerated)"), case .datetime(let t)? = r.first?.table.row(0).first else {
            Issue.record("no events stored"); return
        }
        let rules = try DetectReplay.loadRules(BuiltInRulePack.directory!.path, validator: RuleValidator(catalog: store, now: t)) { _ in }
        var replay = DetectReplay(store: store, rules: rules, delay: 0)
        replay.nrtByTimeGenerated = true
        let hour = Ticks.perHour
        let result = replay.run(from: t - t % hour, to: t - t % hour + 2 * hour)
        let fired = Set(result.alerts.compactMap { a in rules.first { $0.id == AlertRecords.fromAlertRow(a.row)?.ruleID }?.name })
        #expect(fired.contains(rule), "\(fired)")
        #expect(result.outcomes.allSatisfy { $0.error == nil })
    }

    /// The Security channel becomes SecurityEvent with Sentinel's columns; others Event (XML) and WindowsEvent (dynamic).
    @Test func channelsLandInSentinelsTables() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        let files = (FileManager.default.enumerator(atPath: Self.root.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".evtx") }.sorted()
        var events = 0
        for f in files {
            let s = try store.ingestEvtx([UInt8](try Data(contentsOf: Self.root.appendingPathComponent(f))), source: f)
            #expect(s.problems.isEmpty, "\(f): \(s.problems)")
            events += s.records
        }
        guard case .success(let r, _) = QueryRunner(provider: store, now: TestWorkspace.now).run("""
            let sec = SecurityEvent | where isnotempty(Account) and isnotempty(Activity) and EventData has "<Data Name=" | count;
            let ev = Event | where EventData startswith "<DataItem" and isnotempty(Source) and isnotempty(EventLog) | count;
            let we = WindowsEvent | where isnotempty(Provider) and isnotempty(Channel) and isnotempty(tostring(EventData)) | count;
            union (sec | extend T = "SecurityEvent"), (ev | extend T = "Event"), (we | extend T = "WindowsEvent") | order by T asc
            """) else { Issue.record("query failed"); return }
        let counts = (0..<r[0].table.count).map { r[0].table.row($0)[0] }
        #expect(counts.count == 3)
        if counts.count == 3, case .long(let e) = counts[0], case .long(let sec) = counts[1], case .long(let w) = counts[2] {
            #expect(e == w && e + sec == Int64(events), "\(e) + \(sec) of \(events)")
            #expect(sec >= 1)
        }
    }
}

/// `vigil bench --evtx` at a tiny size: three recordings read, mapped and stored.
@Suite struct EvtxBenchTests {
    @Test func theBenchRunsOnAFewRecordings() throws {
        let dir = NSTemporaryDirectory() + "vigil-evtx-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let root = EvtxRecordingDetectionTests.root
        let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".evtx") }.sorted().prefix(3)
        for (i, f) in files.enumerated() { try FileManager.default.copyItem(atPath: root.appendingPathComponent(f).path, toPath: dir + "/\(i).evtx") }
        let r = try Benchmark.runEvtx(directory: dir, rounds: 2, workspace: dir + "/ws")
        #expect(r.files == 3 && r.events >= 3)
        #expect(r.readEventsPerSecond > 0 && r.mappedEventsPerSecond > 0 && r.storedEventsPerSecond > 0)
    }

    /// `vigil bench --evtx-events N`: a busy host's synthetic log, every event stored in its table.
    @Test func theBenchRunsOnASyntheticBusyHost() throws {
        let dir = NSTemporaryDirectory() + "vigil-evtx-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(EvtxSynthetic.file(events: 2_000)).write(to: URL(fileURLWithPath: dir + "/busy.evtx"))
        let r = try Benchmark.runEvtx(directory: dir, rounds: 1, workspace: dir + "/ws")
        #expect(r.files == 1 && r.events == 2_000)
        let store = try LogStore(workspace: Workspace.open(dir + "/ws"))
        let counts = QueryRunner(provider: store, now: 0).runJSON("union SecurityEvent, WindowsEvent | summarize count() by Type, EventID | order by Type asc, EventID asc").json
        #expect(counts.contains("\"SecurityEvent\",4624") && counts.contains("\"SecurityEvent\",4688") && counts.contains("\"WindowsEvent\",1,"))
        let logons = QueryRunner(provider: store, now: 0).runJSON("SecurityEvent | where EventID == 4624 | take 1 | project Account, LogonType, IpAddress, Computer").json
        #expect(logons.contains("CONTOSO\\\\user") && logons.contains("contoso.local"))
    }
}
