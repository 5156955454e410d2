import GRDB

/// Which incidents each digest period reported: the job's memory that makes re-running a period
/// add no second comment and post nothing twice.
public struct ReportDeliveries: Sendable {
    public let store: LogStore
    public init(store: LogStore) { self.store = store }

    public func reported(period: String) throws -> Set<String> {
        try store.db.pool.read { db in Set(try String.fetchAll(db, sql: "SELECT incident_id FROM report_delivery WHERE period = ?", arguments: [period])) }
    }

    /// The latest period starting with `prefix` (periods of scheduled runs sort by time).
    public func latest(prefix: String) throws -> String? {
        try store.db.pool.read { db in
            try String.fetchOne(db, sql: "SELECT MAX(period) FROM report_delivery WHERE substr(period, 1, ?) = ?", arguments: [prefix.utf8.count, prefix])
        }
    }

    public func record(period: String, incidentID: String, now: Int64) throws {
        try store.db.pool.write { db in
            try db.execute(sql: "INSERT INTO report_delivery (period, incident_id, time) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", arguments: [period, incidentID, now])
        }
    }
}
