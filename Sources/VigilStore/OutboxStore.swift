public import Foundation
import GRDB
public import Notifications

/// The durable outbox: `OutboxMessage`s in the workspace's SQLite (WAL), so a message acknowledged
/// by `enqueue` survives a crash. Workers `claim` due messages with a lease (another worker, or a
/// restart before the lease ends, does not send them meanwhile) and `update` them with the outbox
/// state machine's verdict.
public struct OutboxStore: Sendable {
    public let store: LogStore
    public init(store: LogStore) { self.store = store }
    var db: StateDatabase { store.db }

    /// Stores messages whose key is new; returns how many were new.
    @discardableResult
    public func enqueue(_ messages: [OutboxMessage]) throws -> Int {
        try db.pool.write { db in
            var added = 0
            for m in messages {
                try db.execute(sql: """
                    INSERT INTO outbox (key, channel, body, state, attempts, next_attempt, last_error, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(key) DO NOTHING
                    """, arguments: [m.key, m.channel, m.body, m.state.rawValue, m.attempts, m.nextAttempt, m.lastError, m.created])
                added += db.changesCount
            }
            return added
        }
    }

    /// Pending messages due at `now`, at most `limit`, leased until `now + lease`.
    public func claim(now: Int64, lease: Int64, limit: Int = 100) throws -> [OutboxMessage] {
        try db.pool.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE state = 'pending' AND next_attempt <= ? ORDER BY next_attempt, created, key LIMIT ?",
                                        arguments: [now, limit])
            let out = rows.map(Self.message)
            for m in out { try db.execute(sql: "UPDATE outbox SET next_attempt = ? WHERE key = ?", arguments: [now + lease, m.key]) }
            return out
        }
    }

    public func update(_ m: OutboxMessage) throws {
        try db.pool.write { db in
            try db.execute(sql: "UPDATE outbox SET state = ?, attempts = ?, next_attempt = ?, last_error = ? WHERE key = ?",
                           arguments: [m.state.rawValue, m.attempts, m.nextAttempt, m.lastError, m.key])
        }
    }

    /// Messages in a state (all when nil), newest first.
    public func list(state: OutboxMessage.State? = nil, limit: Int = 1000) throws -> [OutboxMessage] {
        try db.pool.read { db in
            let rows: [Row]
            if let s = state {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE state = ? ORDER BY created DESC, key LIMIT ?", arguments: [s.rawValue, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY created DESC, key LIMIT ?", arguments: [limit])
            }
            return rows.map(Self.message)
        }
    }

    /// How many messages are in each state (the outbox backlog for metrics).
    public func counts() throws -> [OutboxMessage.State: Int] {
        try db.pool.read { db in
            var out: [OutboxMessage.State: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state") {
                if let s = OutboxMessage.State(rawValue: r["state"]) { out[s] = r["n"] }
            }
            return out
        }
    }

    /// Failed messages back to pending, due now (`vigil outbox retry`); returns how many.
    @discardableResult
    public func retryFailed(now: Int64) throws -> Int {
        try db.pool.write { db in
            try db.execute(sql: "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt = ? WHERE state = 'failed'", arguments: [now])
            return db.changesCount
        }
    }

    static func message(_ r: Row) -> OutboxMessage {
        var m = OutboxMessage(key: r["key"], channel: r["channel"], body: r["body"], created: r["created"])
        m.state = OutboxMessage.State(rawValue: r["state"]) ?? .pending
        m.attempts = r["attempts"]
        m.nextAttempt = r["next_attempt"]
        m.lastError = r["last_error"]
        return m
    }
}
