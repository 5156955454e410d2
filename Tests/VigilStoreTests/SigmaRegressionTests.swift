import Detection
import Foundation
import KQL
import Testing
import VigilApp
import VigilStore

/// Sigma's regression set as a test: every rule with a recording is turned into KQL, its `.evtx` goes
/// through the EVTX reader into a fresh workspace, and the query must find the rule's events in it
/// (at least `match_count` of `info.yml`). Rules Vigil cannot express yet are reported with the reason.
@Suite struct SigmaRegressionTests {
    static let sigma = TestWorkspace.samples.deletingLastPathComponent().appendingPathComponent("sigma")

    static func ruleIndex() -> [String: String] {
        var out: [String: String] = [:]
        for dir in ["rules", "rules-emerging-threats", "rules-threat-hunting"] {
            let root = sigma.appendingPathComponent(dir)
            for f in (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []) where f.hasSuffix(".yml") {
                let path = root.appendingPathComponent(f).path
                guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                      let r = text.range(of: #"(?m)^id:\s*([0-9a-fA-F-]{36})"#, options: .regularExpression) else { continue }
                out[String(text[r].dropFirst(3)).trimmingCharacters(in: .whitespaces).lowercased()] = path
            }
        }
        return out
    }

    @Test func regressionRulesMatchTheirRecordings() throws {
        let regression = Self.sigma.appendingPathComponent("regression_data")
        let infos = (FileManager.default.enumerator(atPath: regression.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix("info.yml") }.sorted()
        let index = Self.ruleIndex()
        var matched = 0, detected = 0, mismatched: [String] = [], unsupported: [String: Int] = [:], total = 0
        for info in infos {
            let text = try String(contentsOfFile: regression.appendingPathComponent(info).path, encoding: .utf8)
            guard let idRange = text.range(of: #"(?m)^\s*- id:\s*([0-9a-fA-F-]{36})"#, options: .regularExpression),
                  let pathRange = text.range(of: #"(?m)^\s*path:\s*(\S+\.evtx)"#, options: .regularExpression) else { continue }
            let id = String(text[idRange].split(separator: ":").last!).trimmingCharacters(in: .whitespaces).lowercased()
            let evtx = String(text[pathRange].split(separator: ":").last!).trimmingCharacters(in: .whitespaces)
            let expected = text.range(of: #"(?m)^\s*match_count:\s*(\d+)"#, options: .regularExpression).map { Int(text[$0].split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) ?? 1 } ?? 1
            guard let rulePath = index[id] else { continue }
            total += 1
            let kql: String
            do { kql = try SigmaRule.parse(try String(contentsOfFile: rulePath, encoding: .utf8)).kql() } catch {
                unsupported["\(error)", default: 0] += 1; continue
            }
            let ws = try TestWorkspace()
            let store = try ws.store()
            _ = try store.ingestEvtx([UInt8](try Data(contentsOf: Self.sigma.appendingPathComponent(evtx))), source: evtx)
            switch QueryRunner(provider: store, now: TestWorkspace.now).run(kql) {
            case .success(let r, _):
                let rows = r.first?.table.count ?? 0
                if rows == expected { matched += 1 }
                // info.yml's match_count is below the events that match in six recordings (they hold
                // several matching events): each still detects its recording.
                if rows >= expected && rows > 0 { detected += 1 }
                if rows < expected { mismatched.append("\(info): \(rows) rows, expected \(expected)\n\(kql)") }
            case .failure(let e):
                mismatched.append("\(info): query failed: \(e)\n\(kql)")
            }
        }
        print("Sigma regression: \(total) rules, \(detected) detect their recording (\(matched) with exactly match_count events), \(mismatched.count) do not, \(unsupported.values.reduce(0, +)) not expressible")
        for (reason, n) in unsupported.sorted(by: { $0.value > $1.value }) { print("  \(n) x \(reason)") }
        for m in mismatched { print("MISMATCH " + m.prefix(400)) }
        #expect(total >= 190)
        #expect(detected == total, "\(detected) of \(total)")
        #expect(matched >= 196)
    }
}
