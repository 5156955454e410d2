public import Detection
public import Foundation

/// Puts the binary's rule pack into a workspace's rule directory and keeps it current.
///
/// `rules/.vigil-pack` records the pack version and, per file, the fingerprint of the text the pack
/// wrote. An update replaces a file only while it still has that fingerprint (the user has not
/// edited it; switching it off does not count, and stays switched off), does not bring back a file
/// the user deleted, and removes a file the pack no longer has unless the user changed it.
public struct RulePackInstaller: Sendable {
    public let directory: String
    public init(directory: String) { self.directory = directory }

    public struct Manifest: Codable, Equatable, Sendable {
        public var version: String
        public var files: [String: String]
    }

    public struct Report: Sendable, Equatable {
        public var from: String?
        public var to: String
        public var added: [String] = []
        public var updated: [String] = []
        public var unchanged: [String] = []
        /// Edited by the user: left as they are.
        public var keptChanged: [String] = []
        /// Deleted by the user: not brought back.
        public var keptRemoved: [String] = []
        /// No longer in the pack and unedited: removed.
        public var retired: [String] = []
        public var summary: String {
            "\(to.hasPrefix("sigma-") ? "Sigma set" : "rule pack") \(from.map { "\($0) -> " } ?? "")\(to): \(added.count) added, \(updated.count) updated, \(unchanged.count) unchanged, "
                + "\(keptChanged.count) changed locally and kept, \(keptRemoved.count) removed locally and not restored, \(retired.count) retired"
        }
    }

    /// The built-in content of a workspace: the pack in `rules/`, the Sigma set in `rules/sigma`.
    public static func updateAll(rulesDirectory: String, dryRun: Bool = false) throws -> [Report] {
        [try RulePackInstaller(directory: rulesDirectory).update(dryRun: dryRun),
         try RulePackInstaller(directory: (rulesDirectory as NSString).appendingPathComponent(sigmaFolder))
            .update(pack: BuiltInRulePack.sigmaFiles, version: BuiltInRulePack.sigmaVersion, dryRun: dryRun)]
    }

    public static let sigmaFolder = "sigma"

    var manifestPath: String { (directory as NSString).appendingPathComponent(".vigil-pack") }

    public func manifest() -> Manifest? {
        guard let data = FileManager.default.contents(atPath: manifestPath) else { return nil }
        return try? JSONDecoder().decode(Manifest.self, from: data)
    }

    /// Brings the directory to `pack`'s version (the binary's by default).
    @discardableResult
    public func update(pack: [BuiltInRulePack.File] = BuiltInRulePack.files, version: String = BuiltInRulePack.version, dryRun: Bool = false) throws -> Report {
        let fm = FileManager.default
        let old = manifest()
        var report = Report(from: old?.version, to: version)
        var recorded: [String: String] = [:]
        let inPack = Set(pack.map(\.path))
        func path(_ rel: String) -> String { (directory as NSString).appendingPathComponent(rel) }
        func write(_ rel: String, _ text: String) throws {
            guard !dryRun else { return }
            try fm.createDirectory(atPath: (path(rel) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path(rel), atomically: true, encoding: .utf8)
        }
        for f in pack {
            let mark = BuiltInRulePack.fingerprint(f.text)
            guard let local = try? String(contentsOfFile: path(f.path), encoding: .utf8) else {
                if let was = old?.files[f.path] { report.keptRemoved.append(f.path); recorded[f.path] = was; continue }
                try write(f.path, f.text)
                report.added.append(f.path); recorded[f.path] = mark
                continue
            }
            let localMark = BuiltInRulePack.fingerprint(local)
            if localMark == mark {
                report.unchanged.append(f.path); recorded[f.path] = mark
            } else if let was = old?.files[f.path], was == localMark {
                try write(f.path, BuiltInRulePack.withEnabledLine(f.text, BuiltInRulePack.enabledLine(local) ?? BuiltInRulePack.enabledLine(f.text)))
                report.updated.append(f.path); recorded[f.path] = mark
            } else {
                report.keptChanged.append(f.path)
                if let was = old?.files[f.path] { recorded[f.path] = was }
            }
        }
        for (rel, was) in old?.files ?? [:] where !inPack.contains(rel) {
            guard let local = try? String(contentsOfFile: path(rel), encoding: .utf8) else { continue }
            if BuiltInRulePack.fingerprint(local) == was {
                if !dryRun { try fm.removeItem(atPath: path(rel)) }
                report.retired.append(rel)
            } else {
                report.keptChanged.append(rel)
            }
        }
        if !dryRun {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try enc.encode(Manifest(version: version, files: recorded)).write(to: URL(fileURLWithPath: manifestPath), options: .atomic)
        }
        for k in [\Report.added, \.updated, \.unchanged, \.keptChanged, \.keptRemoved, \.retired] { report[keyPath: k].sort() }
        return report
    }
}
