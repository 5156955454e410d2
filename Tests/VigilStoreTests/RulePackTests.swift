import Detection
import Foundation
import KQL
import Testing
import VigilApp

/// Vigil's rule pack, as the binary ships it, against its fixtures (what `vigil rules test` runs): every rule has a
/// positive and a negative case, and every case holds.
@Suite struct RulePackTests {
    static let pack = BuiltInRulePack.directory!.path

    @Test func everyRuleOfThePackPassesItsFixtures() {
        let files = DetectReplay.ruleFiles(in: Self.pack)
        #expect(files.count >= 30)
        let results = RulePackTest.run(files: files, catalog: InMemoryTables(schemas: SchemaCatalog.builtIn), now: DateTimeParser.parse("2024-06-30")!)
        #expect(results.count == files.count)
        for r in results where !r.passed {
            Issue.record("\(r.file): \(r.problem ?? "") \(r.cases.filter { !$0.passed }.map { "\($0.name): \($0.detail)" })")
        }
        #expect(results.reduce(0) { $0 + $1.cases.count } >= 2 * files.count)
    }

    /// A fixture that names a column the table does not have fails instead of silently testing nothing.
    @Test func aFixtureWithAnUnknownColumnFails() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-fixture-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/tests", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.pack + "/MFAFatigue.yaml", toPath: dir + "/MFAFatigue.yaml")
        try """
        now: 2024-06-21T03:00:00Z
        cases:
          - name: misspelt column
            expect: fire
            tables:
              SigninLogs:
                - {TimeGenerated: -50m, UserPrincipalName: a@b.com, ResultTyp: "500121", _repeat: 8}
          - name: quiet
            expect: quiet
            tables:
              SigninLogs: []
        """.write(toFile: dir + "/tests/MFAFatigue.test.yaml", atomically: true, encoding: .utf8)
        let r = RulePackTest.run(files: [dir + "/MFAFatigue.yaml"], catalog: InMemoryTables(schemas: SchemaCatalog.builtIn), now: 0)
        #expect(r.count == 1 && !r[0].passed)
        #expect(r[0].cases.first?.detail.contains("ResultTyp") == true)
    }
}
