import Foundation

/// The record of every analytics-rule run (time, window, rows, alerts, duration, error), and the
/// per-rule health `vigil rules status` shows.
public struct RuleRunLog: Sendable {
    public let db: any StateBackend
    public init(db: any StateBackend) { self.db = db }

    public struct Entry: Sendable {
        public var ruleID: String, ruleName: String
        public var runTime: Int64, windowStart: Int64, windowEnd: Int64
        public var resultRows: Int, alerts: Int, durationMillis: Double
        public var error: String?
        public var backfill: Bool
        public init(ruleID: String, ruleName: String, runTime: Int64, windowStart: Int64, windowEnd: Int64, resultRows: Int, alerts: Int,
                    durationMillis: Double, error: String?, backfill: Bool) {
            self.ruleID = ruleID; self.ruleName = ruleName; self.runTime = runTime; self.windowStart = windowStart; self.windowEnd = windowEnd
            self.resultRows = resultRows; self.alerts = alerts; self.durationMillis = durationMillis; self.error = error; self.backfill = backfill
        }
    }

    public func record(_ entries: [Entry]) throws {
        guard !entries.isEmpty else { return }
        try db.write { c in
            for e in entries {
                try c.execute("""
                    INSERT INTO rule_run (rule_id, rule_name, run_time, window_start, window_end, result_rows, alerts, duration_ms, error, backfill)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [e.ruleID, e.ruleName, e.runTime, e.windowStart, e.windowEnd, e.resultRows, e.alerts, e.durationMillis, e.error, e.backfill])
            }
        }
    }

    /// Per rule: runs, failures, back-fills, rows, alerts, mean and max duration, last run and last error.
    public struct Health: Sendable, Equatable {
        public var ruleID: String, ruleName: String
        public var runs: Int, failures: Int, backfills: Int, resultRows: Int, alerts: Int
        public var meanMillis: Double, maxMillis: Double
        public var lastRun: Int64
        public var lastError: String?
    }

    public func health() throws -> [Health] {
        try db.read { c in
            try c.rows("""
                SELECT rule_id, MAX(rule_name) AS name, COUNT(*) AS runs, SUM(CASE WHEN error IS NOT NULL THEN 1 ELSE 0 END) AS failures,
                       SUM(CASE WHEN backfill THEN 1 ELSE 0 END) AS backfills, SUM(result_rows) AS rows, SUM(alerts) AS alerts,
                       AVG(duration_ms) AS mean, MAX(duration_ms) AS max, MAX(run_time) AS last,
                       (SELECT error FROM rule_run r2 WHERE r2.rule_id = rule_run.rule_id AND error IS NOT NULL ORDER BY run_time DESC LIMIT 1) AS last_error
                FROM rule_run GROUP BY rule_id ORDER BY name
                """).map { r in
                Health(ruleID: r.string("rule_id") ?? "", ruleName: r.string("name") ?? "", runs: r.int("runs") ?? 0, failures: r.int("failures") ?? 0,
                       backfills: r.int("backfills") ?? 0, resultRows: r.int("rows") ?? 0, alerts: r.int("alerts") ?? 0, meanMillis: r.double("mean") ?? 0,
                       maxMillis: r.double("max") ?? 0, lastRun: r.int64("last") ?? 0, lastError: r.string("last_error"))
            }
        }
    }

    /// The time of each rule's latest run: where a restarted scheduler picks up.
    public func lastRuns() throws -> [String: Int64] {
        try db.read { c in
            Dictionary(uniqueKeysWithValues: try c.rows("SELECT rule_id, MAX(run_time) AS t FROM rule_run GROUP BY rule_id").map { ($0.string("rule_id") ?? "", $0.int64("t") ?? 0) })
        }
    }

    /// The latest run of each rule that raised alerts (suppression survives a restart).
    public func lastAlerted() throws -> [String: Int64] {
        try db.read { c in
            Dictionary(uniqueKeysWithValues: try c.rows("SELECT rule_id, MAX(run_time) AS t FROM rule_run WHERE alerts > 0 GROUP BY rule_id").map {
                ($0.string("rule_id") ?? "", $0.int64("t") ?? 0)
            })
        }
    }

    /// Successful runs since `since` with their result counts, oldest first (what learned triggers learn from).
    public func results(since: Int64) throws -> [(ruleID: String, runTime: Int64, rows: Int)] {
        try db.read { c in
            try c.rows("SELECT rule_id, run_time, result_rows FROM rule_run WHERE error IS NULL AND run_time >= ? ORDER BY run_time", [since])
                .map { ($0.string("rule_id") ?? "", $0.int64("run_time") ?? 0, $0.int("result_rows") ?? 0) }
        }
    }
}
