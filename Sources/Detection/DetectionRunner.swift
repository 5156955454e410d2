public import KQL
import KQLSyntax
public import VigilCore

/// Executes rule runs over a catalog: each query sees only its window's rows (`WindowedTables`) and
/// `now()` = the run time, so replaying history gives the alerts live runs would have given.
public struct DetectionRunner: Sendable {
    public let provider: any TableProvider
    public init(provider: any TableProvider) { self.provider = provider }

    /// The outcome of one run: its alerts, the rows the query returned, or the error that stopped it.
    public struct Outcome: Sendable {
        public var run: RuleRun
        public var resultRows: Int
        public var alerts: [AlertBuilder.Alert]
        public var error: String?
        /// The rows an anomaly rule wrote to `Anomalies`.
        public var anomalies: [AnomalyBuilder.Anomaly] = []
        /// The learned trigger of a `triggerThreshold: dynamic` rule, as applied to this run.
        public var threshold: DynamicTrigger.Threshold?
        /// Wall time of the run, filled by the caller that owns a clock (pure code has none).
        public var durationMillis: Double = 0
    }

    /// `history`: the result counts of the rule's earlier runs, which a dynamic trigger learns from.
    public func execute(_ rule: AnalyticsRule, _ run: RuleRun, history: [Int] = []) -> Outcome {
        // A rule that only filters its tables finds nothing where they have no rows in the window.
        if !rule.sourceTables.isEmpty, !rule.sourceTables.contains(where: {
            provider.mayHaveRows($0, from: run.windowStart, to: run.windowEnd, byIngestionTime: run.byIngestionTime)
        }) {
            return Outcome(run: run, resultRows: 0, alerts: [], error: nil)
        }
        let q = Parser.parse(rule.effectiveQuery)
        if let e = q.diagnostics.first(where: { $0.severity == .error }) {
            return Outcome(run: run, resultRows: 0, alerts: [], error: "\(e.code): \(e.message)")
        }
        let windowed = WindowedTables(base: provider, from: run.windowStart, to: run.windowEnd,
                                      column: run.byIngestionTime ? "_IngestionTime" : "TimeGenerated")
        do {
            let r = try QueryExecutor(provider: windowed, context: EvalContext(now: run.runTime)).run(q)
            guard let t = r.first?.table else { return Outcome(run: run, resultRows: 0, alerts: [], error: nil) }
            if rule.kind == .anomaly {
                var o = Outcome(run: run, resultRows: t.count, alerts: [], error: nil)
                o.anomalies = AnomalyBuilder.build(rule: rule, run: run, result: t)
                return o
            }
            let threshold = rule.dynamicThreshold.map { DynamicTrigger.threshold($0, counts: history) }
            var o = Outcome(run: run, resultRows: t.count, alerts: AlertBuilder.build(rule: rule, run: run, result: t, threshold: threshold), error: nil)
            o.threshold = threshold
            return o
        } catch let e as KQLError {
            return Outcome(run: run, resultRows: 0, alerts: [], error: "\(e.code): \(e.message)")
        } catch {
            return Outcome(run: run, resultRows: 0, alerts: [], error: "\(error)")
        }
    }
}

/// A catalog whose tables hold only rows with `from <= column < to`: the lookback window of a scheduled
/// rule (`TimeGenerated`) or the new rows of a near-real-time run (`_IngestionTime`). Tables without
/// the column, like watchlists, are whole.
public struct WindowedTables: TableProvider {
    public let base: any TableProvider
    public let from: Int64
    public let to: Int64
    public let column: String
    public init(base: any TableProvider, from: Int64, to: Int64, column: String = "TimeGenerated") {
        self.base = base; self.from = from; self.to = to; self.column = column
    }

    public func schema(of table: String) -> Schema? { base.schema(of: table) }
    public func tableNames() -> [String] { base.tableNames() }
    public func storedFunction(named name: String) -> StoredFunction? { base.storedFunction(named: name) }

    public func scan(_ table: String, request: ScanRequest) throws -> Table {
        guard base.schema(of: table)?.index(of: column) != nil else { return try base.scan(table, request: request) }
        var r = request
        if column == "TimeGenerated" {
            r.timeFrom = max(r.timeFrom ?? from, from)
            r.timeTo = min(r.timeTo ?? to, to)
        } else if column == "_IngestionTime" {
            r.ingestFrom = max(r.ingestFrom ?? from, from)
            r.ingestTo = min(r.ingestTo ?? to, to)
        }
        if let c = r.columns, !c.contains(column) { r.columns = c + [column] }
        let t = try base.scan(table, request: r)
        guard let tc = t.column(named: column), case .int64(let a) = tc.data else { return t }
        // Scans are inclusive at both ends; the window is half-open.
        let keep = (0..<Int32(a.count)).filter { a[Int($0)] >= from && a[Int($0)] < to && !(tc.nulls?[Int($0)] ?? false) }
        var out = keep.count == t.count ? t : t.gather(keep)
        if let wanted = request.columns, !wanted.contains(column), let i = out.schema.index(of: column) {
            out = Table(schema: Schema(out.schema.columns.enumerated().filter { $0.offset != i }.map(\.element)),
                        columns: out.columns.enumerated().filter { $0.offset != i }.map(\.element), count: out.count)
        }
        return out
    }
}
