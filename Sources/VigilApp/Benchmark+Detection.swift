import Crypto
public import Detection
public import Foundation
public import KQL
public import VigilCore
public import VigilStore

extension Benchmark {
    /// One scheduler cycle of many enabled rules over the stored bench data: every rule due at once
    /// at the data's `now`, as after a start, run `concurrency` at a time.
    public struct DetectionFigures: Sendable {
        public var rules: Int
        public var events: Int
        public var cycles: [(label: String, seconds: Double, failed: Int, alerts: Int, anomalies: Int)]
        public var peakRSSBeforeBytes: Int
        public var peakRSSAfterBytes: Int
        public var slowest: [(rule: String, millis: Double)]
    }

    /// The pack's rules, then variants of them up to `count`: each variant is its rule with a new id
    /// and a column naming it, so that it runs the same query over the same data (no result is shared).
    public static func ruleVariants(_ pack: [AnalyticsRule], count: Int) -> [AnalyticsRule] {
        guard !pack.isEmpty else { return [] }
        var out = pack
        var i = 0
        while out.count < count {
            var r = pack[i % pack.count]
            let d = Array(SHA256.hash(data: Data("variant|\(i)".utf8)))
            let hex = d.prefix(16).map { String(format: "%02x", $0) }.joined()
            let c = Array(hex)
            r.id = String(c[0..<8]) + "-" + String(c[8..<12]) + "-4" + String(c[13..<16]) + "-a" + String(c[17..<20]) + "-" + String(c[20..<32])
            r.name += " (variant \(i + 1))"
            r.query += "\n| extend VigilVariant = \(i + 1)"
            out.append(r)
            i += 1
        }
        return out
    }

    /// The bench data's two tables in the store (ingested when it has none): the events stored.
    func ingestBenchTables(_ store: inout LogStore) throws -> Int {
        var events = 0
        for table in ["SecurityEvent", "SigninLogs"] {
            let path = (dataDir as NSString).appendingPathComponent(table + ".csv")
            let have = store.tableInfos().first { $0.name == table }?.rows ?? 0
            if have == 0 {
                let s = try store.ingestFile(path, table: table)
                log(String(format: "ingest %@: %d rows in %.1fs", table, s.accepted, s.seconds))
            }
            events += store.tableInfos().first { $0.name == table }?.rows ?? 0
        }
        return events
    }

    public func runDetection(workspace: String, rulesDirectory: String, count: Int, concurrency: Int) throws -> DetectionFigures {
        let ws = try Workspace.open(workspace)
        var store = try LogStore(workspace: ws)
        let events = try ingestBenchTables(&store)
        let now = Benchmark.now(dataDir: dataDir)
        var skipped = 0
        let pack = try DetectReplay.loadRules(rulesDirectory, validator: RuleValidator(catalog: store, now: now)) { _ in skipped += 1 }
        let rules = Benchmark.ruleVariants(pack, count: count)
        log("\(rules.count) rules (\(pack.count) from \(rulesDirectory), \(skipped) skipped) over \(events) events")
        let byID = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0) })
        let before = Benchmark.peakRSSBytes() ?? 0
        var cycles: [(String, Double, Int, Int, Int)] = []
        var durations: [String: Double] = [:]
        for label in ["cold (new store, nothing decoded)", "warm"] {
            if label.hasPrefix("cold") { store = try LogStore(workspace: ws) }
            var scheduler = RuleScheduler(rules: rules, start: now)
            let runs = scheduler.tick(now: now)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let outcomes = ConcurrentRuns.execute(runs, rules: byID, runner: DetectionRunner(provider: store), concurrency: concurrency)
            let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let failed = outcomes.filter { $0.error != nil }
            for f in failed.prefix(3) { log("failed: \(byID[f.run.ruleID]?.name ?? ""): \(f.error ?? "")") }
            cycles.append((label, secs, failed.count, outcomes.reduce(0) { $0 + $1.alerts.count }, outcomes.reduce(0) { $0 + $1.anomalies.count }))
            log(String(format: "cycle %@: %d runs in %.2fs", label, runs.count, secs))
            for o in outcomes { durations[byID[o.run.ruleID]!.name.components(separatedBy: " (variant").first!, default: 0] += o.durationMillis }
        }
        let slowest = durations.sorted { $0.value > $1.value }.prefix(5).map { (rule: $0.key, millis: $0.value / 2) }
        return DetectionFigures(rules: rules.count, events: events, cycles: cycles, peakRSSBeforeBytes: before,
                                peakRSSAfterBytes: Benchmark.peakRSSBytes() ?? 0, slowest: slowest)
    }
}

