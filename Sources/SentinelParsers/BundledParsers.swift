public import KQL
import Foundation
import Synchronization

/// The ASIM parsers that ship in the binary (MIT, from the Azure-Sentinel repository, unchanged): every
/// workspace can call `imAuthentication`, `_Im_Dns`, `_ASim_NetworkSession`... from its first start,
/// as Sentinel's built-in parsers. A workspace's own installed functions take precedence, which is how
/// `vigil functions install` updates them. Read once per process, on first use.
public enum BundledParsers {
    public struct Library: Sendable {
        public var functions: [WorkspaceFunction]
        /// Every callable name to its function.
        public var byName: [String: WorkspaceFunction]
        public var problems: [ParserFileDiagnostic]

        /// Every name as a stored function, for providers that hold their functions in memory.
        public var storedFunctions: [String: StoredFunction] { byName.reduce(into: [:]) { d, e in d[e.key] = e.value.stored(as: e.key) } }
    }

    public static var asim: Library { cache.withLock { c in
        if let c { return c }
        let lib = load()
        c = lib
        return lib
    } }

    static let cache = Mutex<Library?>(nil)

    static func load() -> Library {
        guard let root = Bundle.module.url(forResource: "ASIM", withExtension: nil) else { return Library(functions: [], byName: [:], problems: []) }
        var files: [(String, String)] = []
        if let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) {
            for case let url as URL in e where ParserFile.isParserFile(url.lastPathComponent) {
                let rel = "ASIM" + url.path.dropFirst(root.path.count)
                if let text = try? String(contentsOf: url, encoding: .utf8) { files.append((rel, text)) }
            }
        }
        var lib = library(files)
        for f in AsimHelpers.all where lib.byName[f.name] == nil {
            lib.functions.append(f)
            for n in f.names { lib.byName[n] = f }
        }
        return lib
    }

    /// Functions from files, later paths replacing earlier ones of the same name (sorted, so the
    /// outcome does not depend on directory order). A function's own name is never taken by another's
    /// alias, and an alias two files claim stays with the first: 2022's `imProcessTerminate.yaml`
    /// also claims `_Im_ProcessCreate`, which stays `imProcessCreate`'s.
    public static func library(_ files: [(path: String, text: String)]) -> Library {
        var lib = Library(functions: [], byName: [:], problems: [])
        for (path, text) in files.sorted(by: { $0.path < $1.path }) {
            switch ParserFile.read(text, path: path) {
            case .success(let f): lib.functions.append(f)
            case .failure(let d): lib.problems.append(d)
            }
        }
        var claimed = Set(lib.functions.map(\.name))
        for (i, f) in lib.functions.enumerated() {
            // The first function in path order keeps a contested alias.
            lib.functions[i].aliases = f.aliases.filter { claimed.insert($0).inserted }
        }
        for f in lib.functions { for n in f.names { lib.byName[n] = f } }
        return lib
    }
}
