import Foundation
import KQL
import KQLSyntax
import OrderedCollections
import Reports
import Testing

/// The digest's selection is KQL over `SecurityIncident`: the default query takes each incident's
/// latest row, reads the score from its `Risk Score - N` label and keeps the top N of the window; a
/// Sentinel user's own query (no parameters) runs unchanged.
@Suite struct DigestSelectionTests {
    static let now = DateTimeParser.parse("2024-06-30T12:00:00Z")!
    static let day: Int64 = 864_000_000_000

    static func row(_ n: Int, created: Int64, at: Int64, labels: [String], title: String = "") -> [Value] {
        let schema = SchemaCatalog.builtIn["SecurityIncident"]!
        let r: [String: Value] = [
            "TimeGenerated": .datetime(at), "IncidentNumber": .long(Int64(n)), "IncidentName": .string("id-\(n)"), "Title": .string(title.isEmpty ? "incident \(n)" : title),
            "Severity": .string("Medium"), "CreatedTime": .datetime(created),
            "Labels": .array(labels.map { .bag(["labelName": .string($0), "labelType": .string("AutoAssigned")]) }),
        ]
        return schema.columns.map { r[$0.name] ?? .null }
    }

    static func tables() -> InMemoryTables {
        var t = InMemoryTables(schemas: SchemaCatalog.builtIn)
        t.add("SecurityIncident", Table.from(schema: SchemaCatalog.builtIn["SecurityIncident"]!, rows: [
            row(1, created: now - day, at: now - day, labels: ["Risk Score - 20"]),
            // Incident 2's score rose: the latest row counts, not the first.
            row(2, created: now - 2 * day, at: now - 2 * day, labels: ["Risk Score - 5"]),
            row(2, created: now - 2 * day, at: now - day, labels: ["Risk Score - 106", "VIP"]),
            row(3, created: now - 3 * day, at: now - 3 * day, labels: ["Risk Score - 131"]),
            // Too old, not scored, below the minimum.
            row(4, created: now - 20 * day, at: now - 20 * day, labels: ["Risk Score - 500"]),
            row(5, created: now - day, at: now - day, labels: []),
            row(6, created: now - day, at: now - day, labels: ["Risk Score - 2"]),
            row(7, created: now - day, at: now - day, labels: ["Risk Score - 20"]),
        ]))
        return t
    }

    static func run(_ text: String, _ params: [String: Value] = [:]) throws -> Table {
        let q = Parser.parse(text)
        #expect(q.diagnostics.filter { $0.severity == .error }.isEmpty, "\(q.diagnostics)")
        return try QueryExecutor(provider: tables(), context: EvalContext(now: now), parameters: params).run(q).first!.table
    }

    @Test func theDefaultQueryPicksTheTopScoresOfTheWindow() throws {
        let t = try Self.run(RiskyIncidents.defaultQuery, RiskyIncidents.parameters(days: 7, count: 3, minScore: 10))
        let s = try RiskyIncidents.selection(t)
        #expect(s.map(\.number) == [3, 2, 1])
        #expect(s.map(\.score) == [131, 106, 20])
        #expect(s.map(\.id) == ["id-3", "id-2", "id-1"])
        // Ties keep incident-number order; the minimum score and the count apply.
        let all = try RiskyIncidents.selection(Self.run(RiskyIncidents.defaultQuery, RiskyIncidents.parameters(days: 7, count: 10, minScore: 3)))
        #expect(all.map(\.number) == [3, 2, 1, 7])
        let month = try RiskyIncidents.selection(Self.run(RiskyIncidents.defaultQuery, RiskyIncidents.parameters(days: 30, count: 1, minScore: 0)))
        #expect(month.map(\.number) == [4])
    }

    @Test func aSentinelUsersOwnQueryRunsUnchanged() throws {
        // As a Logic App would run it in Sentinel: literal numbers, no parameters.
        let q = """
        SecurityIncident
        | where CreatedTime > ago(7d)
        | summarize arg_max(TimeGenerated, *) by IncidentNumber
        | mv-expand Labels
        | where Labels.labelName startswith "Risk Score"
        | extend RiskScore = toint(split(tostring(Labels.labelName), " - ")[1])
        | top 2 by RiskScore desc
        | project IncidentNumber, Title, RiskScore
        """
        let s = try RiskyIncidents.selection(Self.run(q, RiskyIncidents.parameters(days: 1, count: 1, minScore: 1000)))
        #expect(s.map(\.number) == [3, 2])
    }

    @Test func aResultWithoutIncidentColumnsIsAClearError() throws {
        let t = try Self.run("SecurityIncident | summarize n = count()")
        #expect(throws: ReportError.self) { try RiskyIncidents.selection(t) }
        do { _ = try RiskyIncidents.selection(t) } catch { #expect(error.message.contains("neither an IncidentNumber nor an IncidentName")) }
    }
}

/// The digest's schedule: five-field cron in a time zone.
@Suite struct CronScheduleTests {
    static func date(_ s: String) -> Date { Date(timeIntervalSince1970: Double(DateTimeParser.parse(s)!) / 1e7) }
    static func iso(_ d: Date?) -> String? {
        d.map { ReportTime(Int64(($0.timeIntervalSince1970 * 1e7).rounded())).iso }
    }

    @Test func weeklyFridayMorningInAZone() throws {
        let paris = TimeZone(identifier: "Europe/Paris")!
        let c = try CronSchedule("0 7 * * 5", timeZone: paris)
        // Wednesday 2026-11-25: the next Friday 07:00 Paris (UTC+1 in winter).
        #expect(Self.iso(c.next(after: Self.date("2026-11-25T10:00:00Z"))) == "2026-11-27T06:00:00Z")
        // Exactly at a firing time: the next one, a week later.
        #expect(Self.iso(c.next(after: Self.date("2026-11-27T06:00:00Z"))) == "2026-12-04T06:00:00Z")
        // Summer time: UTC+2.
        #expect(Self.iso(c.next(after: Self.date("2026-06-01T00:00:00Z"))) == "2026-06-05T05:00:00Z")
    }

    @Test func stepsListsRangesNamesAndTheDayFieldsEitherMatching() throws {
        let utc = TimeZone(identifier: "UTC")!
        #expect(Self.iso(try CronSchedule("*/15 * * * *").next(after: Self.date("2026-01-01T00:07:00Z"))) == "2026-01-01T00:15:00Z")
        #expect(Self.iso(try CronSchedule("30 8-18/2 * * MON-FRI", timeZone: utc).next(after: Self.date("2026-01-03T12:00:00Z"))) == "2026-01-05T08:30:00Z")
        #expect(Self.iso(try CronSchedule("0 0 1,15 * *").next(after: Self.date("2026-02-02T00:00:00Z"))) == "2026-02-15T00:00:00Z")
        // Day of month 13 OR Friday (Vixie cron): Friday 2026-02-06 comes first.
        #expect(Self.iso(try CronSchedule("0 9 13 * 5").next(after: Self.date("2026-02-01T00:00:00Z"))) == "2026-02-06T09:00:00Z")
        #expect(Self.iso(try CronSchedule("0 0 29 2 *").next(after: Self.date("2026-03-01T00:00:00Z"))) == "2028-02-29T00:00:00Z")
        #expect(try CronSchedule("0 0 30 2 *").next(after: Self.date("2026-03-01T00:00:00Z")) == nil)
        #expect(Self.iso(try CronSchedule("0 12 * * 7").next(after: Self.date("2026-01-01T00:00:00Z"))) == "2026-01-04T12:00:00Z")
    }

    @Test func aTimeTheClocksSkipDoesNotRun() throws {
        // Europe/Paris skips 02:00-03:00 on 2026-03-29.
        let c = try CronSchedule("30 2 * * *", timeZone: TimeZone(identifier: "Europe/Paris")!)
        #expect(Self.iso(c.next(after: Self.date("2026-03-28T12:00:00Z"))) == "2026-03-30T00:30:00Z")
    }

    /// Six fields: a leading second, as Quartz writes it (a digest every few seconds in tests).
    @Test func aLeadingSecondsField() throws {
        #expect(Self.iso(try CronSchedule("*/10 * * * * *").next(after: Self.date("2026-01-01T00:07:03Z"))) == "2026-01-01T00:07:10Z")
        #expect(Self.iso(try CronSchedule("30 0 7 * * FRI").next(after: Self.date("2026-01-01T00:00:00Z"))) == "2026-01-02T07:00:30Z")
        #expect(Self.iso(try CronSchedule("0 7 * * 5").next(after: Self.date("2026-01-01T00:00:00Z"))) == "2026-01-02T07:00:00Z")
        #expect(throws: ReportError.self) { try CronSchedule("60 * * * * *") }
    }

    @Test func badExpressionsSayWhatIsWrong() {
        for (text, part) in [("0 7 * *", "five fields"), ("0 0 7 * * * *", "six with a leading second"), ("61 * * * *", "'61' is not a minute"), ("0 7 * * FUN", "'FUN' is not a day of week"),
                             ("0 5-1 * * *", "runs backwards"), ("*/0 * * * *", "not a step")] {
            do { _ = try CronSchedule(text); Issue.record("\(text) was accepted") } catch { #expect(error.message.contains(part), "\(text): \(error.message)") }
        }
    }
}
