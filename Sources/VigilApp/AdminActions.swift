import Detection
import Foundation
import KQL
import VigilCore
public import VigilServer
public import VigilStore

/// What the configuration API asks of the pipeline: policy files, and rule files validated with the
/// same parser and validator as `vigil rules validate` before they reach the rule directory.
public enum AdminActions {
    public static func make(store: LogStore, clock: @escaping @Sendable () -> Int64) -> AdminEndpoints.Actions {
        let files = PolicyFiles(workspace: store.workspace)
        let ruleDir = store.workspace.root.appendingPathComponent(store.workspace.config.detection.rules).path
        /// A file name in the rule directory: no path, no `..`, `.yaml` added when it has no extension.
        @Sendable func rulePath(_ name: String) throws -> String {
            guard name.range(of: #"^[A-Za-z0-9_][A-Za-z0-9_.\- ]{0,120}$"#, options: .regularExpression) != nil, !name.contains("..") else {
                throw StoreError.invalid("'\(name)' is not a rule file name (letters, digits, _ . - and spaces)")
            }
            let lower = name.lowercased()
            return ruleDir + "/" + (lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json") ? name : name + ".yaml")
        }
        return AdminEndpoints.Actions(
            policy: { kind in PolicyFiles.Kind(rawValue: kind).map { files.text($0) } },
            installPolicy: { kind, text, actor in
                guard let k = PolicyFiles.Kind(rawValue: kind) else { throw StoreError.notFound("no policy '\(kind)'") }
                do { return try files.install(k, text: text, by: actor, store: store, now: clock()) } catch let e as any CustomStringConvertible where !(e is StoreError) {
                    throw StoreError.invalid("\(e)")
                }
            },
            rules: {
                var health: [String: [String: Any]] = [:]
                if case .success(let r, _) = QueryRunner(provider: store, now: clock()).run("""
                    SentinelHealth | where SentinelResourceType == "Analytics Rule"
                    | summarize runs = count(), failures = countif(Status != "Success"), lastRun = max(TimeGenerated),
                        alerts = sum(tolong(ExtendedProperties.AlertsGeneratedAmount)) by SentinelResourceId
                    """), let t = r.first?.table {
                    for i in 0..<t.count {
                        health[t.columns[0].value(at: i).kqlString] = ["runs": t.columns[1].value(at: i).asInt64 ?? 0, "failures": t.columns[2].value(at: i).asInt64 ?? 0,
                                                                        "lastRun": t.columns[3].value(at: i).kqlString, "alerts": t.columns[4].value(at: i).asInt64 ?? 0]
                    }
                }
                var out: [[String: Any]] = []
                for path in DetectReplay.ruleFiles(in: ruleDir) {
                    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                    for p in RuleParser.parse(text, file: path).rules {
                        let r = p.rule
                        var item: [String: Any] = ["id": r.id, "name": r.name, "kind": "\(r.kind)", "severity": r.severity.rawValue, "enabled": r.enabled,
                                                   "file": (path as NSString).lastPathComponent]
                        if let h = health[r.id] { item["health"] = h }
                        out.append(item)
                    }
                }
                return try JSONSerialization.data(withJSONObject: ["value": out], options: [.sortedKeys])
            },
            rule: { name in
                let path = try rulePath(name)
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw StoreError.notFound("no rule file \(name)") }
                return text
            },
            putRule: { name, text, actor in
                let path = try rulePath(name)
                let (parsed, diags) = RuleParser.parse(text, file: (path as NSString).lastPathComponent)
                let validator = RuleValidator(catalog: store, now: clock())
                let errors = diags.filter { $0.severity == .error } + parsed.flatMap { validator.validate($0).filter { $0.severity == .error } }
                guard errors.isEmpty, !parsed.isEmpty else {
                    throw StoreError.invalid(errors.isEmpty ? "the file holds no rule" : errors.map(\.description).joined(separator: "\n"))
                }
                try FileManager.default.createDirectory(atPath: ruleDir, withIntermediateDirectories: true)
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                try IncidentStore(store: store).recordAudit(actor: actor, action: "rule", detail: "\(name): " + parsed.map(\.rule.name).joined(separator: ", "), now: clock())
                return parsed.map(\.rule.name)
            },
            deleteRule: { name, actor in
                let path = try rulePath(name)
                guard FileManager.default.fileExists(atPath: path) else { throw StoreError.notFound("no rule file \(name)") }
                try FileManager.default.removeItem(atPath: path)
                try IncidentStore(store: store).recordAudit(actor: actor, action: "rule deleted", detail: name, now: clock())
            })
    }
}
