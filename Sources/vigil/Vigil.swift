import ArgumentParser
import Foundation
import KQL
import VigilApp

@main
struct Vigil: ParsableCommand {
    static func main() {
        AllocatorTuning.apply()
        var command: any ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do { try command.run() } catch { exit(withError: error) }
    }

    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Vigil: a self-hosted autonomous SOC analyst.",
        subcommands: [InitCommand.self, IngestCommand.self, TablesCommand.self, QueryCommand.self, BenchCommand.self])
}
