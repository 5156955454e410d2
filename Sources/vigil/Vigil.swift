import ArgumentParser
import Foundation
import KQL
import VigilApp

@main
struct Vigil: AsyncParsableCommand {
    static func main() async {
        AllocatorTuning.apply()
        do {
            var command = try parseAsRoot()
            if var async = command as? any AsyncParsableCommand { try await async.run() } else { try command.run() }
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Vigil: a self-hosted autonomous SOC analyst.",
        subcommands: [DemoCommand.self, InitCommand.self, IngestCommand.self, TablesCommand.self, QueryCommand.self, RulesCommand.self, DetectCommand.self, RunCommand.self, IncidentsCommand.self, TriageCommand.self, WatchlistsCommand.self, ScoringCommand.self, PolicyCommand.self, ReportCommand.self, OutboxCommand.self, TokensCommand.self, ServeCommand.self, BenchCommand.self])
}
