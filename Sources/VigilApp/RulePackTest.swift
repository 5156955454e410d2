import Detection
import Foundation
public import KQL
import VigilCore

/// `vigil rules test`: every rule of a directory against its fixture cases. A rule without fixtures,
/// or whose fixtures do not load, fails: a rule that nothing checks is a rule nobody knows works.
public enum RulePackTest {
    public struct RuleResult: Sendable {
        public var file: String
        public var rule: String
        public var cases: [RuleFixtureRunner.CaseResult]
        /// The rule or its fixture file could not be used.
        public var problem: String?
        public var passed: Bool { problem == nil && !cases.isEmpty && cases.allSatisfy(\.passed) }
    }

    public static func run(files: [String], catalog: any TableProvider, now: Int64) -> [RuleResult] {
        let validator = RuleValidator(catalog: catalog, now: now)
        var out: [RuleResult] = []
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                out.append(RuleResult(file: file, rule: "", cases: [], problem: "cannot read the rule file")); continue
            }
            let (parsed, diags) = RuleParser.parse(text, file: file)
            guard let p = parsed.first else {
                out.append(RuleResult(file: file, rule: "", cases: [], problem: diags.map(\.description).joined(separator: "; "))); continue
            }
            let errors = validator.validate(p).filter { $0.severity == .error }
            if !errors.isEmpty {
                out.append(RuleResult(file: file, rule: p.rule.name, cases: [], problem: errors.map(\.description).joined(separator: "; "))); continue
            }
            let fixturePath = RuleFixture.path(forRule: file)
            guard FileManager.default.fileExists(atPath: fixturePath) else {
                out.append(RuleResult(file: file, rule: p.rule.name, cases: [], problem: "no fixture file (\(fixturePath))")); continue
            }
            do {
                let fixture = try RuleFixture.load(fixturePath)
                let cases = RuleFixtureRunner().run(p.rule, fixture)
                var problem: String?
                if !cases.contains(where: { _ in true }) { problem = "the fixture has no cases" }
                else if !fixture.cases.contains(where: \.fires) || !fixture.cases.contains(where: { !$0.fires }) {
                    problem = "the fixture needs a positive (fire) and a negative (quiet) case"
                }
                out.append(RuleResult(file: file, rule: p.rule.name, cases: cases, problem: problem))
            } catch {
                out.append(RuleResult(file: file, rule: p.rule.name, cases: [], problem: "\(error)"))
            }
        }
        return out
    }
}
