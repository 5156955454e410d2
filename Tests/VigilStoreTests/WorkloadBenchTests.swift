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

    static func generate(_ dir: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.gen, "--rows", "3000", "--out", dir, "--formats", "csv"]
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        try #require(p.terminationStatus == 0)
    }

    @Test func theSixWorkloadsRunOnGeneratedData() throws {
        let dir = NSTemporaryDirectory() + "vigil-workload-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.generate(dir)
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

/// `vigil bench --store --rows N` past one generated month (the 100M-row run) at a tiny size: three
/// copies of a 3,000-row month, each a month further back, in a store; the workloads over it.
@Suite struct MonthCopiesBenchTests {
    @Test func aCopyMovesEveryDateAndKeepsTheRest() throws {
        let dir = NSTemporaryDirectory() + "vigil-shift-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = "TimeGenerated,Computer\r\n2024-03-01T00:00:01.500Z,a\r\n2024-03-30T23:59:59.999Z,\"b, c\"\r\n2025-01-15T12:00:00.000Z,d"
        try text.write(toFile: dir + "/in.csv", atomically: true, encoding: .utf8)
        try Benchmark.writeShiftedCSV(from: dir + "/in.csv", to: dir + "/out.csv", days: -30)
        #expect(try String(contentsOfFile: dir + "/out.csv", encoding: .utf8)
            == "TimeGenerated,Computer\r\n2024-01-31T00:00:01.500Z,a\r\n2024-02-29T23:59:59.999Z,\"b, c\"\r\n2024-12-16T12:00:00.000Z,d")
    }

    /// `vigil bench --store` at a tiny size: ingest, bytes per row, the latency probe, the six over the store.
    @Test func theStoreBenchRunsOnGeneratedData() throws {
        let dir = NSTemporaryDirectory() + "vigil-store-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try WorkloadBenchTests.generate(dir)
        let f = try Benchmark(dataDir: dir, runs: 1, log: { _ in }).runStore(workspace: dir + "/workspace", jsonlDir: nil)
        #expect(f.ingests.map(\.rows) == [3000, 3000])
        #expect(f.queries.map(\.id) == ["q1", "q2", "q3", "q4", "q5", "q6"] && f.queries.first { $0.id == "q6" }?.resultRows == 10)
        #expect((f.bytesPerMillionRows["SecurityEvent"] ?? 0) > 0 && f.latencyMillis.p50 > 0)
    }

    @Test func theWorkloadsRunOverThreeMonthCopies() throws {
        let dir = NSTemporaryDirectory() + "vigil-months-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try WorkloadBenchTests.generate(dir)
        let bench = Benchmark(dataDir: dir, runs: 1, log: { _ in })
        let f = try bench.runMonths(workspace: dir + "/workspace", months: 3, duckdbFile: nil, shared: "", cacheMegabytes: 16)
        #expect(f.rows == ["SecurityEvent": 9000, "SigninLogs": 9000])
        #expect(f.queries.map(\.id) == ["q1", "q2", "q3", "q4", "q5", "q6"])
        #expect(f.queries.allSatisfy { $0.peakRSSBytes > 0 })
        #expect(!FileManager.default.fileExists(atPath: dir + "/month-copy"), "each copy is deleted once ingested")
        // The last 7 days are only in the newest copy, which is the month itself.
        let (mem, counts, _) = try bench.loadTables()
        let inMemory = try #require(try bench.run(mem, counts: counts).first { $0.0.id == "q3" }?.1)
        let stored = try #require(f.queries.first { $0.id == "q3" }?.cold)
        #expect(stored.count == inMemory.count && stored.count > 0)
        // q5 keeps every matching row: three times the month's.
        let q5 = try #require(try bench.run(mem, counts: counts).first { $0.0.id == "q5" }?.1)
        #expect(f.queries.first { $0.id == "q5" }?.resultRows == 3 * q5.count)
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
