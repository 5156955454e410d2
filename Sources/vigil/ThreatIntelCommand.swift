import ArgumentParser
import Foundation
import Ingestion
import VigilApp
import VigilStore

/// `vigil ti import FILE`: threat-intelligence indicators (a STIX 2.1 bundle or CSV) into
/// `ThreatIntelligenceIndicator`, where triage's threat-intelligence module matches them.
struct ThreatIntelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ti", abstract: "Threat-intelligence indicators.", subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import indicators from a STIX 2.1 bundle (JSON) or CSV (type,value,threatType,confidence,expires,description).")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Argument(help: "The file.") var file: String
        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            let r = ThreatIntelImport.parse(data, source: (file as NSString).lastPathComponent, now: ISO8601DateFormatter().string(from: Date()))
            for s in r.skipped { FileHandle.standardError.write(Data("skipped: \(s)\n".utf8)) }
            guard r.imported > 0 else { throw ValidationError("no indicator could be read from \(file)") }
            let bytes = Array(r.jsonLines.utf8)
            let s = try bytes.withUnsafeBufferPointer { try store.ingest($0, source: file, format: .json, table: "ThreatIntelligenceIndicator") }
            print("\(s.accepted) indicators imported into ThreatIntelligenceIndicator, \(r.skipped.count) skipped")
        }
    }
}
