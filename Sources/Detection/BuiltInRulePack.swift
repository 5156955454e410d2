public import Foundation
import Crypto

/// Vigil's own rule pack, shipped inside the binary's resources: the rules and their fixtures
/// (`tests/<Rule>.test.yaml`). Its version is derived from its content, so any edit to a rule or a
/// fixture makes a new version without anyone having to remember to bump a number.
public enum BuiltInRulePack {
    public struct File: Sendable, Equatable {
        /// Path relative to the pack's root: `Rule.yaml` or `tests/Rule.test.yaml`.
        public var path: String
        public var text: String
        public var isRule: Bool { !path.hasPrefix("tests/") }
        public init(path: String, text: String) { self.path = path; self.text = text }
    }

    /// The pack's directory inside the resources (rule files can be read from here directly).
    public static var directory: URL? { Bundle.module.url(forResource: "RulePack", withExtension: nil) }

    public static let files: [File] = read(directory)

    /// The default Sigma content set: SigmaHQ's Windows rules at level high or critical with status
    /// stable or test that load (DRL 1.1: each rule keeps its author, shown in its description),
    /// installed beside the pack in `rules/sigma`, each rule switched on or off like the pack's.
    public static var sigmaDirectory: URL? { Bundle.module.url(forResource: "SigmaPack", withExtension: nil) }
    public static let sigmaFiles: [File] = read(sigmaDirectory)
    public static let sigmaVersion: String = version("sigma-", sigmaFiles)

    static func read(_ directory: URL?) -> [File] {
        guard let root = directory else { return [] }
        var out: [File] = []
        let e = FileManager.default.enumerator(atPath: root.path)
        while let rel = e?.nextObject() as? String {
            guard !rel.split(separator: "/").contains(where: { $0.hasPrefix(".") }),
                  ["yaml", "yml", "json"].contains((rel as NSString).pathExtension.lowercased()),
                  let text = try? String(contentsOf: root.appendingPathComponent(rel), encoding: .utf8) else { continue }
            out.append(File(path: rel, text: text))
        }
        return out.sorted { $0.path < $1.path }
    }

    public static var rules: [File] { files.filter(\.isRule) }

    /// `pack-` and the first 12 hex digits of the SHA-256 over every path and text.
    public static let version: String = version("pack-", files)

    static func version(_ prefix: String, _ files: [File]) -> String {
        var h = SHA256()
        for f in files { h.update(data: Data((f.path + "\u{0}" + f.text + "\u{0}").utf8)) }
        return prefix + h.finalize().map { String(format: "%02x", $0) }.joined().prefix(12)
    }

    /// A rule text's identity for updates: its content without the `enabled:` line, so a rule the
    /// user only switched off still counts as unchanged (and gets the new logic, still disabled).
    public static func fingerprint(_ text: String) -> String {
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("enabled:") }
        let digest = SHA256.hash(data: Data(kept.joined(separator: "\n").utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    /// The `enabled:` line of a rule text, if it has one.
    public static func enabledLine(_ text: String) -> String? {
        text.split(separator: "\n", omittingEmptySubsequences: false).first { $0.hasPrefix("enabled:") }.map(String.init)
    }

    /// `text` with its `enabled:` line set to `line` (or without one when nil).
    public static func withEnabledLine(_ text: String, _ line: String?) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let i = lines.firstIndex(where: { $0.hasPrefix("enabled:") }) {
            if let line { lines[i] = line } else { lines.remove(at: i) }
        } else if let line {
            lines.insert(line, at: 0)
        }
        return lines.joined(separator: "\n")
    }
}
