import Foundation
import Testing
import Yams
import KQL
import VigilApp

/// Every analytics rule in the shared corpus must parse and bind against Sentinel's schemas.
@Suite struct SentinelRuleTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func catalog() -> InMemoryTables {
        var schemas = SchemaCatalog.builtIn
        if let data = try? Data(contentsOf: fixtures.appendingPathComponent("schemas-custom.json")),
           let custom = try? SchemaCatalog.parse(data) {
            for (k, v) in custom where schemas[k] == nil { schemas[k] = SchemaCatalog.withStandardColumns(v) }
        }
        return InMemoryTables(schemas: schemas, functions: AsimFunctions.all)
    }

    static let rules: [String] = {
        let dir = fixtures.appendingPathComponent("sentinel-rules")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix("yaml") }.sorted()
    }()

    /// Rules that use features not built yet; each is named with the reason so the list only shrinks.
    static let knownGaps: [String: String] = [
        // A genuine problem in the rule: AuditLogs has no UserAgent or IpAddress column in Sentinel's schema.
        "ServicePrincipalAssignedAppRoleWithSensitiveAccess.yaml": "references UserAgent and IpAddress, which AuditLogs does not have",
    ]

    @Test func corpusIsPresent() { #expect(Self.rules.count >= 59) }

    @Test(arguments: rules)
    func ruleBinds(_ file: String) throws {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("sentinel-rules").appendingPathComponent(file), encoding: .utf8)
        let yaml = try Yams.load(yaml: text) as? [String: Any]
        let query = yaml?["query"] as? String ?? ""
        #expect(!query.isEmpty)
        let outcome = QueryRunner(provider: Self.catalog(), now: 0).run(query, parseOnly: true)
        switch outcome {
        case .failure(_, let msg):
            if Self.knownGaps[file] == nil { Issue.record("\(file): \(msg)") }
        case .success:
            #expect(Self.knownGaps[file] == nil, "\(file) binds now: remove it from knownGaps")
        }
    }
}
