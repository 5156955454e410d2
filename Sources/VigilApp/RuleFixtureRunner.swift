public import Detection
import Foundation
import Ingestion
import OrderedCollections
import SentinelParsers
public import KQL
public import VigilCore

/// Runs a rule against its fixture cases, each in a catalog of its own holding only the case's rows,
/// as one run at the case's time (scheduled and anomaly rules: the window `[now - 5m - queryPeriod,
/// now - 5m)`; NRT rules: rows ingested in the minute before `now`).
public struct RuleFixtureRunner {
    public let delay: Int64
    public init(delay: Int64 = 5 * 600_000_000) { self.delay = delay }

    public struct CaseResult: Sendable {
        public var name: String
        public var passed: Bool
        /// Why it failed, or what it produced.
        public var detail: String
    }

    public func run(_ rule: AnalyticsRule, _ fixture: RuleFixture) -> [CaseResult] {
        fixture.cases.map { run(rule, $0) }
    }

    public func run(_ rule: AnalyticsRule, _ c: RuleFixture.Case) -> CaseResult {
        // Fixtures see the workspace's catalog and the shipped ASIM parsers, as rules do when they run.
        var tables = InMemoryTables(schemas: SchemaCatalog.connectors.merging(SchemaCatalog.builtIn) { $1 }, functions: BundledParsers.asim.storedFunctions.merging(SentinelBuiltIns.all) { $1 })
        // Rows arrived 30 s before the run: inside an NRT run's minute.
        let ingested = c.now - 300_000_000
        for (name, data) in c.rows.sorted(by: { $0.key < $1.key }) {
            let builtIn = SchemaCatalog.known(name)
            do {
                let parsed = try data.withUnsafeBytes { raw in
                    try Ingestor.parseAll(raw.bindMemory(to: UInt8.self), format: .json, table: name, schema: builtIn ?? Schema([]),
                                          policy: SchemaCatalog.builtIn[name] == nil ? .extensible : .fixed, source: name, ingestionTime: ingested)
                }
                if let problem = parsed.diagnostics.items.first {
                    return CaseResult(name: c.name, passed: false, detail: "fixture rows of \(name): \(problem.description)")
                }
                // One batch: fixtures are far below parseAll's batch size.
                var t = parsed.batches.first ?? Table.empty(builtIn ?? Schema([]))
                // Every column of a built-in table, as the store's scans return them: a query may
                // read a column the fixture leaves out.
                if let s = builtIn { t = Self.widened(t, to: s) }
                tables.add(name, Self.sortedByTime(t))
            } catch {
                return CaseResult(name: c.name, passed: false, detail: "fixture rows of \(name): \(error)")
            }
        }
        let run = rule.kind == .nrt
            ? RuleRun(ruleID: rule.id, runTime: c.now, windowStart: c.now - RuleScheduler.nrtInterval, windowEnd: c.now, isBackfill: false, byIngestionTime: true)
            : RuleRun(ruleID: rule.id, runTime: c.now, windowStart: c.now - delay - rule.queryPeriod, windowEnd: c.now - delay, isBackfill: false)
        let o = DetectionRunner(provider: tables).execute(rule, run, history: c.history)
        if let e = o.error { return CaseResult(name: c.name, passed: false, detail: "the query failed: \(e)") }
        let produced = rule.kind == .anomaly ? o.anomalies.count : o.alerts.count
        let what = rule.kind == .anomaly ? "anomalies" : "alerts"
        let entityText = (o.alerts.map { $0.row["Entities"]?.kqlString ?? "" } + o.anomalies.map { $0.row["Entities"]?.jsonText ?? "" }).joined(separator: " ")
        var problems: [String] = []
        if c.fires && produced == 0 { problems.append("expected the rule to fire; it returned \(o.resultRows) rows and no \(what)") }
        if !c.fires && produced > 0 { problems.append("expected no \(what); got \(produced) from \(o.resultRows) rows") }
        if let n = c.count, n != produced { problems.append("expected \(n) \(what), got \(produced)") }
        for e in c.entities where !entityText.contains(Self.jsonEscaped(e)) { problems.append("no entity \(e) in the \(what)") }
        return CaseResult(name: c.name, passed: problems.isEmpty, detail: problems.isEmpty ? "\(produced) \(what) from \(o.resultRows) rows" : problems.joined(separator: "; "))
    }

    static func jsonEscaped(_ s: String) -> String {
        Value.string(s).jsonText.dropFirst().dropLast().description
    }

    static func widened(_ t: Table, to schema: Schema) -> Table {
        let cols = schema.columns.map { c in t.column(named: c.name) ?? Column.constant(.null, type: c.type, count: t.count) }
        return Table(schema: schema, columns: cols, count: t.count)
    }

    static func sortedByTime(_ t: Table) -> Table {
        guard let c = t.column(named: "TimeGenerated"), case .int64(let a) = c.data else { return t }
        let order = (0..<Int32(a.count)).sorted { a[Int($0)] < a[Int($1)] }
        return t.gather(order)
    }
}
