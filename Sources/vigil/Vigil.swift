import ArgumentParser
import Foundation
import KQL
import VigilApp

@main
struct Vigil: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Vigil: a self-hosted autonomous SOC analyst.",
        subcommands: [QueryCommand.self, BenchCommand.self])
}
