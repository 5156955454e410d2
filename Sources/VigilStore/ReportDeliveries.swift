/// Which incidents each digest period reported: the job's memory that makes re-running a period
/// add no second comment and post nothing twice.
public struct ReportDeliveries: Sendable {
    public let store: LogStore
    public init(store: LogStore) { self.store = store }

    public func reported(period: String) throws -> Set<String> {
        try store.stateBackend.read { c in Set(try c.strings("SELECT incident_id FROM report_delivery WHERE period = ?", [period])) }
    }

    /// The latest period starting with `prefix` (periods of scheduled runs sort by time).
    public func latest(prefix: String) throws -> String? {
        try store.stateBackend.read { c in
            try c.string("SELECT MAX(period) FROM report_delivery WHERE substr(period, 1, CAST(? AS INTEGER)) = ?", [prefix.count, prefix])
        }
    }

    public func record(period: String, incidentID: String, now: Int64) throws {
        try store.stateBackend.write { c in
            try c.execute("INSERT INTO report_delivery (period, incident_id, time) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [period, incidentID, now])
        }
    }
}
