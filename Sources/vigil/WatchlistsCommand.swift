import ArgumentParser
import Foundation
import VigilApp
import VigilStore

/// `vigil watchlists`: CSV watchlists, read in KQL with `_GetWatchlist('alias')`; on a workspace
/// or against a server.
struct WatchlistsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watchlists", abstract: "Manage watchlists (CSV), queried with _GetWatchlist('alias').",
                                                    subcommands: [List.self, Add.self, Remove.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The watchlists and their item counts.")
        @OptionGroup var target: Target
        func run() async throws {
            var lists: [(String, Int, String)] = []
            if let api = target.api {
                for w in (try await api.object("GET", "/api/watchlists"))["value"] as? [[String: Any]] ?? [] {
                    lists.append((w["alias"] as? String ?? "", w["items"] as? Int ?? 0, w["name"] as? String ?? ""))
                }
            } else {
                lists = try Watchlists(store: try WorkspaceSession.open(target.workspace)).list(now: Int64(Date().timeIntervalSince1970 * 1e7)).map { ($0.alias, $0.items, $0.name) }
            }
            if lists.isEmpty { print("no watchlists; add one with `vigil watchlists add ALIAS FILE.csv --search-key COLUMN`") }
            for l in lists { print("\(l.0)\t\(l.1) items\t\(l.2)") }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload a CSV as a watchlist (again: the list is replaced).")
        @OptionGroup var target: Target
        @Option(help: "The column entities are matched against (UPN, account, host, IP or CIDR range).") var searchKey: String
        @Option(help: "A display name.") var name: String?
        @Argument(help: "The alias (_GetWatchlist('alias')).") var alias: String
        @Argument(help: "The CSV file, with a header row.") var file: String
        func run() async throws {
            let csv = try Data(contentsOf: URL(fileURLWithPath: file))
            if let api = target.api {
                var c = URLComponents()
                c.path = "/api/watchlists/" + alias
                c.queryItems = [URLQueryItem(name: "searchKey", value: searchKey)] + (name.map { [URLQueryItem(name: "name", value: $0)] } ?? [])
                let out = try await api.send("PUT", c.string ?? "", body: csv, contentType: "text/csv")
                let obj = (try? JSONSerialization.jsonObject(with: out)) as? [String: Any]
                print("watchlist \(alias): \(obj?["items"] as? String ?? "?") items")
                return
            }
            let n = try Watchlists(store: try WorkspaceSession.open(target.workspace)).upload(alias: alias, name: name, csv: csv, searchKey: searchKey,
                                                                                               now: Int64(Date().timeIntervalSince1970 * 1e7))
            print("watchlist \(alias): \(n) items")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a watchlist.")
        @OptionGroup var target: Target
        @Argument(help: "The alias.") var alias: String
        func run() async throws {
            if let api = target.api {
                _ = try await api.send("DELETE", "/api/watchlists/" + alias)
            } else {
                try Watchlists(store: try WorkspaceSession.open(target.workspace)).remove(alias: alias, now: Int64(Date().timeIntervalSince1970 * 1e7))
            }
            print("watchlist \(alias) deleted")
        }
    }
}
