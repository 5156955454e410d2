import Foundation
import KQL
import Testing
import VigilApp
import VigilStore

/// The store's partitioned scan (filters per extent, late materialisation of the other columns) gives
/// exactly the rows an in-memory table of the same data gives, for filters of every shape.
@Suite struct StoreQueryEquivalenceTests {
    static let queries = [
        "Rand_CL | where Name has \"user1\"",
        "Rand_CL | where Count > 0 and Flag == true",
        "Rand_CL | where isnull(Score)",
        "Rand_CL | where Name == \"\" | where Count < 0",
        "Rand_CL | where TimeGenerated between (datetime(2026-11-02) .. datetime(2026-11-04)) | where Name startswith \"user\"",
        "Rand_CL | where Props.k == 3",
        "Rand_CL | where Name has \"alice\" or Props has \"v1\"",
        "Rand_CL | where Name has \"user\" | summarize n = count(), s = sum(Count) by Flag",
        "Rand_CL | where Id != \"\" | project Name, Id, Took",
        "Rand_CL | where Count > 0 | extend x = Count * 2 | where x > 100 | project Name, x",
        "Rand_CL | where Name contains \"nobody at all\"",
        "Rand_CL | where true",
    ]

    /// With the default cache, and with none: a table too big for the cache is filtered one part at a
    /// time (what a 100M-row table does), never assembling whole columns.
    @Test(arguments: ["", "storage:\n  cacheMegabytes: 0\n"])
    func partitionedScansMatchInMemory(_ config: String) throws {
        let ws = try config.isEmpty ? TestWorkspace() : TestWorkspace(config)
        let store = try ws.store()
        var rng = StoreRoundTripTests.SplitMix(s: 77)
        var parts: [Table] = []
        for i in 0..<5 {
            let t = StoreRoundTripTests.randomTable(&rng, rows: 400 + 50 * i, base: DateTimeParser.parse("2026-11-0\(i + 1)")!)
            parts.append(t)
            if i < 4 { try store.writeExtent(table: "Rand_CL", batch: t, addedColumns: StoreRoundTripTests.columns) }
            else { try store.appendWAL(table: "Rand_CL", batch: t, addedColumns: StoreRoundTripTests.columns) }
        }
        let all = Table(schema: parts[0].schema, columns: parts[0].schema.columns.indices.map { c in
            Column.concat(parts.map { $0.columns[c] }, type: parts[0].columns[c].type) }, count: parts.reduce(0) { $0 + $1.count })
        let mem = InMemoryTables(tables: ["Rand_CL": all])
        let now = TestWorkspace.now
        // Each query cold (a fresh store), then twice on a shared store: partitioned, late-materialised,
        // fallen back to whole columns when not selective, and served from assembled columns once cached.
        for (q, provider) in Self.queries.flatMap({ q in [(q, try! ws.store() as LogStore), (q, store), (q, store)] }) {
            guard case .success(let a, _) = QueryRunner(provider: provider, now: now).run(q),
                  case .success(let b, _) = QueryRunner(provider: mem, now: now).run(q) else {
                Issue.record("query failed: \(q) \(QueryRunner(provider: store, now: now).run(q)) \(QueryRunner(provider: mem, now: now).run(q))"); continue
            }
            #expect(a[0].table.schema.names == b[0].table.schema.names, "\(q)")
            #expect(StoreRoundTripTests.sortedRows(a[0].table) == StoreRoundTripTests.sortedRows(b[0].table), "\(q)")
        }
    }
}
