public import Foundation
public import KQL

/// `vigil bench`: the six workloads of ../shared/bench on data loaded in memory, timed (median of N)
/// and, when the reference runs, compared side by side with DuckDB and SQLite in the same run.
public struct Benchmark {
    public struct Workload: Sendable {
        public var id: String
        public var table: String
        public var name: String
        public var kql: String
    }

    /// The KQL of baseline.py's WORKLOADS, verbatim.
    public static let workloads: [Workload] = [
        Workload(id: "q1", table: "SecurityEvent", name: "failed logons (4625) by account, log score",
                 kql: #"SecurityEvent | where EventID == 4625 | summarize FailedAttempts = count() by Account | where FailedAttempts > 5 | extend AnomalyScore = log(FailedAttempts)"#),
        Workload(id: "q2", table: "SigninLogs", name: "countif failures + dcount IPs by user",
                 kql: #"SigninLogs | summarize FailedLogins = countif(ResultType != "0"), UniqueIPs = dcount(IPAddress) by UserPrincipalName | where FailedLogins > 3"#),
        Workload(id: "q3", table: "SecurityEvent", name: "last 7 days, count by 1h bin and Computer",
                 kql: "SecurityEvent | where TimeGenerated > ago(7d) | summarize count() by bin(TimeGenerated, 1h), Computer"),
        Workload(id: "q4", table: "SigninLogs", name: "join: IPs with >= 5 failures, then a success within 1h",
                 kql: #"let failures = SigninLogs | where ResultType != "0" | summarize Failures = count(), LastFailure = max(TimeGenerated) by IPAddress | where Failures >= 5; failures | join kind=inner (SigninLogs | where ResultType == "0" | project IPAddress, SuccessTime = TimeGenerated, UserPrincipalName) on IPAddress | where SuccessTime > LastFailure and SuccessTime <= LastFailure + 1h | summarize Successes = count(), Users = dcount(UserPrincipalName) by IPAddress, Failures"#),
        Workload(id: "q5", table: "SecurityEvent", name: #"CommandLine has "bitsadmin" or contains "-enc""#,
                 kql: #"SecurityEvent | where CommandLine has "bitsadmin" or CommandLine contains "-enc""#),
        Workload(id: "q6", table: "SecurityEvent", name: "top 10 accounts by dcount(Computer)",
                 kql: "SecurityEvent | summarize Computers = dcount(Computer) by Account | top 10 by Computers"),
    ]

    /// Columns whose type the generator's CSV does not state.
    static let typeHints: [String: KQLType] = [
        "TimeGenerated": .datetime, "EventID": .int, "LogonType": .int, "IsInteractive": .bool,
    ]

    public struct Measurement: Codable, Sendable {
        public var id: String
        public var medianSeconds: Double
        public var rowsPerSecond: Double
        public var resultRows: Int
        public var check: String
    }

    public var dataDir: String
    public var runs: Int
    /// Workload ids to run (all when empty).
    public var only: Set<String> = []
    public var log: @Sendable (String) -> Void

    public init(dataDir: String, runs: Int, log: @escaping @Sendable (String) -> Void) {
        self.dataDir = dataDir; self.runs = runs; self.log = log
    }

    public func loadTables() throws -> (InMemoryTables, [String: Int], Double) {
        var mem = InMemoryTables()
        var counts: [String: Int] = [:]
        let start = Date()
        for table in ["SecurityEvent", "SigninLogs"] {
            let path = (dataDir as NSString).appendingPathComponent(table + ".csv")
            let names = try TableLoader.csvHeader(path: path)
            let schema = Schema(names.map { ColumnSchema($0, Benchmark.typeHints[$0] ?? .string) })
            let (t, report) = try TableLoader.load(path: path, table: table, schema: schema)
            for p in report.problems.prefix(3) { log("warning: " + p) }
            mem.add(table, t)
            counts[table] = t.count
        }
        return (mem, counts, Date().timeIntervalSince(start))
    }

    public static func now(dataDir: String) -> Int64 {
        let truth = (try? Data(contentsOf: URL(fileURLWithPath: (dataDir as NSString).appendingPathComponent("ground_truth.json"))))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        return (truth?["now"] as? String).flatMap(DateTimeParser.parse) ?? DateTimeParser.parse("2024-06-30T00:00:00Z")!
    }

    /// Runs every workload `runs` times; returns measurements and the last result of each.
    public func run(_ mem: any TableProvider, counts: [String: Int]) throws -> [(Measurement, Table)] {
        let runner = QueryRunner(provider: mem, now: Benchmark.now(dataDir: dataDir))
        var out: [(Measurement, Table)] = []
        for w in Benchmark.workloads where only.isEmpty || only.contains(w.id) {
            var times: [Double] = []
            var last: Table?
            for _ in 0..<runs {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let r = runner.run(w.kql)
                let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                guard case .success(let res, _) = r, let t = res.first?.table else {
                    throw ValidationFailure(message: "\(w.id) failed: \(r)")
                }
                times.append(dt)
                last = t
            }
            if ProcessInfo.processInfo.environment["VIGIL_EXPLAIN"] != nil, case .success(_, let plan) = runner.run(w.kql, explain: true) {
                log("plan of \(w.id):\n  " + plan.joined(separator: "\n  "))
            }
            let med = times.sorted()[times.count / 2]
            let n = counts[w.table] ?? 0
            let m = Measurement(id: w.id, medianSeconds: med, rowsPerSecond: Double(n) / med, resultRows: last?.count ?? 0, check: "")
            log(String(format: "vigil %@ median %.4fs  %.1fM rows/s  %d rows", w.id, med, Double(n) / med / 1e6, m.resultRows))
            out.append((m, last!))
        }
        return out
    }

    public struct ValidationFailure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
