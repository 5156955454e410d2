import Foundation
import Testing
import KQL
import VigilApp

/// The boundary: exit codes and rendered diagnostics, as `vigil query` prints them.
@Suite struct QueryRunnerTests {
    let runner = QueryRunner(provider: InMemoryTables(schemas: SchemaCatalog.builtIn), now: 0)

    @Test func everyBindingErrorIsReportedWithPosition() {
        guard case .failure(let code, let message) = runner.run("print a = 1 | where nope > 1 | extend b = strlen(1, 2) | project a, also_missing") else {
            Issue.record("expected a failure"); return
        }
        #expect(code == 2)
        #expect(message.contains("error KQL2002 at 1:21:"))
        #expect(message.contains("error KQL2005 at 1:43:"))
        #expect(message.contains("error KQL2002 at 1:69:"))
        #expect(message.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == "^" })
    }

    @Test func syntaxErrorsExitWithTwo() {
        guard case .failure(let code, let message) = runner.run("print x = (1 +\n| where") else { Issue.record("expected a failure"); return }
        #expect(code == 2)
        #expect(message.hasPrefix("error KQL1"))
    }

    @Test func runtimeErrorsExitWithThree() {
        guard case .failure(let code, let message) = runner.run(#"print x = extract("(", 1, "a")"#) else { Issue.record("expected a failure"); return }
        #expect(code == 3)
        #expect(message.contains("KQL4002"))
    }

    @Test func parseOnlyBindsAgainstTheCatalog() {
        if case .failure(_, let m) = runner.run("SecurityEvent | where EventID == 4625 | summarize count() by Account", parseOnly: true) {
            Issue.record("\(m)")
        }
        guard case .failure(let code, _) = runner.run("SecurityEvent | where NoSuchColumn == 1", parseOnly: true) else {
            Issue.record("expected a failure"); return
        }
        #expect(code == 2)
    }

    @Test func jsonResultShape() throws {
        guard case .success(let results, _) = runner.run("print a = 1, s = 'x', t = datetime(2024-01-01), d = 1h, n = long(null), j = dynamic({\"k\":[1]})") else {
            Issue.record("query failed"); return
        }
        #expect(ResultFormatter.render(results, as: .json) ==
            #"{"columns":[{"name":"a","type":"long"},{"name":"s","type":"string"},{"name":"t","type":"datetime"},{"name":"d","type":"timespan"},{"name":"n","type":"long"},{"name":"j","type":"dynamic"}],"rows":[[1,"x","2024-01-01T00:00:00Z","01:00:00",null,{"k":[1]}]]}"# + "\n")
    }
}

/// ASIM parsers are stored functions over the normalized tables, filtering by their parameters.
@Suite struct AsimFunctionTests {
    @Test func webSessionParserFiltersByParameters() throws {
        let schema = Schema([ColumnSchema("TimeGenerated", .datetime), ColumnSchema("SrcIpAddr", .string),
                             ColumnSchema("DstIpAddr", .string), ColumnSchema("Url", .string), ColumnSchema("EventResult", .string),
                             ColumnSchema("HttpUserAgent", .string), ColumnSchema("EventResultDetails", .string)])
        let day = Ticks.perDay
        let rows: [[Value]] = [
            [.datetime(10 * day), .string("10.0.0.5"), .string("1.1.1.1"), .string("https://a.example/x"), .string("Success")],
            [.datetime(10 * day), .string("192.168.1.1"), .string("1.1.1.1"), .string("https://b.example/y"), .string("Failure")],
            [.datetime(1 * day), .string("10.0.0.9"), .string("2.2.2.2"), .string("https://a.example/z"), .string("Success")],
        ]
        let mem = InMemoryTables(tables: ["ASimWebSessionLogs": Table.from(schema: schema, rows: rows)], functions: AsimFunctions.all)
        let runner = QueryRunner(provider: mem, now: 11 * day)
        func count(_ q: String) -> Int64? {
            let outcome = runner.run(q)
            guard case .success(let r, _) = outcome, let t = r.first?.table else { Issue.record("\(outcome)"); return nil }
            return t.row(0)[0].asInt64
        }
        #expect(count("_Im_WebSession() | count") == 3)
        #expect(count(#"_Im_WebSession(srcipaddr_has_any_prefix=dynamic(["10.0."])) | count"#) == 2)
        #expect(count(#"_Im_WebSession(starttime=ago(2d), srcipaddr_has_any_prefix=dynamic(["10.0."])) | count"#) == 1)
        #expect(count(#"_Im_WebSession(eventresult="Failure") | count"#) == 1)
    }
}

@Suite struct RowBudgetTests {
    @Test func joinsThatExplodeStopWithABudgetError() {
        let runner = QueryRunner(provider: InMemoryTables(), now: 0, maxRows: 1000)
        let q = "range x from 1 to 100 step 1 | extend k = 1 | join kind=inner (range y from 1 to 100 step 1 | extend k = 1) on k | count"
        guard case .failure(let code, let message) = runner.run(q) else { Issue.record("expected a budget error"); return }
        #expect(code == 3)
        #expect(message.contains("KQL4003"))
    }

    /// A join followed by `where` counts the rows the filter keeps: its pairs are row numbers, and
    /// the 100M-row bench's self-join (about 90M pairs, a few thousand rows kept) failed on them.
    @Test func aFilteredJoinIsBudgetedOnTheRowsItKeeps() {
        let runner = QueryRunner(provider: InMemoryTables(), now: 0, maxRows: 1000)
        let kept = "range x from 1 to 40 step 1 | extend k = 1 | join kind=inner (range y from 1 to 40 step 1 | extend k = 1) on k | where x == y | count"
        guard case .success(let r, _) = runner.run(kept) else { Issue.record("1,600 pairs, 40 kept: within the budget"); return }
        #expect(r.first?.table.row(0) == [.long(40)])
        let many = "range x from 1 to 40 step 1 | extend k = 1 | join kind=inner (range y from 1 to 40 step 1 | extend k = 1) on k | where x != y | count"
        guard case .failure(_, let message) = runner.run(many) else { Issue.record("1,560 rows kept: over the budget"); return }
        #expect(message.contains("KQL4003"))
        let huge = "range x from 1 to 100 step 1 | extend k = 1 | join kind=inner (range y from 1 to 100 step 1 | extend k = 1) on k | where x == y | count"
        guard case .failure = runner.run(huge) else { Issue.record("10,000 pairs: past four times the budget"); return }
    }
}

/// Query parameters (`declare query_parameters`): a dynamic one given as text is JSON, so a list
/// passed on the command line works with `in` and `has_any` like a `dynamic([...])` literal.
@Suite struct QueryParameterTests {
    @Test func dynamicParametersGivenAsTextAreParsedAsJSON() {
        let t = Table.from(schema: Schema([ColumnSchema("ip", .string)]), rows: [[.string("10.0.0.1")], [.string("10.0.0.2")], [.string("10.0.0.3")]])
        let runner = QueryRunner(provider: InMemoryTables(tables: ["T": t]), now: 0, parameters: ["ips": .string(#"["10.0.0.1","10.0.0.3"]"#)])
        guard case .success(let r, _) = runner.run("declare query_parameters(ips:dynamic); T | where ip in (ips) | summarize n = count(), len = max(array_length(ips))") else {
            Issue.record("query failed"); return
        }
        #expect(r[0].table.row(0) == [.long(2), .long(2)])
    }
}

/// Binding without data (`--parse-only`, rule validation) after an operator whose columns come from
/// the data accepts the names the data would bring, as Sentinel's query validation does.
@Suite struct OpenSchemaBindingTests {
    @Test func namesAfterBagUnpackBindWithoutData() {
        let schema = Schema([ColumnSchema("TimeGenerated", .datetime), ColumnSchema("Props", .dynamic)])
        let runner = QueryRunner(provider: InMemoryTables(schemas: ["T": schema]), now: 0)
        let q = "T | evaluate bag_unpack(Props) | where displayName == 'x' | project-rename Name = displayName | project-away extra"
        guard case .success = runner.run(q, parseOnly: true) else { Issue.record("\(runner.run(q, parseOnly: true))"); return }
        // Before the plugin, and when it runs over data, unknown names are still errors.
        guard case .failure(_, let m) = runner.run("T | where displayName == 'x' | evaluate bag_unpack(Props)", parseOnly: true) else { Issue.record("bound"); return }
        #expect(m.contains("KQL2002"))
        guard case .failure = runner.run(q) else { Issue.record("ran over no data"); return }
    }

    @Test func facetReturnsTheWithTableThenOneTablePerColumn() {
        let runner = QueryRunner(provider: InMemoryTables(schemas: [:]), now: 0)
        let q = """
        datatable(State:string, Kind:string, n:long) ["AL", "Snow", 1, "AK", "Rain", 2, "AL", "Rain", 3, "AZ", "Snow", 4]
        | facet by State, Kind with (where n > 1 | project State, n | take 2)
        """
        guard case .success(let r, _) = runner.run(q) else { Issue.record("facet failed"); return }
        #expect(r.count == 3)
        #expect(r.first?.table.rows == [[Value.string("AK"), .long(2)], [.string("AL"), .long(3)]])
        #expect(r.dropFirst().first?.table.schema.names == ["State", "count_State"])
        #expect(r.dropFirst().first?.table.rows == [[Value.string("AL"), .long(2)], [.string("AK"), .long(1)], [.string("AZ"), .long(1)]])
        #expect(r.last?.table.rows == [[Value.string("Snow"), .long(2)], [.string("Rain"), .long(2)]])
        // Without `with`, the first column's table is the primary result.
        guard case .success(let plain, _) = runner.run("datatable(a:string)['x', 'x'] | facet by a") else { Issue.record("facet failed"); return }
        #expect(plain.count == 1 && plain[0].table.rows == [[Value.string("x"), .long(2)]])
    }

    @Test func funnelSequenceReturnsItsThreeTables() {
        let runner = QueryRunner(provider: InMemoryTables(schemas: [:]), now: 0)
        let q = """
        datatable(id:string, t:datetime, s:string) [
          "u1", datetime(2024-01-01 01:00), "Hail", "u1", datetime(2024-01-01 02:00), "Tornado", "u1", datetime(2024-01-01 03:00), "Wind",
          "u2", datetime(2024-01-01 01:00), "Hail", "u2", datetime(2024-01-01 02:00), "Tornado", "u2", datetime(2024-01-01 03:00), "Hail"]
        | evaluate funnel_sequence(id, t, datetime(2024-01-01), datetime(2024-01-02), 2h, 1d, s, dynamic(['Tornado']))
        """
        guard case .success(let r, _) = runner.run(q) else { Issue.record("funnel_sequence failed"); return }
        #expect(r.map { $0.table.schema.names } == [["t", "prev", "next", "dcount", "samples"], ["t", "prev", "dcount", "samples"], ["t", "next", "dcount", "samples"]])
        #expect(r[0].table.count == 2)
        #expect(r[1].table.rows.map { Array($0.dropFirst()) } == [[Value.string("Hail"), .long(2), .array([.string("u1"), .string("u2")])]])
        #expect(r[2].table.rows.map { $0[1] } == [Value.string("Hail"), .string("Wind")])
    }
    /// The reference page's shapes: unnamed legs, legs named by their `as`, and `name=(...)` legs.
    @Test func forkGivesATablePerLegNamedAsTheLegSays() {
        let runner = QueryRunner(provider: InMemoryTables(schemas: [:]), now: 0)
        let storms = "datatable(State:string, Deaths:long, Injuries:long) [\"FLORIDA\", 2, 0, \"FLORIDA\", 0, 3, \"TEXAS\", 5, 5, \"FLORIDA\", 0, 0]\n| where State == \"FLORIDA\"\n"
        guard case .success(let plain, _) = runner.run(storms + "| fork (where Deaths > 1) (where Injuries > 1 | project Injuries)") else { Issue.record("fork failed"); return }
        #expect(plain.map(\.name) == ["PrimaryResult", "Table_1"])
        #expect(plain[0].table.rows == [[Value.string("FLORIDA"), .long(2), .long(0)]])
        #expect(plain[1].table.rows == [[Value.long(3)]])
        guard case .success(let byAs, _) = runner.run(storms + "| fork (where Deaths > 1 | as StormsWithDeaths) (where Injuries > 1 | as StormsWithInjuries)") else { Issue.record("fork failed"); return }
        #expect(byAs.map(\.name) == ["StormsWithDeaths", "StormsWithInjuries"])
        guard case .success(let named, _) = runner.run(storms + "| fork WithDeaths = (where Deaths > 1) WithInjuries = (summarize n = count())") else { Issue.record("fork failed"); return }
        #expect(named.map(\.name) == ["WithDeaths", "WithInjuries"])
        #expect(named[1].table.rows == [[Value.long(3)]])
        // A leg that names a column the input lacks is the usual binding error, with its position.
        guard case .failure(_, let m) = runner.run(storms + "| fork (where Nope > 1) (take 1)") else { Issue.record("bound"); return }
        #expect(m.contains("Nope"))
        guard case .failure(_, let empty) = runner.run(storms + "| fork") else { Issue.record("an empty fork parsed"); return }
        #expect(empty.contains("fork needs at least one (subquery)"))
    }
}
