import Agents
import ArgumentParser
import Detection
import OrderedCollections
import Foundation
import KQL
import VigilApp
import VigilCore
import VigilStore

/// `vigil run --from T1 --to T2`: the pipeline over a span of history: detect (as `vigil detect`),
/// then produce incidents from the alerts and anomalies. Running it again changes nothing.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Detect over a span of history and turn the alerts into incidents (idempotent).")
    @OptionGroup var options: ReplayOptions
    @Flag(help: "Print each incident's grouping decisions and confidence factors.") var verbose = false

    /// The span is processed a day at a time, as a live Vigil would have: each day's alerts become
    /// incidents at the end of that day, so correlation, reviews and the reviewer's daily budget of
    /// automatic closures see the days one by one.
    func run() throws {
        let (replay, f, t) = try options.replay()
        let store = replay.store
        let pipeline = IncidentPipeline(store: store, rules: replay.rules)
        var touched: [Int: Incident] = [:]
        var runs = 0, alerts = 0, anomalies = 0, created = 0
        // Only what this span adds: a second run finds its alerts stored (same ids) and skips them.
        var stored = try storedIDs(store)
        var dayStart = f
        while dayStart <= t {
            let dayEnd = min(dayStart + Ticks.perDay - 1, t)
            let result = replay.run(from: dayStart, to: dayEnd)
            try replay.storeAlerts(result.alerts.filter { !stored.contains($0.systemAlertID) })
            try replay.storeAnomalies(result.anomalies.filter { !stored.contains($0.id) })
            stored.formUnion(result.alerts.map(\.systemAlertID) + result.anomalies.map(\.id))
            try replay.recordRuns(result.outcomes)
            let produced = try pipeline.process(result.alerts.compactMap(\.record), anomalies: result.anomalies.compactMap { AlertRecords.fromAnomalyRow($0.row) }, now: dayEnd)
            for inc in produced.incidents { touched[inc.number] = inc }
            runs += result.outcomes.count; alerts += result.alerts.count; anomalies += result.anomalies.count; created += produced.created.count
            dayStart += Ticks.perDay
        }
        FileHandle.standardError.write(Data("\(replay.rules.count) rules, \(runs) runs, \(alerts) alerts, \(anomalies) anomalies; \(created) incidents created, \(touched.count - created) changed\n".utf8))
        let incidents = IncidentStore(store: store)
        for (_, inc) in touched.sorted(by: { $0.key < $1.key }) {
            let current = try incidents.get(number: inc.number) ?? inc
            print(String(format: "#%d  %@  %@  %@  alerts %d  confidence %.2f  %@", current.number, current.severity.rawValue, current.status.rawValue,
                         current.review?.outcome.rawValue ?? "-", current.alerts.count, current.confidence, current.title))
            if verbose {
                for g in current.grouping { print("      - \(g.reason)") }
                for c in current.confidenceFactors { print(String(format: "      + %.3f %@: %@", c.points, c.name, c.reason)) }
                for r in current.review?.reasons ?? [] { print("      > \(r)") }
            }
        }
    }

    /// Ids of the alerts and anomalies already in the tables (a re-run must not store them twice).
    func storedIDs(_ store: LogStore) throws -> Set<String> {
        var out = Set<String>()
        let runner = QueryRunner(provider: store, now: 0)
        if store.tableInfos().contains(where: { $0.name == "SecurityAlert" && $0.rows > 0 }),
           case .success(let res, _) = runner.run("SecurityAlert | distinct SystemAlertId"), let t = res.first?.table, let c = t.columns.first {
            for i in 0..<t.count { out.insert(c.value(at: i).kqlString) }
        }
        if store.tableInfos().contains(where: { $0.name == "Anomalies" && $0.rows > 0 }),
           case .success(let res, _) = runner.run("Anomalies | distinct Id"), let t = res.first?.table, let c = t.columns.first {
            for i in 0..<t.count { out.insert(c.value(at: i).kqlString) }
        }
        return out
    }
}

/// `vigil incidents`: the incident queue and one incident with its grouping and audit trail.
struct IncidentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "incidents", abstract: "List incidents, or show one.", subcommands: [List.self, Show.self, Reopen.self, Approve.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The incident queue, newest first.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Option(help: "Only this status (New, Active, Closed).") var status: String?
        @Option(help: "Output format: table or json.") var format: String = "table"

        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let all = try IncidentStore(store: store).all().filter { status == nil || $0.status.rawValue.lowercased() == status!.lowercased() }.reversed()
            let names = ["Number", "Severity", "Status", "Alerts", "Confidence", "FirstActivity", "Title"]
            let types: [KQLType] = [.long, .string, .string, .long, .real, .datetime, .string]
            let rows: [[Value]] = all.map { [.long(Int64($0.number)), .string($0.severity.rawValue), .string($0.status.rawValue), .long(Int64($0.alerts.count)),
                                             .real($0.confidence), .datetime($0.firstActivityTime), .string($0.title)] }
            let t = Table.from(schema: Schema(zip(names, types).map { ColumnSchema($0, $1) }), rows: rows)
            print(ResultFormatter.render([ResultTable(name: "incidents", table: t)], as: format == "json" ? .json : .table), terminator: "")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One incident as JSON, with its audit trail.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Argument(help: "The incident number.") var number: Int

        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let incidents = IncidentStore(store: store)
            guard let inc = try incidents.get(number: number) else { throw ValidationError("no incident \(number)") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(inc), as: UTF8.self))
            for a in try incidents.audit(incidentID: inc.id) { print("audit \(DateTimeMath.format(a.time)) \(a.actor) \(a.action): \(a.detail)") }
        }
    }
}
