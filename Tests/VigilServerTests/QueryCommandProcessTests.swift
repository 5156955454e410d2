import Foundation
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
