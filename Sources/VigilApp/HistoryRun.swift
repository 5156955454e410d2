import Agents
import Detection
public import Foundation
import KQL
public import VigilCore
public import VigilStore

/// The pipeline over a span of history (`vigil run`, `vigil demo`): detection a day at a time, as a
/// live Vigil would have run, each day's alerts and anomalies stored and turned into incidents at the
/// end of that day, so correlation, reviews and the reviewer's daily budget see the days one by one.
/// Running it again changes nothing: alerts already stored are skipped.
public struct HistoryRun {
    public var replay: DetectReplay
    public var pipeline: IncidentPipeline

    public init(replay: DetectReplay) {
        self.replay = replay
        pipeline = IncidentPipeline(store: replay.store, rules: replay.rules)
    }

    public struct Summary: Sendable {
        public var runs = 0, alerts = 0, anomalies = 0, created = 0
        /// Incidents created or changed, by number (as the pipeline left them).
        public var touched: [Int: Incident] = [:]
    }

    public func run(from: Int64, to: Int64, day: (Int64, Summary) -> Void = { _, _ in }) throws -> Summary {
        var s = Summary()
        var stored = try Self.storedIDs(replay.store)
        var dayStart = from
        while dayStart <= to {
            let dayEnd = min(dayStart + Ticks.perDay - 1, to)
            let result = replay.run(from: dayStart, to: dayEnd)
            try replay.storeAlerts(result.alerts.filter { !stored.contains($0.systemAlertID) })
            try replay.storeAnomalies(result.anomalies.filter { !stored.contains($0.id) })
            stored.formUnion(result.alerts.map(\.systemAlertID) + result.anomalies.map(\.id))
            try replay.recordRuns(result.outcomes)
            let produced = try pipeline.process(result.alerts.compactMap(\.record),
                                                anomalies: result.anomalies.compactMap { AlertRecords.fromAnomalyRow($0.row) }, now: dayEnd)
            for inc in produced.incidents { s.touched[inc.number] = inc }
            s.runs += result.outcomes.count; s.alerts += result.alerts.count; s.anomalies += result.anomalies.count; s.created += produced.created.count
            day(dayEnd, s)
            dayStart += Ticks.perDay
        }
        return s
    }

    /// Ids of the alerts and anomalies already in the tables (a re-run must not store them twice).
    static func storedIDs(_ store: LogStore) throws -> Set<String> {
        var out = Set<String>()
        let runner = QueryRunner(provider: store, now: 0)
        for (table, column) in [("SecurityAlert", "SystemAlertId"), ("Anomalies", "Id")] where store.tableInfos().contains(where: { $0.name == table && $0.rows > 0 }) {
            if case .success(let res, _) = runner.run("\(table) | distinct \(column)"), let t = res.first?.table, let c = t.columns.first {
                for i in 0..<t.count { out.insert(c.value(at: i).kqlString) }
            }
        }
        return out
    }
}
