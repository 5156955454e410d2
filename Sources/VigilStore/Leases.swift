/// Time-limited leases in the shared state: with several `vigil serve` nodes on one workspace, the
/// node holding `detection` runs the analytics rules and the one holding `digest` the scheduled
/// report, each exactly once. A holder renews its lease while it works; a node that dies stops
/// renewing, and another takes the lease once it expires. Expiry is judged on the taking node's
/// clock: nodes on several machines need synchronized clocks (NTP) and a TTL well above their skew.
public struct Leases: Sendable {
    public let db: any StateBackend
    public init(db: any StateBackend) { self.db = db }

    public struct Holder: Sendable, Equatable {
        public var holder: String
        public var expires: Int64
    }

    /// Takes the lease, or renews it when `holder` has it; false while another holder's lease runs.
    public func acquire(_ name: String, holder: String, now: Int64, ttl: Int64) throws -> Bool {
        try db.write { c in
            // The row exists first, so that two nodes taking a new lease conflict on an update (a
            // retried transaction) rather than on a duplicate key.
            try c.execute("INSERT INTO lease (name, holder, expires) VALUES (?, '', 0) ON CONFLICT (name) DO NOTHING", [name])
            guard let r = try c.row("SELECT holder, expires FROM lease WHERE name = ?", [name]) else { return false }
            if r.string("holder") != holder, (r.int64("expires") ?? 0) > now { return false }
            try c.execute("UPDATE lease SET holder = ?, expires = ? WHERE name = ?", [holder, now + ttl, name])
            return true
        }
    }

    /// Gives the lease up (a clean shutdown), so that another node need not wait for it to expire.
    public func release(_ name: String, holder: String) throws {
        try db.write { c in try c.execute("UPDATE lease SET expires = 0 WHERE name = ? AND holder = ?", [name, holder]) }
    }

    /// Marks a one-off task (a digest period) done: nobody takes its lease again.
    public func complete(_ name: String, holder: String) throws {
        try db.write { c in try c.execute("UPDATE lease SET holder = ?, expires = ? WHERE name = ? AND holder = ?", [Self.done, Int64.max, name, holder]) }
    }
    public static let done = "#done"

    public func current(_ name: String) throws -> Holder? {
        try db.read { c in
            try c.row("SELECT holder, expires FROM lease WHERE name = ?", [name]).map { Holder(holder: $0.string("holder") ?? "", expires: $0.int64("expires") ?? 0) }
        }
    }
}
