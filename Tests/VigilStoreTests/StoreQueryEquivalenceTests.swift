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
        // Prefiltered on the stored dictionary's bytes (a string column, string operators, constants).
        "Rand_CL | where Name has \"alice\"",
        "Rand_CL | where Name has_cs \"Zoë\" or Name contains \"TOSO\\\\s\"",
        "Rand_CL | where not(Name has \"user\") and Name startswith \"a\"",
        "Rand_CL | where Name =~ \"BOB\" or Name endswith \"svc\" | project Name, Count",
        "Rand_CL | where Name !has \"user\" and Name !contains \"o\" and Name !contains \"a\"",
        "Rand_CL | where Name hasprefix \"user1\" | where Count > 0 | summarize count() by Flag",
        // Summarized part by part (counts and sums add, minima and maxima compare across extents).
        "Rand_CL | summarize count() by Flag",
        "Rand_CL | where Count > 0 | summarize n = count(), c = countif(Flag), s = sum(Count), lo = min(TimeGenerated), hi = max(Score) by Name | where n > 1",
        "Rand_CL | where Name has \"user\" | summarize count(), sum(Count), max(TimeGenerated)",
        "Rand_CL | where Name == \"no such name\" | summarize count(), sum(Count), min(TimeGenerated)",
        "Rand_CL | where Name == \"no such name\" | summarize count() by Flag",
        "Rand_CL | summarize n = count() by bin(TimeGenerated, 6h), Flag | order by TimeGenerated asc",
        "Rand_CL | where Count > 0 | summarize sumif(Count, Flag), minif(Score, Flag), maxif(Count, Flag) by tolower(Name)",
        "Rand_CL | summarize count(), dcount(Name) by Flag",
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

/// A join whose right side is a stored table under row-wise operators, followed by `where`, runs part
/// by part (each extent probes the left keys and keeps only the pairs the filter passes): the same
/// rows as joining the whole right side, and a budget that counts only what survives.
@Suite struct StreamingJoinTests {
    static func store() throws -> LogStore {
        let store = try TestWorkspace().store()
        let schema = Schema([ColumnSchema("TimeGenerated", .datetime), ColumnSchema("IPAddress", .string), ColumnSchema("ResultType", .string),
                             ColumnSchema("UserPrincipalName", .string)])
        let t0 = DateTimeParser.parse("2026-11-01T00:00:00Z")!
        var n = 0
        for part in 0..<5 {
            var rows: [[Value]] = []
            for _ in 0..<2_000 {
                // Thirty addresses, each every half hour; one sign-in in seven fails; a minute apart.
                let ip = "10.0.0.\(n % 30)", ok = n % 7 != 0
                rows.append([.datetime(t0 + Int64(n) * 600_000_000), .string(ip), .string(ok ? "0" : "50126"), .string("user\(n % 17)@contoso.com")])
                n += 1
            }
            try store.writeExtent(table: "Sign_CL", batch: Table.from(schema: schema, rows: rows), addedColumns: part == 0 ? schema.columns : [])
        }
        return store
    }

    static let q4 = """
        let failures = Sign_CL | where ResultType != "0" | summarize Failures = count(), LastFailure = max(TimeGenerated) by IPAddress | where Failures >= 5;
        failures | join kind=inner (RIGHT) on IPAddress
        | where SuccessTime > LastFailure - 2h and SuccessTime <= LastFailure
        | summarize Successes = count(), Users = dcount(UserPrincipalName) by IPAddress, Failures
        """
    static let right = #"Sign_CL | where ResultType == "0" | project IPAddress, SuccessTime = TimeGenerated, UserPrincipalName"#

    @Test func theStreamedJoinGivesTheWholeJoinsRows() throws {
        let store = try Self.store()
        let now = TestWorkspace.now
        let streamed = Self.q4.replacingOccurrences(of: "RIGHT", with: Self.right)
        // materialize() hides the stored table from the join: it joins the whole right side.
        let whole = Self.q4.replacingOccurrences(of: "RIGHT", with: "materialize(\(Self.right))")
        guard case .success(let a, _) = QueryRunner(provider: store, now: now).run(streamed),
              case .success(let b, _) = QueryRunner(provider: store, now: now).run(whole) else { Issue.record("query failed"); return }
        #expect(a[0].table.count == 30)
        #expect(a[0].table.schema.names == b[0].table.schema.names)
        #expect(StoreRoundTripTests.sortedRows(a[0].table) == StoreRoundTripTests.sortedRows(b[0].table))
        // innerunique (the default) over a left side with repeated keys keeps each key's first row.
        let dup = #"Sign_CL | where ResultType != "0" | project IPAddress, F = TimeGenerated | join (RIGHT) on IPAddress | where SuccessTime < F | count"#
        guard case .success(let c, _) = QueryRunner(provider: store, now: now).run(dup.replacingOccurrences(of: "RIGHT", with: Self.right)),
              case .success(let d, _) = QueryRunner(provider: store, now: now).run(dup.replacingOccurrences(of: "RIGHT", with: "materialize(\(Self.right))")) else {
            Issue.record("query failed"); return
        }
        #expect(c[0].table.row(0) == d[0].table.row(0))
    }

    /// A left side of two addresses out of thirty, and right sides whose filters become a mask over
    /// each part and whose projections rename the key (no row moves before the join); shapes where
    /// that could change the result (a computed key, a filter after a projection) join as before.
    /// Each gives the whole join's rows.
    @Test func theRightSidesFiltersBecomeAMaskWithTheSameRows() throws {
        let store = try Self.store()
        let now = TestWorkspace.now
        let left = #"let failures = Sign_CL | where ResultType != "0" | summarize Failures = count(), LastFailure = max(TimeGenerated) by IPAddress | where IPAddress in ("10.0.0.3", "10.0.0.7");"#
        let shapes = [
            ("IPAddress", #"Sign_CL | where ResultType == "0" | project IPAddress, SuccessTime = TimeGenerated, UserPrincipalName"#),
            ("IPAddress", #"Sign_CL | where ResultType == "0" | where UserPrincipalName != "user3@contoso.com" | project IPAddress, SuccessTime = TimeGenerated"#),
            ("$left.IPAddress == $right.Addr", #"Sign_CL | where ResultType == "0" | project-rename Addr = IPAddress | project Addr, SuccessTime = TimeGenerated"#),
            ("$left.IPAddress == $right.Addr", #"Sign_CL | where ResultType == "0" | project Addr = IPAddress, SuccessTime = TimeGenerated | project-away SuccessTime | extend SuccessTime = now()"#),
            ("$left.IPAddress == $right.IPAddress", #"Sign_CL | where ResultType == "0" | extend IPAddress = strcat("10.0.0.", tostring(toint(split(IPAddress, ".")[3]) + 4)), SuccessTime = TimeGenerated"#),
            ("IPAddress", #"Sign_CL | project IPAddress, SuccessTime = TimeGenerated, ResultType | where ResultType == "0""#),
        ]
        for (on, right) in shapes {
            let q = left + " failures | join kind=inner (RIGHT) on \(on) | where SuccessTime > LastFailure - 2h | project IPAddress, Failures, SuccessTime"
            let streamed = QueryRunner(provider: store, now: now).run(q.replacingOccurrences(of: "RIGHT", with: right))
            let whole = QueryRunner(provider: store, now: now).run(q.replacingOccurrences(of: "RIGHT", with: "materialize(\(right))"))
            switch (streamed, whole) {
            case (.success(let a, _), .success(let b, _)):
                #expect(a[0].table.count > 0, "\(right)")
                #expect(StoreRoundTripTests.sortedRows(a[0].table) == StoreRoundTripTests.sortedRows(b[0].table), "\(right)")
            case (.failure(_, let m), .failure(_, let n)): #expect(m == n, "\(right)")
            default: Issue.record("one of the joins failed: \(right)")
            }
        }
    }

    /// About 8,600 right rows match a left key (past four times a budget of 1,000), about 100 pass the
    /// filter: only the streamed join stays within the budget, because it never holds the pairs.
    @Test func theStreamedJoinIsBudgetedOnItsSurvivorsPartByPart() throws {
        let store = try Self.store()
        let q = Self.q4.replacingOccurrences(of: "| summarize Successes = count(), Users = dcount(UserPrincipalName) by IPAddress, Failures", with: "| take 1000")
        let runner = QueryRunner(provider: store, now: TestWorkspace.now, maxRows: 1_000)
        guard case .success = runner.run(q.replacingOccurrences(of: "RIGHT", with: Self.right)) else { Issue.record("the streamed join went past its budget"); return }
        guard case .failure(_, let message) = runner.run(q.replacingOccurrences(of: "RIGHT", with: "materialize(\(Self.right))")) else {
            Issue.record("the whole join should have built about 8,600 pairs"); return
        }
        #expect(message.contains("KQL4003"))
        // Survivors past the budget: the error of a part's filter, run beside the next part's probe,
        // still fails the query.
        let wide = q.replacingOccurrences(of: "LastFailure - 2h", with: "LastFailure - 1000d").replacingOccurrences(of: "SuccessTime <= LastFailure", with: "true")
        guard case .failure(_, let past) = runner.run(wide.replacingOccurrences(of: "RIGHT", with: Self.right)) else {
            Issue.record("about 8,600 survivors should pass a budget of 1,000"); return
        }
        #expect(past.contains("KQL4003"))
    }
}
