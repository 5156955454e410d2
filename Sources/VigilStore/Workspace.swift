public import Foundation

/// The workspace directory: `vigil.yaml`, `state.sqlite` (WAL), `tables/<Table>/*.vgx` extents, and
/// `rules/`, `watchlists/`, `policies/` for the later stages. Created on first use.
public struct Workspace: Sendable {
    public let root: URL
    public let config: WorkspaceConfig
    /// This open created the workspace (it had no `vigil.yaml`): first-start content goes in.
    public var isNew = false

    public static let defaultPath = ".vigil"

    /// The directory to use: the flag, then `VIGIL_WORKSPACE`, then `./.vigil`.
    public static func resolvePath(_ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        flag ?? environment["VIGIL_WORKSPACE"] ?? defaultPath
    }

    /// Opens the workspace at `path`, creating its directories and a default `vigil.yaml` when missing.
    public static func open(_ path: String, create: Bool = true) throws -> Workspace {
        let root = URL(fileURLWithPath: path).standardizedFileURL
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if !fm.fileExists(atPath: root.path, isDirectory: &isDir) {
            guard create else { throw StoreError.workspace("\(root.path) does not exist; run `vigil init`") }
        } else if !isDir.boolValue {
            throw StoreError.workspace("\(root.path) is a file, not a workspace directory")
        }
        var isNew = false
        do {
            for sub in ["", "tables", "rules", "watchlists", "policies"] {
                try fm.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            let yaml = root.appendingPathComponent("vigil.yaml")
            if !fm.fileExists(atPath: yaml.path) {
                isNew = true
                try WorkspaceConfig.defaultText.write(to: yaml, atomically: true, encoding: .utf8)
            }
        } catch {
            throw StoreError.workspace("cannot create \(root.path): \(error.localizedDescription)")
        }
        let text = (try? String(contentsOf: root.appendingPathComponent("vigil.yaml"), encoding: .utf8)) ?? ""
        var ws = Workspace(root: root, config: try WorkspaceConfig.parse(text))
        ws.isNew = isNew
        return ws
    }

    /// The rule directory of `detection.rules` (relative to the workspace unless absolute).
    public var rulesDirectory: String {
        config.detection.rules.hasPrefix("/") ? config.detection.rules : root.appendingPathComponent(config.detection.rules).path
    }

    public var statePath: String { root.appendingPathComponent("state.sqlite").path }
    public func tableDirectory(_ table: String) -> URL { root.appendingPathComponent("tables").appendingPathComponent(table) }
}
