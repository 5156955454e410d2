import Detection
public import Foundation
import KQL
import VigilCore
import VigilStore
import Yams

extension Benchmark {
    /// Every Sigma rule under some folders: how many load (and bind) per log source, why the others do
    /// not, and one scheduler cycle of all that load over a day of the stored bench data: its time
    /// and the alerts per rule (the false-positive load on benign data).
    public struct SigmaFigures: Sendable {
        public var files: Int
        public var loaded: Int
        public var byLogsource: [(logsource: String, files: Int, loaded: Int)]
        public var reasons: [(reason: String, rules: Int)]
        public var events: Int
        public var cycleSeconds: Double
        public var failedRuns: Int
        public var alerts: Int
        public var alertsPerRule: [(rule: String, alerts: Int)]
    }

    public func runSigma(workspace: String, directories: [String], concurrency: Int) throws -> SigmaFigures {
        let ws = try Workspace.open(workspace)
        var store = try LogStore(workspace: ws)
        let events = try ingestBenchTables(&store)
        let now = Benchmark.now(dataDir: dataDir)
        let validator = RuleValidator(catalog: store, now: now)
        var files = 0, perSource: [String: (files: Int, loaded: Int)] = [:], reasons: [String: Int] = [:]
        var rules: [AnalyticsRule] = []
        for dir in directories {
            for path in DetectReplay.ruleFiles(in: dir) {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                files += 1
                let source = Self.sigmaLogsource(text)
                let (parsed, diags) = RuleParser.parse(text, file: path)
                var problems = diags.filter { $0.severity == .error }
                if problems.isEmpty { problems = parsed.flatMap { validator.validate($0).filter { $0.severity == .error } } }
                perSource[source, default: (0, 0)].files += 1
                if let p = problems.first {
                    // The reason without the rule's own values, so that like reasons count together.
                    let reason = p.message.replacingOccurrences(of: "Sigma rule not loaded: ", with: "")
                        .replacingOccurrences(of: #"'[^']*' \(at [^)]*\)"#, with: "'…'", options: .regularExpression)
                    reasons[reason, default: 0] += 1
                    continue
                }
                perSource[source]!.loaded += 1
                for p in parsed {
                    var r = p.rule
                    // One cycle over a day of data: every rule looks back a day.
                    r.queryPeriod = 864_000_000_000
                    r.queryFrequency = 864_000_000_000
                    // Ids repeat across SigmaHQ's folders; the path keeps each file its own run.
                    r.id += "|" + path
                    rules.append(r)
                }
            }
        }
        log("\(rules.count) of \(files) Sigma files load over \(events) events")
        let byID = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var scheduler = RuleScheduler(rules: Array(byID.values), start: now)
        let runs = scheduler.tick(now: now)
        let t0 = DispatchTime.now().uptimeNanoseconds
        let outcomes = ConcurrentRuns.execute(runs, rules: byID, runner: DetectionRunner(provider: store), concurrency: concurrency)
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        var perRule: [String: Int] = [:]
        for o in outcomes where !o.alerts.isEmpty { perRule[byID[o.run.ruleID]?.name ?? o.run.ruleID, default: 0] += o.alerts.count }
        return SigmaFigures(files: files, loaded: byID.count, byLogsource: perSource.map { ($0.key, $0.value.files, $0.value.loaded) }.sorted { ($0.files, $0.logsource) > ($1.files, $1.logsource) },
                            reasons: reasons.map { ($0.key, $0.value) }.sorted { ($0.rules, $0.reason) > ($1.rules, $1.reason) }, events: events,
                            cycleSeconds: secs, failedRuns: outcomes.filter { $0.error != nil }.count, alerts: perRule.values.reduce(0, +),
                            alertsPerRule: perRule.map { ($0.key, $0.value) }.sorted { ($0.alerts, $1.rule) > ($1.alerts, $0.rule) })
    }

    /// `product/category` or `product/service` of a Sigma file (`correlation` for a correlation file).
    static func sigmaLogsource(_ text: String) -> String {
        guard let root = (try? Yams.load_all(yaml: text))?.compactMap({ $0 as? [String: Any] }) else { return "unreadable" }
        if root.contains(where: { $0["correlation"] != nil }) { return "correlation" }
        let ls = root.compactMap { $0["logsource"] as? [String: Any] }.first ?? [:]
        let product = ls["product"].map { "\($0)" } ?? "any"
        return product + "/" + (ls["category"].map { "\($0)" } ?? ls["service"].map { "\($0)" } ?? "any")
    }
}
