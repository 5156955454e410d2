import Foundation
import Testing
import VigilApp

/// `vigil bench --binding` at a tiny size: the shared rules bound against the catalog and all 295
/// parser files, so a change that breaks the benchmark (or binding) fails here.
@Suite struct BindingBenchTests {
    @Test func sentinelRulesBindWithTheCatalogAndParsers() throws {
        let shared = TestWorkspace.samples.deletingLastPathComponent()
        let queries = Benchmark.corpusQueries([shared.appendingPathComponent("sentinel-rules").path])
        #expect(queries.count >= 59)
        let ws = try TestWorkspace()
        let r = try Benchmark.runBinding(workspace: ws.path + "/bench", parsers: shared.appendingPathComponent("sentinel-parsers").path, queries: queries, repeats: 1)
        #expect(r.tables >= 240)
        #expect(r.functions >= 400)
        // The one failure is a genuine mistake in the rule (it reads UserAgent after projecting it away).
        #expect(r.bound == r.queries - 1, "\(r.failures)")
        #expect(r.failures.allSatisfy { $0.file.hasSuffix("ServicePrincipalAssignedAppRoleWithSensitiveAccess.yaml") })
    }
}
