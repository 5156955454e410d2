public import Foundation
import Ingestion
public import KQL
public import VigilStore

extension Benchmark {
    /// Ingest and stored-query figures: file ingest rows/s per format, bytes on disk per million rows,
    /// ingest-to-queryable latency, and the six workloads over the store, cold (a freshly opened store,
    /// nothing decoded; the OS page cache may hold the files) and warm (median of `runs`).
    public struct StoreFigures: Sendable {
        public struct Ingest: Sendable {
            public var table: String; public var format: String; public var rows: Int; public var seconds: Double
            public init(table: String, format: String, rows: Int, seconds: Double) { self.table = table; self.format = format; self.rows = rows; self.seconds = seconds }
        }
        public struct Query: Sendable { public var id: String; public var coldSeconds: Double; public var warmSeconds: Double; public var resultRows: Int }
        public var ingests: [Ingest] = []
        public var bytesPerMillionRows: [String: Double] = [:]
        public var latencyMillis: (p50: Double, p99: Double) = (0, 0)
        public var queries: [Query] = []
    }

    public func runStore(workspace: String, jsonlDir: String?) throws -> StoreFigures {
        var figures = StoreFigures()
        try? FileManager.default.removeItem(atPath: workspace)
        let ws = try Workspace.open(workspace)
        let store = try LogStore(workspace: ws)
        for table in ["SecurityEvent", "SigninLogs"] {
            let path = (dataDir as NSString).appendingPathComponent(table + ".csv")
            let s = try store.ingestFile(path, table: table)
            log(String(format: "ingest %@ csv: %d rows in %.2fs (%.0f rows/s), %d warnings", table, s.accepted, s.seconds, s.rowsPerSecond, s.warnings))
            figures.ingests.append(.init(table: table, format: "csv", rows: s.accepted, seconds: s.seconds))
        }
        for info in store.tableInfos() where info.rows > 0 { figures.bytesPerMillionRows[info.name] = Double(info.bytes) / Double(info.rows) * 1e6 }
        if let dir = jsonlDir {
            let jws = try Workspace.open(workspace + "-jsonl")
            defer { try? FileManager.default.removeItem(atPath: workspace + "-jsonl") }
            let jstore = try LogStore(workspace: jws)
            for table in ["SecurityEvent", "SigninLogs"] {
                let path = (dir as NSString).appendingPathComponent(table + ".jsonl")
                guard FileManager.default.fileExists(atPath: path) else { continue }
                let s = try jstore.ingestFile(path, table: table)
                log(String(format: "ingest %@ jsonl: %d rows in %.2fs (%.0f rows/s), %d warnings", table, s.accepted, s.seconds, s.rowsPerSecond, s.warnings))
                figures.ingests.append(.init(table: table, format: "jsonl", rows: s.accepted, seconds: s.seconds))
            }
        }
        figures.latencyMillis = try latency(store)
        log(String(format: "ingest-to-queryable latency: p50 %.2f ms, p99 %.2f ms", figures.latencyMillis.p50, figures.latencyMillis.p99))
        // Cold: a new store object per workload, nothing decoded yet.
        let counts = Dictionary(uniqueKeysWithValues: store.tableInfos().map { ($0.name, $0.rows) })
        for w in Benchmark.workloads where only.isEmpty || only.contains(w.id) {
            let (first, cold, warm) = try coldAndWarm(w, ws)
            guard case .success(let r, _) = first else { throw ValidationFailure(message: "\(w.id) failed over the store") }
            log(String(format: "store %@ cold %.4fs warm %.4fs (%d rows of %d)", w.id, cold, warm, r.first?.table.count ?? 0, counts[w.table] ?? 0))
            figures.queries.append(.init(id: w.id, coldSeconds: cold, warmSeconds: warm, resultRows: r.first?.table.count ?? 0))
        }
        return figures
    }

    /// A workload on a newly opened store (cold: nothing decoded), then `runs` more times on it (the
    /// median: warm). The warm runs are skipped when the cold one failed.
    func coldAndWarm(_ w: Workload, _ ws: Workspace) throws -> (first: QueryRunner.Outcome, cold: Double, warm: Double) {
        let runner = QueryRunner(provider: try LogStore(workspace: ws), now: Benchmark.now(dataDir: dataDir))
        let t0 = DispatchTime.now().uptimeNanoseconds
        let first = runner.run(w.kql)
        let cold = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        guard case .success = first else { return (first, cold, 0) }
        var times: [Double] = []
        for _ in 0..<runs {
            let t1 = DispatchTime.now().uptimeNanoseconds
            _ = runner.run(w.kql)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9)
        }
        return (first, cold, times.sorted()[times.count / 2])
    }

    /// From the start of a small durable write to the query that sees it, 200 times.
    func latency(_ store: LogStore) throws -> (p50: Double, p99: Double) {
        var samples: [Double] = []
        let base = Int64(Date().timeIntervalSince1970)
        for i in 0..<200 {
            var text = ""
            for k in 0..<100 { text += "{\"Seq\": \(i * 100 + k), \"TimeGenerated\": \"\(DateTimeMath.format((base + Int64(i)) * 10_000_000))\"}\n" }
            let t0 = DispatchTime.now().uptimeNanoseconds
            var bytes = Array(text.utf8)
            _ = try bytes.withUnsafeMutableBufferPointer { try store.ingest(UnsafeBufferPointer($0), source: "latency", format: .json, table: "Latency_CL", durability: .writeAhead) }
            let q = QueryRunner(provider: store, now: (base + 1_000) * 10_000_000).run("Latency_CL | where Seq == \(i * 100 + 99) | count")
            guard case .success(let r, _) = q, r.first?.table.row(0).first == .long(1) else { throw ValidationFailure(message: "latency probe \(i) not visible") }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        samples.sort()
        return (samples[samples.count / 2], samples[samples.count * 99 / 100])
    }
}
