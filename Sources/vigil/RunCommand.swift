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

    func run() throws {
        let (replay, f, t) = try options.replay()
        let store = replay.store
        let result = replay.run(from: f, to: t)
        // Only what this span adds: a second run finds its alerts stored (same ids) and skips them.
        let known = try IncidentStore(store: store).attached(result.alerts.map(\.systemAlertID) + result.anomalies.map(\.id))
        let newAlerts = result.alerts.filter { !known.contains($0.systemAlertID) }
        let stored = try storedIDs(store, result)
        try replay.storeAlerts(newAlerts.filter { !stored.contains($0.systemAlertID) })
        try replay.storeAnomalies(result.anomalies.filter { !stored.contains($0.id) })
        try replay.recordRuns(result.outcomes)
        let produced = try IncidentPipeline(store: store, rules: replay.rules).process(newAlerts.compactMap(\.record), anomalies: result.anomalies.compactMap { AlertRecords.fromAnomalyRow($0.row) }, now: t)
        FileHandle.standardError.write(Data("\(replay.rules.count) rules, \(result.outcomes.count) runs, \(result.alerts.count) alerts, \(result.anomalies.count) anomalies; \(produced.created.count) incidents created, \(produced.incidents.count - produced.created.count) changed\n".utf8))
        for inc in produced.incidents {
            let current = try IncidentStore(store: store).get(number: inc.number) ?? inc
            print(String(format: "#%d  %@  %@  %@  alerts %d  confidence %.2f  %@", inc.number, inc.severity.rawValue, current.status.rawValue,
                         current.review?.outcome.rawValue ?? "-", inc.alerts.count, inc.confidence, inc.title))
            if verbose {
                for g in inc.grouping { print("      - \(g.reason)") }
                for c in inc.confidenceFactors { print(String(format: "      + %.3f %@: %@", c.points, c.name, c.reason)) }
                for r in current.review?.reasons ?? [] { print("      > \(r)") }
            }
        }
    }

    /// Alerts and anomalies of the replay already in the tables (a re-run must not store them twice).
    func storedIDs(_ store: LogStore, _ r: DetectReplay.Result) throws -> Set<String> {
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
    static let configuration = CommandConfiguration(commandName: "incidents", abstract: "List incidents, or show one.", subcommands: [List.self, Show.self, Reopen.self], defaultSubcommand: List.self)

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
