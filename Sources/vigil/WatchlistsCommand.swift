import ArgumentParser
import Foundation
import VigilApp
import VigilStore

/// `vigil watchlists`: CSV watchlists in the workspace, read in KQL with `_GetWatchlist('alias')`.
struct WatchlistsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watchlists", abstract: "Manage watchlists (CSV), queried with _GetWatchlist('alias').",
                                                    subcommands: [List.self, Add.self, Remove.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The watchlists and their item counts.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let lists = try Watchlists(store: store).list(now: Int64(Date().timeIntervalSince1970 * 1e7))
            if lists.isEmpty { print("no watchlists; add one with `vigil watchlists add ALIAS FILE.csv --search-key COLUMN`") }
            for l in lists { print("\(l.alias)\t\(l.items) items\t\(l.name)") }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload a CSV as a watchlist (again: the list is replaced).")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Option(help: "The column entities are matched against (UPN, account, host, IP or CIDR range).") var searchKey: String
        @Option(help: "A display name.") var name: String?
        @Argument(help: "The alias (_GetWatchlist('alias')).") var alias: String
        @Argument(help: "The CSV file, with a header row.") var file: String
        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let n = try Watchlists(store: store).upload(alias: alias, name: name, csv: try Data(contentsOf: URL(fileURLWithPath: file)), searchKey: searchKey,
                                                        now: Int64(Date().timeIntervalSince1970 * 1e7))
            print("watchlist \(alias): \(n) items")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a watchlist.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Argument(help: "The alias.") var alias: String
        func run() throws {
            try Watchlists(store: try WorkspaceSession.open(workspace)).remove(alias: alias, now: Int64(Date().timeIntervalSince1970 * 1e7))
            print("watchlist \(alias) deleted")
        }
    }
}
