import Foundation
import KQL
import Testing
import VigilApp

/// `vigil bench --data` (the six workloads in memory) at a tiny size, on gen.py's own output. gen.py
/// writes CSV with CRLF line ends, whose header the bench once read as the whole file (a Character
/// "\r\n" never equals "\n"): 76 s and 5 GB to load 2M rows instead of about 4 s.
@Suite struct WorkloadBenchTests {
    static let gen = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/bench/gen.py").standardized.path

    @Test func aCRLFHeaderIsOneLine() throws {
        let path = NSTemporaryDirectory() + "vigil-crlf-" + UUID().uuidString + ".csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "\u{FEFF}TimeGenerated,\"Computer\",EventID\r\n2024-06-01T00:00:00Z,a,4624\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try TableLoader.csvHeader(path: path) == ["TimeGenerated", "Computer", "EventID"])
    }

    @Test func theSixWorkloadsRunOnGeneratedData() throws {
        let dir = NSTemporaryDirectory() + "vigil-workload-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.gen, "--rows", "3000", "--out", dir, "--formats", "csv"]
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        try #require(p.terminationStatus == 0)
        let bench = Benchmark(dataDir: dir, runs: 1, log: { _ in })
        let (mem, counts, _) = try bench.loadTables()
        #expect(counts["SecurityEvent"] == 3000 && counts["SigninLogs"] == 3000, "\(counts)")
        #expect(mem.tables["SecurityEvent"]?.schema.index(of: "CommandLine") != nil)
        #expect(mem.tables["SecurityEvent"]?.schema.columns.first { $0.name == "EventID" }?.type == .int)
        let results = try bench.run(mem, counts: counts)
        #expect(results.map(\.0.id) == ["q1", "q2", "q3", "q4", "q5", "q6"])
        #expect(results.first { $0.0.id == "q6" }?.1.count == 10)
    }
}

/// CSV output quotes a value holding a CRLF line end (it was written bare, splitting the row).
@Suite struct CSVOutputTests {
    @Test func aCRLFValueIsQuoted() {
        #expect(ResultFormatter.csvField("a\r\nb") == "\"a\r\nb\"")
        #expect(ResultFormatter.csvField("a\rb") == "\"a\rb\"")
        #expect(ResultFormatter.csvField("say \"hi\", then") == "\"say \"\"hi\"\", then\"")
        #expect(ResultFormatter.csvField("plain") == "plain")
    }
}
