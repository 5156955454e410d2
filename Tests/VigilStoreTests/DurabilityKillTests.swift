import Foundation
import KQL
import Testing
import VigilStore

/// An acknowledged event survives `kill -9` at any moment: a real `vigil ingest` child process is
/// killed mid-ingest (while it writes batches and seals them into extents), the store is reopened,
/// and every acknowledged row is there, exactly once.
@Suite(.serialized) struct DurabilityKillTests {
    static var vigilBinary: URL {
        // The test bundle sits next to the products of the same build.
        let bundle = URL(fileURLWithPath: CommandLine.arguments.first { $0.contains(".xctest") } ?? CommandLine.arguments[0])
        var dir = bundle.deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("vigil").path) {
            dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug").standardized
        }
        return dir.appendingPathComponent("vigil")
    }

    /// JSON lines with a unique, increasing sequence number per row.
    static func writeInput(_ path: String, rows: Int) throws {
        var s = ""
        s.reserveCapacity(rows * 120)
        for i in 0..<rows {
            s += "{\"TimeGenerated\":\"2026-11-23T\(String(format: "%02d:%02d:%02d", (i / 3600) % 24, (i / 60) % 60, i % 60))Z\",\"Seq\":\(i),\"Host\":\"host-\(i % 37)\",\"Msg\":\"event number \(i) with some padding text\"}\n"
        }
        try s.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test(arguments: [(3, "wal"), (11, "wal"), (25, "wal"), (4, "extent"), (17, "extent")])
    func acknowledgedRowsSurviveKill9(killAfterAcks: Int, durability: String) throws {
        let ws = try TestWorkspace("ingest:\n  sealRows: 6000\n")
        let input = ws.path + "/input.jsonl"
        let rows = 200_000, batch = 2_000
        try Self.writeInput(input, rows: rows)
        let p = Process()
        p.executableURL = Self.vigilBinary
        p.arguments = ["ingest", "--workspace", ws.path, "--table", "Kill_CL", "--batch-rows", String(batch), "--durability", durability, "--ack", input]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var acked = 0, acks = 0
        var buffer = Data()
        let reader = out.fileHandleForReading
        while acks < killAfterAcks {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let nl = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer = Data(buffer[(nl + 1)...])
                if line.hasPrefix("ack "), let n = Int(line.dropFirst(4)) { acked = n; acks += 1 }
                if acks >= killAfterAcks { break }
            }
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal, "the child finished before it was killed; the test proved nothing")
        #expect(acked >= killAfterAcks * batch)

        let store = try ws.store()
        let t = try store.scan("Kill_CL", request: ScanRequest(columns: ["Seq"]))
        guard case .int64(let seqs) = t.columns[0].data else { Issue.record("Seq is not a long column"); return }
        let distinct = Set(seqs)
        #expect(distinct.count == seqs.count, "duplicated rows after recovery")
        // Everything acknowledged is there; at most the batches in flight at the kill landed beyond it.
        #expect(seqs.count >= acked)
        #expect(seqs.count <= acked + 2 * batch)
        #expect(seqs.count % batch == 0, "a batch landed partially")
        #expect(distinct == Set(0..<Int64(seqs.count)), "rows are not the input's prefix")
        // Every catalogued extent is on disk; at most the one being written at the kill is not catalogued
        // (never acknowledged, invisible to queries, removed once older than the orphan age).
        let files = Set((try? FileManager.default.contentsOfDirectory(atPath: ws.path + "/tables/Kill_CL")) ?? [])
        let catalogued = store.tableInfos().first { $0.name == "Kill_CL" }?.extents ?? 0
        #expect(files.filter { $0.hasSuffix(".vgx") }.count - catalogued <= 1)
        #expect(files.filter { $0.hasSuffix(".vgx") }.count >= catalogued)
    }
}
