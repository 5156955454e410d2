import Detection
import Foundation
import KQL
import Testing
import VigilCore

/// The 60 real Sentinel rules of the shared data load and validate; the genuine problems found in
/// them are named here, so that the list can only shrink.
@Suite struct SentinelRuleFilesTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/sentinel-rules").standardized
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/sentinel-samples").standardized

    static func catalog() throws -> InMemoryTables {
        var schemas = SchemaCatalog.builtIn
        let custom = try SchemaCatalog.parse(Data(contentsOf: samples.appendingPathComponent("schemas-custom.json")))
        for (k, v) in custom where schemas[k] == nil { schemas[k] = v }
        return InMemoryTables(schemas: schemas, functions: AsimFunctions.all)
    }

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix("yaml") }.sorted()
    }

    /// Problems the rule files really have (code → why), checked to still be reported.
    static let genuine: [String: Set<String>] = [
        // AuditLogs has no UserAgent or IpAddress column in Sentinel's schema.
        "ServicePrincipalAssignedAppRoleWithSensitiveAccess.yaml": ["VGR3002"],
        // The alert title and description use {{domain}} and {{Url}}, which the final `project` drops.
        "IPEntity_imWebSession.yaml": ["VGR3004"],
    ]

    @Test func allRulesLoadAndValidate() throws {
        #expect(Self.files.count == 60)
        let validator = RuleValidator(catalog: try Self.catalog(), now: DateTimeParser.parse("2026-11-24")!)
        var report: [String: [RuleDiagnostic]] = [:]
        for f in Self.files {
            let text = try String(contentsOf: Self.dir.appendingPathComponent(f), encoding: .utf8)
            let (rules, diags) = RuleParser.parse(text, file: f)
            #expect(rules.count == 1, "\(f): \(diags)")
            guard let r = rules.first else { continue }
            let problems = validator.validate(r).filter { $0.severity == .error }
            if !problems.isEmpty { report[f] = problems }
        }
        for (f, ps) in report.sorted(by: { $0.key < $1.key }) { for p in ps { print(p) } ; _ = f }
        for (f, codes) in Self.genuine { #expect(Set(report[f]?.map(\.code) ?? []) == codes, "\(f)") }
        for f in report.keys where Self.genuine[f] == nil { Issue.record("unexpected problems in \(f): \(report[f]!)") }
    }

    /// Vigil's own rule pack, as the binary ships it, is valid against the built-in catalog.
    @Test func vigilRulePackValidates() throws {
        let files = BuiltInRulePack.rules
        #expect(files.count >= 30)
        #expect(BuiltInRulePack.files.count == 2 * files.count, "every rule has its fixture file")
        let validator = RuleValidator(catalog: InMemoryTables(schemas: SchemaCatalog.builtIn), now: DateTimeParser.parse("2024-06-30")!)
        var ids = Set<String>()
        for f in files {
            let (rules, diags) = RuleParser.parse(f.text, file: f.path)
            #expect(diags.isEmpty && rules.count == 1, "\(f.path)")
            guard let r = rules.first else { continue }
            #expect(validator.validate(r).isEmpty, "\(f.path): \(validator.validate(r))")
            #expect(ids.insert(r.rule.id).inserted, "\(f.path): duplicate id")
        }
    }
}
