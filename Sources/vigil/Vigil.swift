import ArgumentParser
import Foundation
import KQL
import VigilApp
import VigilCore
import VigilStore

@main
struct Vigil: AsyncParsableCommand {
    static func main() async {
        AllocatorTuning.apply()
        do {
            var command = try parseAsRoot()
            if var async = command as? any AsyncParsableCommand { try await async.run() } else { try command.run() }
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            let text = (error as? ValidationError).map { "Error: " + $0.message } ?? fullMessage(for: error)
            FileHandle.standardError.write(Data((text + "\n").utf8))
            Foundation.exit(mapped(error, code).rawValue)
        }
    }

    /// The documented exit codes: 0 ok, 1 a command's own failure (records rejected), 2 usage or
    /// input error, 3 runtime error, 4 not found, 5 conflict.
    static func mapped(_ error: any Error, _ code: ExitCode) -> ExitCode {
        switch error {
        case let e as ExitCode: return e
        case is ValidationError: return ExitCode(2)
        case let e as StoreError:
            switch e {
            case .notFound: return ExitCode(4)
            case .conflict: return ExitCode(5)
            case .invalid, .workspace: return ExitCode(2)
            default: return ExitCode(3)
            }
        case let e as RemoteAPI.RemoteError:
            switch e.status {
            case 404: return ExitCode(4)
            case 409: return ExitCode(5)
            case 400..<500: return ExitCode(2)
            default: return ExitCode(3)
            }
        case is IncidentChange.Invalid: return ExitCode(2)
        default: return code == .validationFailure ? ExitCode(2) : ExitCode(3)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Vigil: a self-hosted autonomous SOC analyst.",
        subcommands: [DemoCommand.self, InitCommand.self, IngestCommand.self, TablesCommand.self, FunctionsCommand.self, QueryCommand.self, RulesCommand.self, DetectCommand.self, RunCommand.self, IncidentsCommand.self, TriageCommand.self, WatchlistsCommand.self, ThreatIntelCommand.self, ScoringCommand.self, PolicyCommand.self, ReportCommand.self, OutboxCommand.self, TokensCommand.self, ServeCommand.self, BenchCommand.self])
}
