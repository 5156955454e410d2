import ArgumentParser
import Detection
import Foundation
import KQL
import VigilApp
import VigilStore

/// `vigil detect --from T1 --to T2`: replays the rules' schedule over stored history.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "detect", abstract: "Run analytics rules over a span of history, deterministically.")
    @OptionGroup var options: ReplayOptions
    @Flag(help: "Print the alerts and anomalies without storing them.") var dryRun = false

    func run() throws {
        let (replay, f, t) = try options.replay()
        let result = replay.run(from: f, to: t)
        print(DetectReplay.ndjson(result.alerts), terminator: "")
        print(DetectReplay.ndjson(result.anomalies), terminator: "")
        let failed = result.outcomes.filter { $0.error != nil }
        for o in failed { FileHandle.standardError.write(Data("run of \(o.run.ruleID) at \(DateTimeMath.format(o.run.runTime)) failed: \(o.error!)\n".utf8)) }
        if !dryRun {
            try replay.storeAlerts(result.alerts)
            try replay.storeAnomalies(result.anomalies)
            try replay.recordRuns(result.outcomes)
        }
        FileHandle.standardError.write(Data("\(replay.rules.count) rules, \(result.outcomes.count) runs, \(result.alerts.count) alerts, \(result.anomalies.count) anomalies, \(failed.count) failed runs\n".utf8))
    }
}
