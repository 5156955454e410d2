import ArgumentParser
import Foundation
import Ingestion
import KQL
import VigilApp
import VigilStore

/// `vigil ingest`: files (or standard input) into the workspace's tables, durably.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Ingest log files into the workspace.")
    @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
    @Option(help: "Target table (default: inferred from the format, the rows' Type column, or the file name).") var table: String?
    @Option(help: "Input format: json, csv, syslog, cef, w3c (default: detected).") var format: String?
    @Option(help: "Diagnostics to print per file.") var showProblems: Int = 20
    @Option(help: "Rows per stored batch (default: ingest.batchRows of vigil.yaml).") var batchRows: Int?
    @Option(help: "extent: each batch becomes an extent (bulk files); wal: write-ahead batches sealed later (streams).") var durability: String = "extent"
    @Flag(help: "Print 'ack N' on standard output each time a batch is durable (N rows so far).") var ack = false
    @Argument(help: "Files to ingest; '-' reads standard input.") var files: [String]

    func run() throws {
        var fmt: LogFormat? = nil
        if let f = format {
            guard let v = LogFormat(rawValue: f) else { throw ValidationError("unknown format '\(f)'; use one of \(LogFormat.allCases.map(\.rawValue).joined(separator: ", "))") }
            fmt = v
        }
        let mode: LogStore.Durability
        switch durability {
        case "extent": mode = .extent
        case "wal": mode = .writeAhead
        default: throw ValidationError("--durability is extent or wal")
        }
        let store = try WorkspaceSession.open(workspace)
        let tty = isatty(STDERR_FILENO) == 1
        var failed = false
        for path in files {
            do {
                let ack = self.ack
                let progress: ((Int, Int) -> Void)? = tty || ack ? { rows, percent in
                    if ack { FileHandle.standardOutput.write(Data("ack \(rows)\n".utf8)) }
                    if tty {
                        let filled = min(30, percent * 30 / 100)
                        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled)
                        FileHandle.standardError.write(Data("\r  [\(bar)] \(percent)% \(rows) rows stored".utf8))
                    }
                } : nil
                if path != "-", LogStore.isEvtx(path: path) {
                    let e = try store.ingestEvtx([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), source: path, durability: mode)
                    print("\(path) (evtx): \(e.records) events, \(e.problems.count) damaged chunks or records skipped")
                    for t in e.tables { print(String(format: "  -> %@: %d rows accepted, %d skipped, %d warnings", t.table, t.accepted, t.skipped, t.warnings)) }
                    for p in e.problems.prefix(showProblems) { print("  " + p) }
                    continue
                }
                let s: LogStore.IngestSummary
                if path == "-" {
                    let data = FileHandle.standardInput.readDataToEndOfFile()
                    guard fmt != nil || table != nil || !data.isEmpty else { throw ValidationError("standard input is empty") }
                    s = try data.withUnsafeBytes { try store.ingest($0.bindMemory(to: UInt8.self), source: "stdin", format: fmt, table: table, durability: mode, batchRows: batchRows, progress: progress) }
                } else {
                    s = try store.ingestFile(path, format: fmt, table: table, durability: mode, batchRows: batchRows, progress: progress)
                }
                if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                print(String(format: "%@ -> %@ (%@): %d rows accepted, %d skipped, %d warnings in %.2fs (%.0f rows/s)",
                             s.source, s.table, s.format.rawValue, s.accepted, s.skipped, s.warnings, s.seconds, s.rowsPerSecond))
                for d in s.diagnostics.prefix(showProblems) { print("  " + d.description) }
                if s.diagnostics.count > showProblems { print("  ... \(s.warnings + s.skipped - showProblems) more") }
            } catch {
                if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
