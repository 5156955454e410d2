/// Functions Sentinel provides in every workspace (not parser files).
public enum SentinelBuiltIns {
    /// Sentinel's `_GetWatchlist('alias')` over the `Watchlist` table: the latest version of each item
    /// not deleted, its columns unpacked, with `SearchKey`.
    public static let getWatchlist = StoredFunction(name: "_GetWatchlist", parameters: "(watchlistAlias:string)", body: """
        Watchlist
        | where WatchlistAlias == watchlistAlias
        | summarize arg_max(TimeGenerated, *) by _DTItemId
        | where _DTItemStatus != "Delete"
        | project _DTItemId, LastUpdatedTimeUTC = TimeGenerated, SearchKey, WatchlistItem
        | evaluate bag_unpack(WatchlistItem, columnsConflict="keep_source")
        """)

    /// Every built-in by name.
    public static var all: [String: StoredFunction] { ["_GetWatchlist": getWatchlist] }
}
