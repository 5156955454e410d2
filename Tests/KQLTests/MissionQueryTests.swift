import Foundation
import Testing
import KQL
import VigilApp

/// The two queries of the mission statement, on sample-shaped data.
@Suite struct MissionQueryTests {
    func run(_ q: String, _ tables: [String: Table]) throws -> Table {
        let r = QueryRunner(provider: InMemoryTables(tables: tables, schemas: SchemaCatalog.builtIn), now: DateTimeParser.parse("2024-06-30")!).run(q)
        guard case .success(let res, _) = r, let t = res.first?.table else { Issue.record("\(r)"); throw CancellationError() }
        return t
    }

    @Test func failedLogons() throws {
        var rows: [[Value]] = []
        for i in 0..<7 { rows.append([.string("CONTOSO\\alice"), .long(4625), .datetime(Int64(i) * Ticks.perMinute)]) }
        for i in 0..<3 { rows.append([.string("CONTOSO\\bob"), .long(4625), .datetime(Int64(i) * Ticks.perMinute)]) }
        rows.append([.string("CONTOSO\\alice"), .long(4624), .datetime(0)])
        let se = Table.from(schema: Schema([ColumnSchema("Account", .string), ColumnSchema("EventID", .int), ColumnSchema("TimeGenerated", .datetime)]), rows: rows)
        let t = try run("SecurityEvent | where EventID == 4625 | summarize FailedAttempts = count() by Account | where FailedAttempts > 5 | extend AnomalyScore = log(FailedAttempts)", ["SecurityEvent": se])
        #expect(t.schema.names == ["Account", "FailedAttempts", "AnomalyScore"])
        #expect(t.count == 1)
        #expect(t.row(0)[0] == .string("CONTOSO\\alice"))
        #expect(t.row(0)[1] == .long(7))
        #expect(abs((t.row(0)[2].asDouble ?? 0) - log(7.0)) < 1e-12)
    }

    @Test func signinFailures() throws {
        let schema = Schema([ColumnSchema("UserPrincipalName", .string), ColumnSchema("ResultType", .string), ColumnSchema("IPAddress", .string)])
        var rows: [[Value]] = []
        for i in 0..<5 { rows.append([.string("a@x.com"), .string("50126"), .string("1.1.1.\(i % 2)")]) }
        rows.append([.string("a@x.com"), .string("0"), .string("1.1.1.9")])
        for _ in 0..<2 { rows.append([.string("b@x.com"), .string("50126"), .string("2.2.2.2")]) }
        let t = try run("SigninLogs | summarize FailedLogins = countif(ResultType != \"0\"), UniqueIPs = dcount(IPAddress) by UserPrincipalName | where FailedLogins > 3",
                        ["SigninLogs": Table.from(schema: schema, rows: rows)])
        #expect(t.schema.names == ["UserPrincipalName", "FailedLogins", "UniqueIPs"])
        #expect(t.rows == [[.string("a@x.com"), .long(5), .long(3)]])
    }
}
