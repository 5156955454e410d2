import Detection
import Foundation
import KQL
import KQLSyntax
import Testing
import VigilCore

/// Sigma correlation rules (the specification's event_count, value_count, temporal and
/// temporal_ordered), loaded from one multi-document file with the rules they refer to, run over
/// SecurityEvent rows as Sentinel stores them.
@Suite struct SigmaCorrelationTests {
    static let t0 = DateTimeParser.parse("2024-06-21T02:00:00Z")!
    static let minute: Int64 = 600_000_000

    /// The specification's own example: ten failed logons, then a success, by one user within 10 minutes.
    static let failedThenSuccess = """
    title: Correlation - Multiple Failed Logins Followed by Successful Login
    id: b180ead8-d58f-40b2-ae54-c8940995b9b6
    status: experimental
    author: Florian Roth (Nextron Systems)
    correlation:
        type: temporal_ordered
        rules:
            - multiple_failed_login
            - successful_login
        group-by:
            - TargetUserName
        timespan: 10m
    falsepositives:
        - Unlikely
    level: high
    ---
    title: Multiple failed logons
    id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
    name: multiple_failed_login
    correlation:
        type: event_count
        rules:
            - failed_login
        group-by:
            - TargetUserName
        timespan: 10m
        condition:
            gte: 10
    ---
    title: Single failed login
    id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
    name: failed_login
    tags:
        - attack.credential-access
        - attack.t1110
    logsource:
        product: windows
        service: security
    detection:
        selection:
            EventID:
                - 529
                - 4625
        condition: selection
    ---
    title: Successful login
    id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
    name: successful_login
    logsource:
        product: windows
        service: security
    detection:
        selection:
            EventID:
                - 528
                - 4624
        condition: selection
    """

    static func logons(_ rows: [(minutes: Int64, id: Int, user: String, ip: String, host: String)]) -> InMemoryTables {
        var tables = InMemoryTables(schemas: SchemaCatalog.builtIn)
        let sec = SchemaCatalog.builtIn["SecurityEvent"]!
        tables.add("SecurityEvent", Table.from(schema: sec, rows: rows.map { r in
            let row: [String: Value] = ["TimeGenerated": .datetime(t0 + r.minutes * minute), "EventID": .long(Int64(r.id)), "Computer": .string(r.host),
                                        "Account": .string("CONTOSO\\" + r.user), "TargetUserName": .string(r.user), "IpAddress": .string(r.ip)]
            return sec.columns.map { row[$0.name] ?? .null }
        }))
        return tables
    }

    func run(_ text: String, _ tables: InMemoryTables) throws -> (rule: AnalyticsRule, rows: [[String: String]]) {
        let (rules, diags) = RuleParser.parse(text, file: "mr.yml")
        #expect(diags.isEmpty, "\(diags)")
        let rule = try #require(rules.first).rule
        let out = try #require(try QueryExecutor(provider: tables, context: EvalContext(now: Self.t0)).run(Parser.parse(rule.query)).first?.table)
        let names = out.schema.columns.map(\.name)
        return (rule, (0..<out.count).map { i in Dictionary(uniqueKeysWithValues: zip(names, out.row(i).map(\.kqlString))) })
    }

    @Test func failedLogonsThenASuccessInOrderFire() throws {
        var rows: [(minutes: Int64, id: Int, user: String, ip: String, host: String)] = []
        for i in 0..<10 { rows.append((Int64(i) / 2, 4625, "eve", "45.1.1.1", "DC1")) }
        rows.append((6, 4624, "eve", "45.1.1.1", "DC1"))
        // bob: the success comes first; cy: only five failures.
        rows.append((0, 4624, "bob", "10.0.0.2", "DC1"))
        for i in 0..<10 { rows.append((1 + Int64(i) / 4, 4625, "bob", "10.0.0.2", "DC1")) }
        for i in 0..<5 { rows.append((Int64(i), 4625, "cy", "10.0.0.3", "DC1")) }
        rows.append((7, 4624, "cy", "10.0.0.3", "DC1"))
        let (rule, out) = try run(Self.failedThenSuccess, Self.logons(rows))
        #expect(out.map { $0["TargetUserName"] } == ["eve"], "\(rule.query)\n\(out)")
        #expect(out.first?["SigmaAccount"] == "CONTOSO\\eve" && out.first?["SigmaComputer"] == "DC1")
        #expect(rule.id == "b180ead8-d58f-40b2-ae54-c8940995b9b6" && rule.severity == .high)
        #expect(rule.queryPeriod == 10 * Self.minute && rule.queryFrequency == 10 * Self.minute)
        #expect(rule.tactics == [.credentialAccess] && rule.techniques == ["T1110"], "tags of the correlated rules when the correlation has none")
        #expect(rule.description.hasPrefix("Sigma temporal_ordered correlation by TargetUserName over multiple_failed_login, successful_login; Sigma rule by Florian Roth"))
    }

    @Test func valueCountCountsDistinctValuesPerGroup() throws {
        let text = """
        title: Failed logons for many accounts from one address
        id: 0e95725d-7320-415d-80f7-004da920fc12
        correlation:
            type: value_count
            rules:
                - failed_login
            group-by:
                - IpAddress
            timespan: 1h
            condition:
                field: TargetUserName
                gte: 3
        level: medium
        ---
        title: Single failed login
        name: failed_login
        logsource:
            product: windows
            service: security
        detection:
            selection:
                EventID: 4625
            condition: selection
        """
        let rows: [(minutes: Int64, id: Int, user: String, ip: String, host: String)] = [
            (1, 4625, "a", "45.1.1.1", "DC1"), (2, 4625, "b", "45.1.1.1", "DC1"), (3, 4625, "c", "45.1.1.1", "DC1"),
            (1, 4625, "a", "10.0.0.5", "DC1"), (2, 4625, "a", "10.0.0.5", "DC1"), (3, 4625, "a", "10.0.0.5", "DC1"),
            (4, 4624, "d", "10.0.0.5", "DC1"), (5, 4624, "e", "10.0.0.5", "DC1"),
        ]
        let (_, out) = try run(text, Self.logons(rows))
        #expect(out.map { $0["IpAddress"] } == ["45.1.1.1"] && out.first?["ValueCount"] == "3", "\(out)")
    }

    @Test func temporalNeedsEveryRuleInTheGroupAndAliasesNameItsField() throws {
        let text = """
        title: Logon failure and success on one host for one account
        id: 11111111-2222-3333-4444-555555555555
        correlation:
            type: temporal
            rules:
                - failed
                - succeeded
            group-by:
                - host
            aliases:
                host:
                    failed: Computer
                    succeeded: WorkstationName
            timespan: 5m
        level: low
        ---
        title: failed
        name: failed
        logsource: {product: windows, service: security}
        detection: {selection: {EventID: 4625}, condition: selection}
        ---
        title: succeeded
        name: succeeded
        logsource: {product: windows, service: security}
        detection: {selection: {EventID: 4624}, condition: selection}
        """
        var tables = InMemoryTables(schemas: SchemaCatalog.builtIn)
        let sec = SchemaCatalog.builtIn["SecurityEvent"]!
        let rows: [[String: Value]] = [
            ["EventID": .long(4625), "Computer": .string("WS-1")], ["EventID": .long(4624), "Computer": .string("DC1"), "WorkstationName": .string("WS-1")],
            ["EventID": .long(4625), "Computer": .string("WS-2")],
        ]
        tables.add("SecurityEvent", Table.from(schema: sec, rows: rows.map { r in sec.columns.map { c in c.name == "TimeGenerated" ? .datetime(Self.t0) : r[c.name] ?? .null } }))
        let (_, out) = try run(text, tables)
        #expect(out.map { $0["host"] } == ["WS-1"] && out.first?["Rules"] == "2", "\(out)")
    }

    @Test func aCorrelationWhoseRulesAreMissingIsReportedAndNotLoaded() {
        let text = Self.failedThenSuccess.components(separatedBy: "\n---\n").prefix(2).joined(separator: "\n---\n")
        let (rules, diags) = RuleParser.parse(text, file: "mr.yml")
        #expect(rules.isEmpty)
        #expect(diags.map(\.code) == ["VGR1030"] && diags.first?.message.contains("refers to 'failed_login', which is not in this file") == true, "\(diags)")
        let bad = Self.failedThenSuccess.replacingOccurrences(of: "timespan: 10m\nfalsepositives", with: "timespan: ten minutes\nfalsepositives")
        #expect(RuleParser.parse(bad, file: "mr.yml").diagnostics.first?.message.contains("timespan 'ten minutes'") == true)
    }
}
