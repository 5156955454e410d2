public import Foundation
public import KQL
import SentinelParsers
public import VigilStore

/// `vigil functions install FILE|DIR`: reads parser files (a directory recursively, in path order so
/// that later files win a name deterministically), reports each that cannot be installed with its
/// `file:line`, and installs the rest in one transaction.
public enum FunctionInstaller {
    public struct Outcome: Sendable {
        public var installed: [LogStore.InstallOutcome]
        public var problems: [String]
        public var files: Int
    }

    /// The functions in files and directories, with the problems of those that cannot be read.
    public static func read(_ paths: [String]) -> (functions: [WorkspaceFunction], problems: [String], files: Int) {
        var files: [(String, String)] = []
        var problems: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { problems.append("\(path): no such file or directory"); continue }
            if isDir.boolValue {
                let base = URL(fileURLWithPath: path).standardizedFileURL
                var found: [String] = []
                if let e = fm.enumerator(at: base, includingPropertiesForKeys: nil) {
                    for case let url as URL in e where ParserFile.isParserFile(url.lastPathComponent) { found.append(url.standardizedFileURL.path) }
                }
                for f in found.sorted() {
                    let rel = String(f.dropFirst(base.path.count).drop(while: { $0 == "/" }))
                    if let text = readText(f) { files.append((rel, text)) } else { problems.append("\(rel):1: not readable as UTF-8 text") }
                }
            } else if let text = readText(path) {
                files.append((path, text))
            } else {
                problems.append("\(path):1: not readable as UTF-8 text")
            }
        }
        let lib = BundledParsers.library(files.map { (path: $0.0, text: $0.1) })
        // Later files replace earlier ones of the same primary name: install each name once.
        var seen = Set<String>()
        var functions: [WorkspaceFunction] = []
        for f in lib.functions.reversed() where seen.insert(f.name).inserted { functions.append(f) }
        return (functions.reversed(), problems + lib.problems.map(\.description), files.count)
    }

    public static func install(_ paths: [String], into store: LogStore, by actor: String) throws -> Outcome {
        let (functions, problems, files) = read(paths)
        let installed = functions.isEmpty ? [] : try store.installFunctions(functions, by: actor)
        return Outcome(installed: installed, problems: problems, files: files)
    }

    static func readText(_ path: String) -> String? {
        guard let d = FileManager.default.contents(atPath: path) else { return nil }
        return String(data: d, encoding: .utf8) ?? String(data: d, encoding: .isoLatin1)
    }
}
