public import Foundation
import Detection
public import KQL
import Yams

/// A rule's test cases (`tests/<RuleFile>.test.yaml` beside the rules): each case gives the rows of
/// some tables, the run time, and whether the rule must fire (with how many alerts or anomalies, on
/// which entities) or stay quiet. Rows are written as in a JSON log: `TimeGenerated: -10m` is relative
/// to the run time; `_repeat: N` repeats a row N times, `_every: 30s` spaces the copies in time, and
/// `{i}` in a string is replaced by the copy's number.
///
/// ```yaml
/// now: 2024-06-21T03:00:00Z
/// cases:
///   - name: failures then a success
///     expect: fire            # fire | quiet
///     count: 1                # optional: alerts (or anomalies) exactly
///     entities: ["185.220.101.45"]
///     tables:
///       SecurityEvent:
///         - {TimeGenerated: -40m, EventID: 4625, Account: "CONTOSO\\svc", _repeat: 60, _every: 10s}
/// ```
public struct RuleFixture: Sendable {
    public struct Case: Sendable {
        public var name: String
        public var now: Int64
        public var fires: Bool
        public var count: Int?
        public var entities: [String]
        /// Per table, the rows as JSON lines (times resolved, repeats expanded).
        public var rows: [String: Data]
        /// Result counts of earlier runs, for rules with a learned threshold.
        public var history: [Int]
    }

    public var file: String
    public var cases: [Case]

    public struct LoadError: Error, CustomStringConvertible {
        public var file: String, message: String
        public var description: String { "\(file): \(message)" }
    }

    /// The fixture file of a rule file: `<dir>/tests/<name>.test.yaml`.
    public static func path(forRule rule: String) -> String {
        let url = URL(fileURLWithPath: rule)
        return url.deletingLastPathComponent().appendingPathComponent("tests")
            .appendingPathComponent(url.deletingPathExtension().lastPathComponent + ".test.yaml").path
    }

    public static func load(_ path: String) throws -> RuleFixture {
        func fail(_ m: String) -> LoadError { LoadError(file: path, message: m) }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any] else { throw fail("a fixture file is a mapping with now and cases") }
        let defaultNow = (root["now"] as? String).flatMap(DateTimeParser.parse) ?? (root["now"] as? Date).map(Self.ticks)
        guard let list = root["cases"] as? [[String: Any]], !list.isEmpty else { throw fail("cases: a list of cases is required") }
        var cases: [Case] = []
        for (n, c) in list.enumerated() {
            let name = c["name"] as? String ?? "case \(n + 1)"
            guard let now = (c["now"] as? String).flatMap(DateTimeParser.parse) ?? (c["now"] as? Date).map(Self.ticks) ?? defaultNow else {
                throw fail("\(name): now is missing (on the case or the file)")
            }
            guard let expect = c["expect"] as? String, ["fire", "quiet"].contains(expect) else { throw fail("\(name): expect must be fire or quiet") }
            guard let tables = c["tables"] as? [String: Any] else { throw fail("\(name): tables is required") }
            var rows: [String: Data] = [:]
            for (table, value) in tables {
                guard let list = value as? [[String: Any]] else { throw fail("\(name): \(table) must be a list of rows") }
                var lines = Data()
                for row in list {
                    for r in try expand(row, now: now, fail: { fail("\(name): \(table): \($0)") }) {
                        lines.append(try JSONSerialization.data(withJSONObject: r, options: [.sortedKeys]))
                        lines.append(0x0A)
                    }
                }
                rows[table] = lines
            }
            cases.append(Case(name: name, now: now, fires: expect == "fire", count: c["count"] as? Int,
                              entities: (c["entities"] as? [Any] ?? []).map { "\($0)" }, rows: rows, history: c["history"] as? [Int] ?? []))
        }
        return RuleFixture(file: path, cases: cases)
    }

    static func ticks(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1e7).rounded()) }

    /// One fixture row as JSON objects: repeats expanded, relative times resolved, `{i}` filled.
    static func expand(_ row: [String: Any], now: Int64, fail: (String) -> LoadError) throws -> [[String: Any]] {
        let times = (row["_repeat"] as? Int) ?? 1
        guard times >= 1, times <= 100_000 else { throw fail("_repeat must be 1 to 100000") }
        var every: Int64 = 0
        if let e = row["_every"] {
            guard let d = RuleDuration.parse("\(e)") else { throw fail("_every '\(e)' is not a duration") }
            every = d
        }
        var out: [[String: Any]] = []
        for i in 0..<times {
            var r: [String: Any] = [:]
            for (k, v) in row where !k.hasPrefix("_") || k == "_ResourceId" {
                switch v {
                case let s as String:
                    if k == "TimeGenerated" || k.hasSuffix("Time") || k.hasSuffix("DateTime") || k == "TimeCollected", let t = try time(s, now: now, fail: fail) {
                        r[k] = DateTimeMath.format(t + Int64(i) * every)
                    } else {
                        r[k] = s.replacingOccurrences(of: "{i}", with: String(i))
                    }
                case let d as Date: r[k] = DateTimeMath.format(ticks(d) + Int64(i) * every)
                case let m as [String: Any]: r[k] = m
                case let a as [Any]: r[k] = a
                default: r[k] = v
                }
            }
            out.append(r)
        }
        return out
    }

    /// `-10m` (before the run) or `+1h`, else an absolute datetime, else nil (not a time).
    static func time(_ s: String, now: Int64, fail: (String) -> LoadError) throws -> Int64? {
        if let first = s.first, first == "-" || first == "+" {
            guard let d = RuleDuration.parse(String(s.dropFirst())) else { throw fail("'\(s)' is not a relative time like -10m") }
            return first == "-" ? now - d : now + d
        }
        return DateTimeParser.parse(s)
    }
}
