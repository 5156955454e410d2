import ArgumentParser
import Foundation
import Triage
import VigilApp
import VigilCore
import VigilStore

/// `vigil scoring calibrate`: fits score → probability of a true positive on closed, classified
/// incidents, prints the Brier score and reliability table, and saves the mapping for triage and the
/// review policy (`truePositiveProbability`).
struct ScoringCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scoring", abstract: "The risk score: calibrate it on classified incidents.", subcommands: [Calibrate.self])

    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fit a monotone score-to-probability mapping from closed incidents' classifications.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Option(help: "Fewest classified incidents to fit on.") var minimum: Int = 20
        @Flag(help: "Print the fit without saving it.") var dryRun = false

        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let samples = try IncidentStore(store: store).all().compactMap { inc -> (score: Int, truePositive: Bool)? in
                guard inc.status == .closed, let c = inc.classification, c != .undetermined, let s = inc.riskScore?.total else { return nil }
                return (s, c == .truePositive)
            }
            guard samples.count >= minimum else {
                throw ValidationError("\(samples.count) closed incidents with a classification and a score; at least \(minimum) are needed (--minimum)")
            }
            let c = Calibration.fit(samples)
            print(String(format: "%d incidents (%d true positives): Brier score %.4f (base rate alone: %.4f)", c.samples, samples.filter(\.truePositive).count, c.brier, c.baselineBrier))
            print("score up to | P(true positive) | incidents")
            for s in c.steps { print(String(format: "%11d | %16.3f | %d", s.maxScore, s.probability, s.count)) }
            print("\nreliability: predicted band | incidents | mean predicted | observed")
            for b in c.reliability { print(String(format: "%@ | %d | %.3f | %.3f", b.label, b.count, b.predicted, b.observed)) }
            if !dryRun {
                let path = PolicyFiles(workspace: store.workspace).calibrationPath
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                try e.encode(c).write(to: URL(fileURLWithPath: path), options: .atomic)
                print("\nsaved to \(path): triage adds the probability to each score; review rules can test truePositiveProbability")
            }
        }
    }
}
