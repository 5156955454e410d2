import Foundation
import VigilApp

extension BenchCommand {
    /// `vigil bench --store --rows N` past one generated month: the store and DuckDB's own database file
    /// get the same month copies; each workload runs cold and warm over the store with its own peak RSS,
    /// then on DuckDB's file, and the results are compared.
    func runMonths(_ bench: Benchmark, months: Int, log: @escaping @Sendable (String) -> Void) throws {
        let root = (bench.dataDir as NSString).appendingPathComponent("months-\(months)")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let duck = reference.contains("duckdb") ? (root as NSString).appendingPathComponent("reference.duckdb") : nil
        let f = try bench.runMonths(workspace: (root as NSString).appendingPathComponent("workspace"), months: months, duckdbFile: duck,
                                    shared: shared, cacheMegabytes: cacheMb, reuse: reuseStore)
        var ref: Benchmark.Reference?
        if let duck {
            ref = try bench.runReference(shared: shared, engines: "duckdb", out: (root as NSString).appendingPathComponent("reference.json"), extra: ["--duckdb-file", duck])
        }
        let total = f.rows.values.reduce(0, +)
        print("Vigil bench, store of \(months) month copies: " + f.rows.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: " + ") + " rows, median of \(bench.runs) warm runs")
        if let m = ref?.machine { print("reference: \(m), on its own database file") }
        print("\n| ingest | rows | seconds | rows/s | on disk | MB per million rows |\n|---|---:|---:|---:|---:|---:|")
        for (t, n) in f.rows.sorted(by: { $0.key < $1.key }) {
            let s = f.ingestSeconds[t] ?? 0, b = Double(f.storeBytes[t] ?? 0)
            // A reused store was ingested by an earlier run: its size, not its time.
            let timing = s > 0 ? String(format: "%.1f | %.0f", s, Double(n) / s) : "- | -"
            print(String(format: "| Vigil %@ (durable extents) | %d | %@ | %.2f GB | %.1f |", t, n, timing, b / 1e9, b / Double(max(n, 1))))
        }
        if duck != nil && f.duckdbLoadSeconds > 0 {
            print(String(format: "| DuckDB, both tables into its file | %d | %.1f | %.0f | %.2f GB | %.1f |", total, f.duckdbLoadSeconds,
                         Double(total) / max(f.duckdbLoadSeconds, 1e-9), Double(f.duckdbBytes) / 1e9, Double(f.duckdbBytes) / Double(max(total, 1))))
        }
        print(String(format: "\nstorage.cacheMegabytes %d; cold = a newly opened store%@; peak RSS per workload (reset before each): its cold run and %d warm runs",
                     f.cacheMegabytes, f.droppedPageCache ? " after dropping the OS page cache" : " (the OS page cache may hold extents)", bench.runs))
        print("\n| workload | store cold | store warm | peak RSS | peak anonymous | DuckDB (file) | DuckDB / Vigil warm | result vs DuckDB |\n|---|---:|---:|---:|---:|---:|---:|---|")
        for q in f.queries {
            if let e = q.error {
                print(String(format: "| %@ | failed | - | %.2f GB | %.2f GB | %@ | - | %@ |", q.id, Double(q.peakRSSBytes) / 1e9, Double(q.peakAnonBytes) / 1e9,
                             ref?.seconds["duckdb"]?[q.id].map { String(format: "%.3fs", $0) } ?? "-", e))
                continue
            }
            let d = ref?.seconds["duckdb"]?[q.id]
            let check = ref?.duckdbRows[q.id].map { Benchmark.compare(q.id, q.cold, $0) } 
                ?? ref?.duckdbCounts[q.id].map { $0 == q.resultRows ? "same count (\($0) rows, too many to compare)" : "DIFFERENT counts: vigil \(q.resultRows), duckdb \($0)" } ?? "-"
            print(String(format: "| %@ | %.3fs | %.3fs | %.2f GB | %.2f GB | %@ | %@ | %@ |", q.id, q.coldSeconds, q.warmSeconds, Double(q.peakRSSBytes) / 1e9, Double(q.peakAnonBytes) / 1e9,
                         d.map { String(format: "%.3fs", $0) } ?? "-", d.map { String(format: "%.2fx", $0 / q.warmSeconds) } ?? "-", check))
        }
        if f.ingestPeakRSSBytes > 0 { print(String(format: "\npeak RSS of the ingest: %.2f GB", Double(f.ingestPeakRSSBytes) / 1e9)) }
    }
}
