import Crypto
import Ingestion
public import KQL
import KQLSyntax
public import Foundation
import OrderedCollections

/// Watchlists as Sentinel keeps them: rows of the `Watchlist` table (one per item and version), read
/// with `_GetWatchlist('alias')`. Uploading a CSV again replaces the list: new items are added,
/// changed ones get a newer version, and items no longer in the file are marked deleted.
public struct Watchlists: Sendable {
    public let store: LogStore
    public init(store: LogStore) { self.store = store }

    public struct Summary: Sendable, Equatable {
        public var alias: String, name: String, items: Int
    }

    /// Loads a CSV (header row first) as watchlist `alias`; `searchKey` names the column matched on.
    @discardableResult
    public func upload(alias: String, name: String? = nil, csv: Data, searchKey: String, now: Int64) throws -> Int {
        guard alias.range(of: #"^[A-Za-z0-9_-]{1,64}$"#, options: .regularExpression) != nil else {
            throw StoreError.invalid("watchlist alias '\(alias)' must be 1-64 letters, digits, _ or -")
        }
        let parsed = try csv.withUnsafeBytes { raw in
            try Ingestor.parseAll(raw.bindMemory(to: UInt8.self), format: .csv, table: "Watchlist_\(alias)", schema: Schema([]), policy: .extensible,
                                  source: alias, ingestionTime: now)
        }
        guard let t = parsed.batches.first, let keyCol = t.column(named: searchKey) else {
            throw StoreError.invalid("the file has no column '\(searchKey)' to search on")
        }
        let columns = t.schema.names.filter { !$0.hasPrefix("_") && $0 != "TimeGenerated" && $0 != "Type" && $0 != "TenantId" }
        var rows: [OrderedDictionary<String, Value>] = []
        var keep = Set<String>()
        for r in 0..<t.count {
            let key = keyCol.value(at: r).kqlString
            guard !key.isEmpty else { continue }
            var item: OrderedDictionary<String, Value> = [:]
            for c in columns { let v = t.column(named: c)!.value(at: r); item[c] = v.isNull ? .string("") : .string(v.kqlString) }
            let id = Self.itemID(alias, key)
            keep.insert(id)
            rows.append(Self.row(alias: alias, name: name ?? alias, key: key, item: .bag(item), id: id, status: "Create", now: now))
        }
        for (id, key) in try current(alias) where !keep.contains(id) {
            rows.append(Self.row(alias: alias, name: name ?? alias, key: key, item: .bag([:]), id: id, status: "Delete", now: now))
        }
        try write(rows)
        return keep.count
    }

    /// Marks every item of the watchlist deleted.
    public func remove(alias: String, now: Int64) throws {
        let items = try current(alias)
        guard !items.isEmpty else { throw StoreError.notFound("no watchlist '\(alias)'") }
        try write(items.map { Self.row(alias: alias, name: alias, key: $0.value, item: .bag([:]), id: $0.key, status: "Delete", now: now) })
    }

    public func list(now: Int64) throws -> [Summary] {
        guard store.tableInfos().contains(where: { $0.name == "Watchlist" && $0.rows > 0 }) else { return [] }
        let t = try query("""
            Watchlist | summarize arg_max(TimeGenerated, *) by _DTItemId | where _DTItemStatus != "Delete"
            | summarize items = count(), name = take_any(WatchlistName) by WatchlistAlias
            | order by WatchlistAlias asc
            """, now: now)
        return (0..<t.count).map { i in
            let r = t.row(i)
            return Summary(alias: r[0].kqlString, name: r[2].kqlString, items: Int(r[1].asDouble ?? 0))
        }
    }

    /// Item id → search key of the live items of a watchlist.
    func current(_ alias: String) throws -> [String: String] {
        guard store.tableInfos().contains(where: { $0.name == "Watchlist" && $0.rows > 0 }) else { return [:] }
        let t = try query("Watchlist | where WatchlistAlias == '\(alias)' | summarize arg_max(TimeGenerated, *) by _DTItemId | where _DTItemStatus != 'Delete' | project _DTItemId, SearchKey",
                          now: Int64.max / 2)
        var out: [String: String] = [:]
        for i in 0..<t.count { out[t.row(i)[0].kqlString] = t.row(i)[1].kqlString }
        return out
    }

    func query(_ q: String, now: Int64) throws -> Table {
        let parsed = KQLSyntax.Parser.parse(q)
        return try QueryExecutor(provider: store, context: EvalContext(now: now)).run(parsed).first?.table ?? Table.empty(Schema([]))
    }

    func write(_ rows: [OrderedDictionary<String, Value>]) throws {
        guard !rows.isEmpty, let schema = SchemaCatalog.builtIn["Watchlist"] else { return }
        let cols = schema.columns.filter { c in rows.contains { $0[c.name] != nil } }
        try store.writeExtent(table: "Watchlist", batch: Table.from(schema: Schema(cols), rows: rows.map { r in cols.map { r[$0.name] ?? .null } }), addedColumns: [])
    }

    static func row(alias: String, name: String, key: String, item: Value, id: String, status: String, now: Int64) -> OrderedDictionary<String, Value> {
        ["TimeGenerated": .datetime(now), "WatchlistId": .string(alias), "WatchlistName": .string(name), "WatchlistAlias": .string(alias),
                "Source": .string("vigil watchlists"), "SearchKey": .string(key), "WatchlistItem": item, "_DTItemId": .string(id),
                "_DTItemType": .string("watchlist-item"), "_DTItemStatus": .string(status), "LastUpdatedTimeUTC": .datetime(now)]
    }

    static func itemID(_ alias: String, _ key: String) -> String {
        SHA256.hash(data: Data("\(alias)|\(key.lowercased())".utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
