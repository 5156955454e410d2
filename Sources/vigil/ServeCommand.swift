import ArgumentParser
import Foundation
import Logging
import VigilApp
import VigilStore

/// `vigil serve`: the HTTP API (ingest, query, health), the syslog listener and store maintenance.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Vigil server.")
    @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
    @Option(help: "Address to listen on (default: server.host of vigil.yaml).") var host: String?
    @Option(help: "Port to listen on (default: server.port of vigil.yaml; 0 picks a free one).") var port: Int?
    @Flag(help: "Enable the syslog listener whatever vigil.yaml says.") var syslog = false

    func run() async throws {
        let store = try WorkspaceSession.open(workspace)
        var logger = Logger(label: "vigil")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        var runner = ServeRunner(store: store, host: host, port: port, logger: logger)
        if syslog { runner.syslog.enabled = true }
        let host = runner.host
        try await runner.run(onRunning: { started in
            var line = "vigil serving http://\(host):\(started.port)"
            if let s = started.syslog { line += " syslog udp:\(s.udp) tcp:\(s.tcp)" }
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        })
    }
}
