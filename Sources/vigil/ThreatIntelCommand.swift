import ArgumentParser
import Foundation
import Ingestion
import VigilApp
import VigilStore

/// `vigil ti import FILE`: threat-intelligence indicators (a STIX 2.1 bundle or CSV) into
/// `ThreatIntelligenceIndicator`, where triage's threat-intelligence module matches them.
struct ThreatIntelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ti", abstract: "Threat-intelligence indicators.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import indicators from a STIX 2.1 bundle (JSON) or CSV (type,value,threatType,confidence,expires,description).")
        @OptionGroup var target: Target
        @Argument(help: "The file.") var file: String
        func run() async throws {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            if let api = target.api {
                let out = try await api.send("POST", "/api/threatintelligence", body: data, contentType: file.hasSuffix(".csv") ? "text/csv" : "application/json")
                let obj = (try? JSONSerialization.jsonObject(with: out)) as? [String: Any]
                for s in obj?["skipped"] as? [String] ?? [] { FileHandle.standardError.write(Data("skipped: \(s)\n".utf8)) }
                print("\(obj?["imported"] as? Int ?? 0) indicators imported into ThreatIntelligenceIndicator")
                return
            }
            let store = try WorkspaceSession.open(target.workspace)
            let r = ThreatIntelImport.parse(data, source: (file as NSString).lastPathComponent, now: ISO8601DateFormatter().string(from: Date()))
            for s in r.skipped { FileHandle.standardError.write(Data("skipped: \(s)\n".utf8)) }
            guard r.imported > 0 else { throw ValidationError("no indicator could be read from \(file)") }
            let bytes = Array(r.jsonLines.utf8)
            let s = try bytes.withUnsafeBufferPointer { try store.ingest($0, source: file, format: .json, table: "ThreatIntelligenceIndicator") }
            print("\(s.accepted) indicators imported into ThreatIntelligenceIndicator, \(r.skipped.count) skipped")
        }
    }
}
