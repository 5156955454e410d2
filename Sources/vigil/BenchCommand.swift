import ArgumentParser
import Detection
import Foundation
import KQL
import VigilApp

/// `vigil bench`: the six reference workloads, timed against DuckDB and SQLite in the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Run the KQL engine benchmark against the DuckDB/SQLite reference.")

    @Option(help: "Directory with SecurityEvent.csv, SigninLogs.csv and ground_truth.json (generated when missing).") var data: String?
    @Option(help: "Rows to generate when --data is missing (SecurityEvent and SigninLogs each).") var rows: Int = 1_000_000
    @Option(help: "Runs per workload; the median is reported.") var runs: Int = 5
    @Option(help: "Output format: table or json.") var format: String = "table"
    @Option(help: "Reference engines to run in the same process session (comma list, or 'none').") var reference: String = "duckdb,sqlite"
    @Option(help: "Only these workloads (comma list, e.g. q1,q4).") var only: String?
    @Option(help: "Path of the shared folder holding bench/gen.py and bench/baseline.py.") var shared: String = "../shared"
    @Flag(help: "Also ingest the data into a scratch workspace and time ingest and the workloads over the store.") var store = false
    @Option(help: "With --store and more --rows than this, gen.py writes one month of this many rows (it holds a month in memory: about 12 GB at 10M) and the store gets copies of it, each shifted a month further back; DuckDB gets the same copies in its own database file.")
    var monthRows: Int = 10_000_000
    @Flag(help: "With the month copies: query the store (and DuckDB file) an earlier run of the same size left, without building them again.") var reuseStore = false
    @Option(help: "storage.cacheMegabytes of the store in the month-copies run (the bound on decoded columns kept between queries).") var cacheMb: Int = 1024
    @Option(help: "Directory with SecurityEvent.jsonl / SigninLogs.jsonl for the JSON-lines ingest figure.") var jsonl: String?
    @Flag(help: "Only the detection benchmark: one scheduler cycle of --rule-count rules over the data in a store.") var detection = false
    @Option(help: "Rules in the detection cycle: the pack, then variants of it.") var ruleCount: Int = 500
    @Option(help: "Rule directory of the detection benchmark (default: the built-in pack).") var rules: String?
    @Flag(help: "Only the Sigma benchmark: every Sigma rule under --sigma-rules loaded (per log source, with the reasons of those that do not) and run once over a day of the data.") var sigma = false
    @Option(help: "Sigma rule folders for --sigma (default: SigmaHQ's rules, emerging threats and threat hunting under --shared).") var sigmaRules: [String] = []
    @Option(help: "Rules run at once in the detection cycle (default: the number of cores).") var concurrency: Int?
    @Option(help: "Only the agents benchmark: this many synthetic alerts into incidents and verdicts.") var agents: Int?
    @Option(help: "Only the EVTX benchmark: read, map and store every .evtx under this folder (events/s).") var evtx: String?
    @Option(help: "Only the EVTX benchmark on a busy host's log: this many synthetic Security and Sysmon events in one .evtx file, packed as Windows packs them.") var evtxEvents: Int?
    @Option(help: "Only the triage benchmark: all modules on one incident over the stored data, then this many incidents.") var triage: Int?
    @Option(help: "Only the reports benchmark: reports for this many incidents, and the digest over --report-incidents incidents.") var reports: Int?
    @Option(help: "Incidents in SecurityIncident for the digest benchmark.") var reportIncidents: Int = 100_000
    @Option(help: "Only the API load test: this many requests against vigil serve on loopback.") var api: Int?
    @Option(help: "The API load test's state backend: sqlite, postgres (VIGIL_STATE's server, else a throwaway one on loopback) or both.")
    var apiState: String = "sqlite"
    @Option(help: "Concurrent clients of the API load test.") var clients: Int = 16
    @Flag(help: "Only the binding benchmark: Sentinel's parsers installed, then each query of --corpus bound (as --parse-only).") var binding = false
    @Option(help: "Rule and hunting files (YAML, or .kql) to bind, for --binding.") var corpus: [String] = []

    func run() async throws {
        let months = store && rows > monthRows ? (rows + monthRows - 1) / monthRows : 0
        let genRows = months > 0 ? monthRows : rows
        let scale = genRows % 1_000_000 == 0 ? "\(genRows / 1_000_000)m" : "\(genRows)"
        let dir = data ?? "bench-data/\(scale)"
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        if let n = agents {
            let r = try Benchmark.runAgents(count: n)
            print(String(format: "Vigil agents bench: %d alerts -> %d incidents in %.3f s (producer), verdicts in %.3f s (reviewer); total %.3f s",
                         n, r.incidents, r.produce, r.review, r.produce + r.review))
            print("verdicts: " + r.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            return
        }
        var evtx = evtx
        if let n = evtxEvents {
            let dir = NSTemporaryDirectory() + "vigil-bench-evtx-file-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(EvtxSynthetic.file(events: n)).write(to: URL(fileURLWithPath: dir + "/busy-host.evtx"))
            evtx = dir
        }
        defer { if evtxEvents != nil, let dir = evtx { try? FileManager.default.removeItem(atPath: dir) } }
        if let dir = evtx {
            let ws = NSTemporaryDirectory() + "vigil-bench-evtx-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: ws) }
            let r = try Benchmark.runEvtx(directory: dir, rounds: max(1, runs), workspace: ws)
            print(String(format: "Vigil EVTX bench: %d files, %d events, %.1f MB, %d rounds", r.files, r.events, r.megabytes, max(1, runs)))
            print(String(format: "| step | events/s |\n|---|---:|\n| read (chunks, records, binary XML), one core | %.0f |\n| read and map to Sentinel's tables, one core | %.0f |\n| stored (typed, extents on disk), one core | %.0f |\n| stored, %d cores | %.0f |",
                         r.readEventsPerSecond, r.mappedEventsPerSecond, r.storedOneCoreEventsPerSecond, r.cores, r.storedEventsPerSecond))
            print(String(format: "peak RSS %.2f GB", Double(Benchmark.peakRSSBytes() ?? 0) / 1e9))
            return
        }
        if let n = api {
            // PostgreSQL: VIGIL_STATE's server when set, else a throwaway one on loopback.
            func postgres() throws -> String {
                let env = ProcessInfo.processInfo.environment["VIGIL_STATE"] ?? ""
                let base = env.hasPrefix("postgres") ? String(env.prefix { $0 != "?" }) : try ThrowawayPostgres.url.get()
                return base + "?schema=bench_api_" + UUID().uuidString.prefix(8).lowercased()
            }
            var measured: [(String, Benchmark.APIFigures)] = []
            for backend in apiState == "both" ? ["sqlite", "postgres"] : [apiState] {
                let r = try await Benchmark.runAPI(requests: n, clients: clients, state: backend == "postgres" ? try postgres() : "sqlite")
                print(String(format: "Vigil API load test, state on %@: %d requests from %d clients in %.2f s: %.0f requests/s, p50 %.1f ms, p99 %.1f ms",
                             backend, r.requests, r.clients, r.seconds, r.requestsPerSecond, r.p50Millis, r.p99Millis))
                print("statuses: " + r.statuses.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", "))
                print("writes: \(r.commentsAcknowledged) comments acknowledged, \(r.commentsStored) stored; \(r.rowsAcknowledged) rows acknowledged, \(r.rowsStored) stored")
                measured.append((backend, r))
            }
            if measured.count == 2 {
                print(String(format: "PostgreSQL / SQLite requests/s: %.2fx", measured[1].1.requestsPerSecond / measured[0].1.requestsPerSecond))
            }
            return
        }
        if binding {
            let paths = corpus.isEmpty ? ["\(shared)/data/sentinel-rules"] : corpus
            let queries = Benchmark.corpusQueries(paths)
            let r = try Benchmark.runBinding(workspace: NSTemporaryDirectory() + "vigil-bench-binding", parsers: "\(shared)/data/sentinel-parsers",
                                             queries: queries, repeats: runs)
            print(String(format: "Vigil binding bench: %d tables, %d function names (parsers installed in %.2f s)", r.tables, r.functions, r.installSeconds))
            print(String(format: "%d of %d queries bind (%.1f%%); bind time per query: median %.2f ms, p95 %.2f ms, max %.2f ms",
                         r.bound, r.queries, r.queries == 0 ? 0 : Double(r.bound) * 100 / Double(r.queries), r.medianMillis, r.p95Millis, r.maxMillis))
            print("slowest: " + r.slowest.map { String(format: "%@ %.2f ms", ($0.file as NSString).lastPathComponent, $0.millis) }.joined(separator: ", "))
            for f in r.failures { print("  \((f.file as NSString).lastPathComponent): \(f.message)") }
            return
        }
        if let n = reports {
            let r = try await Benchmark.runReports(reports: n, incidents: reportIncidents)
            print(String(format: "Vigil reports bench: %d incidents stored in %.1f s (setup, not timed below)", r.incidents, r.setupSeconds))
            print(String(format: "| step | seconds |\n|---|---:|\n| %d reports built and rendered (md, html, json) | %.3f |", r.reports, r.reportSeconds))
            print(String(format: "| digest selection: KQL over SecurityIncident (%d rows) | %.3f |", r.incidents, r.selectionSeconds))
            print(String(format: "| digest job: selection, 10 reports, comments, tags, outbox | %.3f |", r.jobSeconds))
            print(String(format: "| delivery of %d signed webhook posts on loopback | %.3f |", r.delivered, r.deliverySeconds))
            print(String(format: "| digest end to end | %.3f |", r.jobSeconds + r.deliverySeconds))
            print("selected incidents: \(r.selected.map(String.init).joined(separator: ", "))")
            return
        }
        if !FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("SecurityEvent.csv")) {
            log("generating \(genRows) rows into \(dir) with \(shared)/bench/gen.py ...")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", "\(shared)/bench/gen.py", "--rows", String(genRows), "--out", dir, "--formats", months > 0 ? "csv" : "csv,parquet"]
            try p.run(); p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw ExitCode(1) }
        }
        var bench = Benchmark(dataDir: dir, runs: runs, log: log)
        if let n = triage {
            let r = try bench.runTriage(workspace: (dir as NSString).appendingPathComponent(".bench-workspace"), count: n)
            print(String(format: "Vigil triage bench: all modules on one incident: cold %.3f s, warm %.3f s; %d more incidents in %.2f s (%.1f ms each)",
                         r.cold, r.warm, r.scores.count - 1, r.many, r.many / Double(max(1, r.scores.count - 1)) * 1000))
            print("first incident's score: \(r.scores.first ?? 0); scores of the others: max \(r.scores.dropFirst().max() ?? 0)")
            print("warm, by module (concurrent): " + r.modules.prefix(5).map { String(format: "%@ %.1f ms", $0.name, $0.millis) }.joined(separator: ", "))
            return
        }
        if sigma {
            let dirs = sigmaRules.isEmpty ? ["rules", "rules-emerging-threats", "rules-threat-hunting"].map { "\(shared)/data/sigma/\($0)" } : sigmaRules
            let f = try bench.runSigma(workspace: (dir as NSString).appendingPathComponent(".bench-workspace"), directories: dirs,
                                       concurrency: concurrency ?? ProcessInfo.processInfo.activeProcessorCount)
            print(String(format: "Vigil Sigma bench: %d of %d rule files load and bind (%.1f%%); one scheduler cycle of all of them over a day of %d stored events: %.2f s, %d failed runs, %d alerts from %d rules",
                         f.loaded, f.files, f.files == 0 ? 0 : Double(f.loaded) * 100 / Double(f.files), f.events, f.cycleSeconds, f.failedRuns, f.alerts, f.alertsPerRule.count))
            print("\n| log source | files | load |\n|---|---:|---:|")
            for s in f.byLogsource { print("| \(s.logsource) | \(s.files) | \(s.loaded) |") }
            print("\nwhy the others do not load:")
            for r in f.reasons.prefix(25) { print(String(format: "%6d  %@", r.rules, r.reason)) }
            print("\nalerts per rule over the day (benign data: each is a false positive):")
            for r in f.alertsPerRule { print(String(format: "%6d  %@", r.alerts, r.rule)) }
            return
        }
        if detection {
            let f = try bench.runDetection(workspace: (dir as NSString).appendingPathComponent(".bench-workspace"), rulesDirectory: rules ?? BuiltInRulePack.directory?.path ?? "", count: ruleCount,
                                           concurrency: concurrency ?? ProcessInfo.processInfo.activeProcessorCount)
            print("Vigil detection bench: \(f.rules) enabled rules, one scheduler cycle over \(f.events) stored events")
            print("| cycle | seconds | failed runs | alerts | anomalies |\n|---|---:|---:|---:|---:|")
            for c in f.cycles { print(String(format: "| %@ | %.2f | %d | %d | %d |", c.label, c.seconds, c.failed, c.alerts, c.anomalies)) }
            print(String(format: "\npeak RSS: %.2f GB before the cycles (store opened), %.2f GB after", Double(f.peakRSSBeforeBytes) / 1e9, Double(f.peakRSSAfterBytes) / 1e9))
            print("slowest rules (mean ms per cycle, all variants):")
            for s in f.slowest { print(String(format: "  %8.0f  %@", s.millis, s.rule)) }
            return
        }
        bench.only = Set((only ?? "").split(separator: ",").map(String.init))
        if months > 0 {
            try runMonths(bench, months: months, log: log)
            return
        }
        let (mem, counts, loadSeconds) = try bench.loadTables()
        let rss = Benchmark.peakRSSBytes() ?? 0
        let heap = Benchmark.heapBytes() ?? 0
        let loadRate = Double(counts.values.reduce(0, +)) / max(loadSeconds, 1e-9)
        log(String(format: "loaded %@ in %.1fs (%.0fk rows/s), peak RSS %.2f GB, heap after load %.2f GB", counts.description, loadSeconds, loadRate / 1e3, Double(rss) / 1e9, Double(heap) / 1e9))
        let results = try bench.run(mem, counts: counts)
        var storeFigures: Benchmark.StoreFigures?
        if store {
            storeFigures = try bench.runStore(workspace: (dir as NSString).appendingPathComponent(".bench-workspace"), jsonlDir: jsonl)
            if let se = mem.tables["SecurityEvent"] {
                let r = try await bench.runHTTPIngest(workspace: (dir as NSString).appendingPathComponent(".bench-http"), source: se, rows: min(se.count, 1_000_000))
                storeFigures?.ingests.append(.init(table: "SecurityEvent", format: "http json-lines, 4 clients", rows: r.rows, seconds: r.seconds))
            }
        }
        var ref: Benchmark.Reference?
        if reference != "none" {
            ref = try bench.runReference(shared: shared, engines: reference, out: (dir as NSString).appendingPathComponent("reference.json"))
        }
        if format == "json" {
            var out: [[String: Any]] = []
            for (m, t) in results {
                var e: [String: Any] = ["id": m.id, "median_s": m.medianSeconds, "rows_per_s": m.rowsPerSecond, "result_rows": m.resultRows]
                for (engine, secs) in ref?.seconds ?? [:] { if let s = secs[m.id] { e["\(engine)_median_s"] = s; e["ratio_vs_\(engine)"] = s / m.medianSeconds } }
                if let d = ref?.duckdbRows[m.id] { e["check_vs_duckdb"] = Benchmark.compare(m.id, t, d) }
                out.append(e)
            }
            let doc: [String: Any] = ["rows": counts, "load_s": loadSeconds, "load_rows_per_s": loadRate, "peak_rss_bytes": rss, "heap_bytes_after_load": heap, "machine": ref?.machine ?? "", "workloads": out]
            print(String(decoding: try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
            return
        }
        print("Vigil bench: \(counts["SecurityEvent"] ?? 0) SecurityEvent + \(counts["SigninLogs"] ?? 0) SigninLogs rows, median of \(runs)")
        if let m = ref?.machine { print("reference: \(m)") }
        print("| workload | Vigil rows/s | DuckDB rows/s | SQLite rows/s | Vigil/DuckDB | Vigil/SQLite | result vs DuckDB |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for (m, t) in results {
            let n = Double(counts[Benchmark.workloads.first { $0.id == m.id }!.table] ?? 0)
            func rate(_ s: Double?) -> String { s.map { String(format: "%.1fM", n / $0 / 1e6) } ?? "-" }
            func ratio(_ s: Double?) -> String { s.map { String(format: "%.2fx", $0 / m.medianSeconds) } ?? "-" }
            let d = ref?.seconds["duckdb"]?[m.id], s = ref?.seconds["sqlite"]?[m.id]
            let check = ref?.duckdbRows[m.id].map { Benchmark.compare(m.id, t, $0) } ?? "-"
            print("| \(m.id) \(Benchmark.workloads.first { $0.id == m.id }!.name) | \(rate(m.medianSeconds)) | \(rate(d)) | \(rate(s)) | \(ratio(d)) | \(ratio(s)) | \(check) |")
        }
        print(String(format: "\nload %.1fs (%.0fk rows/s); peak RSS %.2f GB = %.2fx the heap after load (%.2f GB; the CSV files are mapped and released as parsed)",
                     loadSeconds, loadRate / 1e3, Double(rss) / 1e9, Double(rss) / Double(max(heap, 1)), Double(heap) / 1e9))
        if let f = storeFigures {
            print("\n| ingest | rows | seconds | rows/s |\n|---|---:|---:|---:|")
            for i in f.ingests { print(String(format: "| %@ %@ | %d | %.2f | %.0f |", i.table, i.format, i.rows, i.seconds, Double(i.rows) / i.seconds)) }
            for (t, b) in f.bytesPerMillionRows.sorted(by: { $0.key < $1.key }) { print(String(format: "\n%@ on disk: %.1f MB per million rows", t, b / 1e6)) }
            print(String(format: "ingest-to-queryable latency (100-row write-ahead batch, then a query that sees it): p50 %.2f ms, p99 %.2f ms", f.latencyMillis.p50, f.latencyMillis.p99))
            print("\n| workload | in memory | store cold | store warm | warm / in memory |\n|---|---:|---:|---:|---:|")
            for q in f.queries {
                let mem = results.first { $0.0.id == q.id }?.0.medianSeconds ?? 0
                print(String(format: "| %@ | %.4fs | %.4fs | %.4fs | %.2fx |", q.id, mem, q.coldSeconds, q.warmSeconds, q.warmSeconds / max(mem, 1e-9)))
            }
        }
    }
}
