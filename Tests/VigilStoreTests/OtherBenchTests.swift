import Detection
import Foundation
import KQL
import Testing
import Triage
import VigilApp

/// The other `vigil bench` modes at a tiny size, so that a change that breaks one fails here:
/// `--agents`, `--triage`, `--detection` (on gen.py's output) and `--reports`.
@Suite struct OtherBenchTests {
    @Test func theAgentsBenchTurnsAlertsIntoReviewedIncidents() throws {
        let r = try Benchmark.runAgents(count: 300)
        #expect(r.incidents > 0 && r.incidents < 300, "alerts that share entities correlate: \(r.incidents)")
        #expect(r.outcomes.values.reduce(0, +) == r.incidents)
    }

    @Test func theTriageAndDetectionBenchesRunOnGeneratedData() throws {
        let dir = NSTemporaryDirectory() + "vigil-other-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try WorkloadBenchTests.generate(dir)
        let bench = Benchmark(dataDir: dir, runs: 1, log: { _ in })
        let t = try bench.runTriage(workspace: dir + "/triage", count: 3)
        #expect(t.cold > 0 && t.warm > 0 && t.many > 0)
        #expect(t.scores.count == 4, "\(t.scores)")
        #expect(t.modules.contains { $0.name == "Estate prevalence" } && t.modules.count == TriageRunner.standardModules.count)
        let pack = try #require(BuiltInRulePack.directory?.path)
        let d = try bench.runDetection(workspace: dir + "/detection", rulesDirectory: pack, count: 80, concurrency: 2)
        #expect(d.rules == 80 && d.events == 6_000)
        #expect(!d.cycles.isEmpty && d.cycles.allSatisfy { $0.failed == 0 }, "\(d.cycles)")
    }

    @Test func theReportsBenchDeliversTheDigest() async throws {
        let r = try await Benchmark.runReports(reports: 5, incidents: 200)
        #expect(r.incidents == 200 && r.reports == 5)
        #expect(!r.selected.isEmpty && r.delivered > 0)
    }
}
