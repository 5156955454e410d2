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
