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
        let s = try HistoryRun(replay: replay).run(from: f, to: t)
        FileHandle.standardError.write(Data("\(replay.rules.count) rules, \(s.runs) runs, \(s.alerts) alerts, \(s.anomalies) anomalies; \(s.created) incidents created, \(s.touched.count - s.created) changed\n".utf8))
        let incidents = IncidentStore(store: replay.store)
        for (_, inc) in s.touched.sorted(by: { $0.key < $1.key }) {
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
