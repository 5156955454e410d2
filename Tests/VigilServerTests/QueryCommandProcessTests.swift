import Foundation
import KQL
import VigilApp
import Testing

/// `vigil query` as a new user runs it: checking a query writes nothing, and without a workspace it
/// binds against Sentinel's catalog and the shipped parsers.
@Suite struct QueryCommandProcessTests {
    func vigil(_ args: [String], in dir: String) async throws -> (Int32, String) { try await VigilProcess.run(args, in: dir) }

    @Test func aQueryWithoutAWorkspaceCreatesNone() async throws {
        let dir = NSTemporaryDirectory() + "vigil-nows-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (c1, t1) = try await vigil(["query", "--parse-only", "imAuthentication | where TargetUsername == 'x' | join (SecurityEvent) on $left.TargetUsername == $right.Account"], in: dir)
        #expect(c1 == 0, "\(t1)")
        let (c2, t2) = try await vigil(["query", "Okta_CL | count"], in: dir)
        #expect(c2 == 0 && t2.contains("0"), "\(t2)")
        let (c3, t3) = try await vigil(["query", "--parse-only", "SecurityEvnt | take 1"], in: dir)
        #expect(c3 == 2 && t3.contains("did you mean 'SecurityEvent'"), "\(t3)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/.vigil"), "vigil query created ./.vigil")
    }
}

/// `vigil bench --store`'s HTTP ingest step at a tiny size: it authenticates as the server requires
/// (it sent no token and stopped with 401 Unauthorized).
@Suite struct HTTPIngestBenchTests {
    @Test func theHTTPIngestStepSendsAToken() async throws {
        let schema = Schema([ColumnSchema("TimeGenerated", .datetime), ColumnSchema("Computer", .string), ColumnSchema("EventID", .int)])
        let rows: [[Value]] = (0..<300).map { [.datetime(Int64($0) * 10_000_000), .string("host\($0 % 7)"), .long(4624)] }
        let bench = Benchmark(dataDir: NSTemporaryDirectory(), runs: 1, log: { _ in })
        let r = try await bench.runHTTPIngest(workspace: NSTemporaryDirectory() + "vigil-http-bench-" + UUID().uuidString,
                                              source: Table.from(schema: schema, rows: rows), rows: 300, batchRows: 50, clients: 2)
        #expect(r.rows == 300)
    }
}

/// Several processes opening one new workspace at once: the first creates the database, the others
/// wait for it (they failed with `table "log_table" already exists`).
@Suite struct ConcurrentWorkspaceCreationTests {
    @Test func fourProcessesOpenANewWorkspaceTogether() async throws {
        for round in 0..<3 {
            let ws = NSTemporaryDirectory() + "vigil-race-\(round)-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: ws) }
            let results = try await withThrowingTaskGroup(of: (Int32, String).self) { group in
                for _ in 0..<4 { group.addTask { try await VigilProcess.run(["tables", "list", "--workspace", ws]) } }
                var out: [(Int32, String)] = []
                for try await r in group { out.append(r) }
                return out
            }
            for (code, text) in results { #expect(code == 0, "\(text)") }
        }
    }
}
