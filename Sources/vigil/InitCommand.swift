import ArgumentParser
import Foundation
import VigilApp
import VigilStore

/// `vigil init`: creates a workspace (directories, `vigil.yaml` with documented defaults, the database).
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a workspace.")
    @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?

    func run() throws {
        let store = try WorkspaceSession.open(workspace)
        print("workspace ready at \(store.workspace.root.path)")
        print("  configuration: \(store.workspace.root.appendingPathComponent("vigil.yaml").path)")
        let policies = PolicyFiles(workspace: store.workspace)
        if try policies.installDefaults() { print("  review policy: \(policies.reviewPath) (the default; edit it, then `vigil policy test`)") }
        print("  \(store.tableNames().count) tables in the catalog; ingest logs with `vigil ingest FILE`")
    }
}
