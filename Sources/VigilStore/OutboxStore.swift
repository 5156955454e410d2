public import Foundation
public import Notifications

/// The durable outbox: `OutboxMessage`s in the workspace's SQLite (WAL), so a message acknowledged
/// by `enqueue` survives a crash. Workers `claim` due messages with a lease (another worker, or a
/// restart before the lease ends, does not send them meanwhile) and `update` them with the outbox
/// state machine's verdict.
public struct OutboxStore: Sendable {
    public let store: LogStore
    public init(store: LogStore) { self.store = store }
    var db: any StateBackend { store.stateBackend }

    /// Stores messages whose key is new; returns how many were new.
    @discardableResult
    public func enqueue(_ messages: [OutboxMessage]) throws -> Int {
        try db.write { c in
            var added = 0
            for m in messages {
                added += try c.execute("""
                    INSERT INTO outbox (key, channel, body, state, attempts, next_attempt, last_error, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(key) DO NOTHING
                    """, [m.key, m.channel, m.body, m.state.rawValue, m.attempts, m.nextAttempt, m.lastError, m.created])
            }
            return added
        }
    }

    /// Pending messages due at `now`, at most `limit`, leased until `now + lease`.
    public func claim(now: Int64, lease: Int64, limit: Int = 100) throws -> [OutboxMessage] {
        try db.write { c in
            let rows = try c.rows("SELECT * FROM outbox WHERE state = 'pending' AND next_attempt <= ? ORDER BY next_attempt, created, key LIMIT ?", [now, limit])
            let out = rows.map(Self.message)
            for m in out { try c.execute("UPDATE outbox SET next_attempt = ? WHERE key = ?", [now + lease, m.key]) }
            return out
        }
    }

    public func update(_ m: OutboxMessage) throws {
        try db.write { c in
            try c.execute("UPDATE outbox SET state = ?, attempts = ?, next_attempt = ?, last_error = ? WHERE key = ?",
                          [m.state.rawValue, m.attempts, m.nextAttempt, m.lastError, m.key])
        }
    }

    /// Messages in a state (all when nil), newest first.
    public func list(state: OutboxMessage.State? = nil, limit: Int = 1000) throws -> [OutboxMessage] {
        try db.read { c in
            let rows: [SQLRow]
            if let s = state {
                rows = try c.rows("SELECT * FROM outbox WHERE state = ? ORDER BY created DESC, key LIMIT ?", [s.rawValue, limit])
            } else {
                rows = try c.rows("SELECT * FROM outbox ORDER BY created DESC, key LIMIT ?", [limit])
            }
            return rows.map(Self.message)
        }
    }

    /// How many messages are in each state (the outbox backlog for metrics).
    public func counts() throws -> [OutboxMessage.State: Int] {
        try db.read { c in
            var out: [OutboxMessage.State: Int] = [:]
            for r in try c.rows("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state") {
                if let s = r.string("state").flatMap(OutboxMessage.State.init(rawValue:)) { out[s] = r.int("n") }
            }
            return out
        }
    }

    /// Failed messages back to pending, due now (`vigil outbox retry`); returns how many.
    @discardableResult
    public func retryFailed(now: Int64) throws -> Int {
        try db.write { c in try c.execute("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt = ? WHERE state = 'failed'", [now]) }
    }

    static func message(_ r: SQLRow) -> OutboxMessage {
        var m = OutboxMessage(key: r.string("key") ?? "", channel: r.string("channel") ?? "", body: r.data("body") ?? Data(), created: r.int64("created") ?? 0)
        m.state = r.string("state").flatMap(OutboxMessage.State.init(rawValue:)) ?? .pending
        m.attempts = r.int("attempts") ?? 0
        m.nextAttempt = r.int64("next_attempt") ?? 0
        m.lastError = r.string("last_error")
        return m
    }
}
