public import Agents
public import Triage
import Foundation
public import VigilStore

/// The workspace's policy files (`policies/`): the review policy, read on every use so that an edit
/// takes effect at the next cycle; the default when the file does not exist.
public struct PolicyFiles: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    public var reviewPath: String { workspace.root.appendingPathComponent("policies/review.yaml").path }
    public var automationPath: String { workspace.root.appendingPathComponent("policies/automation.yaml").path }

    public var scoringPath: String { workspace.root.appendingPathComponent("policies/scoring.yaml").path }

    /// The risk score's weights; STAT's defaults when the file does not exist.
    public func scoringPolicy() throws -> ScoringPolicy {
        guard FileManager.default.fileExists(atPath: scoringPath) else { return ScoringPolicy() }
        return try ScoringPolicy.parse(try String(contentsOfFile: scoringPath, encoding: .utf8))
    }

    public var calibrationPath: String { workspace.root.appendingPathComponent("policies/calibration.json").path }

    /// The score-to-probability mapping of `vigil scoring calibrate`, if one was fitted.
    public func calibration() -> Calibration? {
        guard let data = FileManager.default.contents(atPath: calibrationPath) else { return nil }
        return try? JSONDecoder().decode(Calibration.self, from: data)
    }

    /// The automation rules and playbooks; none when the file does not exist.
    public func automation() throws -> AutomationRules {
        guard FileManager.default.fileExists(atPath: automationPath) else { return .empty }
        return try AutomationRules.parse(try String(contentsOfFile: automationPath, encoding: .utf8))
    }

    public func reviewPolicy() throws -> ReviewPolicy {
        guard FileManager.default.fileExists(atPath: reviewPath) else { return try ReviewPolicy.parse(ReviewPolicy.defaultText) }
        return try ReviewPolicy.parse(try String(contentsOfFile: reviewPath, encoding: .utf8))
    }

    /// Writes the default review policy unless one exists; returns whether it wrote.
    @discardableResult
    public func installDefaults() throws -> Bool {
        guard !FileManager.default.fileExists(atPath: reviewPath) else { return false }
        try FileManager.default.createDirectory(atPath: (reviewPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try ReviewPolicy.defaultText.write(toFile: reviewPath, atomically: true, encoding: .utf8)
        if !FileManager.default.fileExists(atPath: scoringPath) { try ScoringPolicy.defaultText.write(toFile: scoringPath, atomically: true, encoding: .utf8) }
        return true
    }

    public enum Kind: String, Sendable, CaseIterable { case review, scoring, automation }

    public func path(_ kind: Kind) -> String {
        switch kind {
        case .review: return reviewPath
        case .scoring: return scoringPath
        case .automation: return automationPath
        }
    }

    /// A policy's text as the workspace has it (the built-in default when there is no file).
    public func text(_ kind: Kind) -> String {
        if let t = try? String(contentsOfFile: path(kind), encoding: .utf8) { return t }
        switch kind {
        case .review: return ReviewPolicy.defaultText
        case .scoring: return ScoringPolicy.defaultText
        case .automation: return "rules: []\nplaybooks: []\n"
        }
    }

    /// Validates and installs a policy (`vigil policy set`, `PUT /api/policies/{kind}`); a review
    /// policy's version must increase, and the old text is kept beside it by version. Audited.
    /// Returns what changed, in words.
    public func install(_ kind: Kind, text: String, by actor: String, store: LogStore, now: Int64) throws -> String {
        let fm = FileManager.default
        let target = path(kind)
        var summary: String
        switch kind {
        case .review:
            let new = try ReviewPolicy.parse(text)
            let old = try reviewPolicy()
            guard new.version > old.version || !fm.fileExists(atPath: target) else {
                throw StoreError.invalid("the new policy's version (\(new.version)) must be greater than the current one (\(old.version))")
            }
            if fm.fileExists(atPath: target) {
                let kept = (target as NSString).deletingPathExtension + ".v\(old.version).yaml"
                try? fm.removeItem(atPath: kept)
                try fm.copyItem(atPath: target, toPath: kept)
            }
            summary = "review policy \(old.versionLabel) -> \(new.versionLabel)"
        case .scoring:
            _ = try ScoringPolicy.parse(text)
            summary = "scoring policy replaced"
        case .automation:
            let rules = try AutomationRules.parse(text)
            summary = "automation: \(rules.rules.count) rules, \(rules.playbooks.count) playbooks"
        }
        try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        try IncidentStore(store: store).recordAudit(actor: actor, action: "policy", detail: summary, now: now)
        return summary
    }
}
