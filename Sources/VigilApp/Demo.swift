import Agents
import Detection
public import Foundation
import KQL
import Reports
public import VigilCore
import Ingestion
public import VigilStore

/// `vigil demo`: a fresh workspace, a month of synthetic logs with four injected attacks, and the
/// whole pipeline over it: ingest, detection (the rule pack, replayed day by day), the producer,
/// triage, the reviewer, and the riskiest-incidents report. Deterministic, offline, in-process.
public struct Demo {
    public var directory: String
    /// A rule directory to use instead of the built-in pack.
    public var rules: String?
    public var log: (String) -> Void

    public init(directory: String, rules: String? = nil, log: @escaping (String) -> Void) {
        self.directory = directory; self.rules = rules; self.log = log
    }

    public struct Result {
        public var store: LogStore
        public var history: HistoryRun.Summary
        public var incidents: [Incident]
        public var report: RiskyReportJob.Outcome
        public var scenarios: [String]
    }

    public func run() throws -> Result {
        let fm = FileManager.default
        if let rules, !fm.fileExists(atPath: rules) { throw StoreError.workspace("no rule directory at \(rules)") }
        let store = try LogStore(workspace: Workspace.open(directory))
        _ = try PolicyFiles(workspace: store.workspace).installDefaults()
        // The rules go into the workspace, so `vigil serve` on it runs the same ones.
        let ruleDir = store.workspace.rulesDirectory
        if let rules {
            try fm.createDirectory(atPath: ruleDir, withIntermediateDirectories: true)
            for f in try fm.contentsOfDirectory(atPath: rules).sorted() where f.hasSuffix(".yaml") || f.hasSuffix(".yml") || f.hasSuffix(".json") {
                let to = ruleDir + "/" + f
                if !fm.fileExists(atPath: to) { try fm.copyItem(atPath: rules + "/" + f, toPath: to) }
            }
        } else {
            for r in try RulePackInstaller.updateAll(rulesDirectory: ruleDir) { log(r.summary) }
        }

        var gen = DemoDataset()
        let data = gen.generate()
        for (table, text, format) in [("SecurityEvent", data.securityEvent, LogFormat.csv), ("SigninLogs", data.signinLogs, .csv),
                                      ("ThreatIntelligenceIndicator", data.threatIntelligence, .json)] {
            let bytes = Array(text.utf8)
            let s = try bytes.withUnsafeBufferPointer { try store.ingest($0, source: "demo-\(table)", format: format, table: table) }
            log(String(format: "ingested %7d rows into %@ (%.1f s)", s.accepted, table, s.seconds))
        }
        let now = DemoDataset.end
        _ = try Watchlists(store: store).upload(alias: "vip", name: "VIP users", csv: Data(data.vipWatchlist.utf8), searchKey: "UserPrincipalName", now: now)
        log("watchlist vip: 2 VIP users; threat intelligence: 2 indicators")

        let loaded = try DetectReplay.loadRules(ruleDir, validator: RuleValidator(catalog: store, now: now)) { d in self.log("skipped rule: \(d)") }
        var replay = DetectReplay(store: store, rules: loaded, delay: 5 * Ticks.perMinute)
        // The history was loaded in bulk: near-real-time rules read it by TimeGenerated.
        replay.nrtByTimeGenerated = true
        var history = HistoryRun(replay: replay)
        history.pipeline.model = OpenAIChatClient.fromEnvironment()
        let from = now - 16 * Ticks.perDay
        log("running \(loaded.count) rules over \(ReportTime(from).display) to \(ReportTime(now).display), a day at a time ...")
        let summary = try history.run(from: from, to: now - 1) { _, _ in }
        var job = RiskyReportJob(store: store)
        job.reports.model = history.pipeline.model
        let report = try job.run(.init(days: 7, count: 3, minScore: 0, period: "demo"), now: now)
        let incidents = try IncidentStore(store: store).all()
        return Result(store: store, history: summary, incidents: incidents, report: report, scenarios: data.scenarios)
    }
}
