public import Foundation
public import KQL

extension Benchmark {
    /// The same-run DuckDB / SQLite figures read back from bench/reference.py.
    public struct Reference {
        public var seconds: [String: [String: Double]] = [:]   // engine → workload → median
        public var duckdbRows: [String: [[String]]] = [:]
        /// Result row counts, also of results too large to be written out row by row.
        public var duckdbCounts: [String: Int] = [:]
        public var machine: String = ""
    }

    public func runReference(shared: String, engines: String, out: String, extra: [String] = []) throws -> Reference {
        try Benchmark.python([Benchmark.referenceScript, "--shared", shared, "--data", dataDir, "--out", out, "--engines", engines, "--runs", String(runs)] + extra)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
        var ref = Reference()
        if let m = json["machine"] as? [String: Any] { ref.machine = "\(m["cpu"] ?? "?"), \(m["nproc"] ?? "?") cores, duckdb \(m["duckdb"] ?? "?"), sqlite \(m["sqlite"] ?? "?")" }
        for (engine, v) in (json["engines"] as? [String: Any]) ?? [:] {
            guard let e = v as? [String: Any], let ws = e["workloads"] as? [String: Any] else { continue }
            for (wid, wv) in ws {
                guard let w = wv as? [String: Any] else { continue }
                ref.seconds[engine, default: [:]][wid] = w["median_s"] as? Double
                if engine == "duckdb", let rows = w["rows"] as? [[String]] { ref.duckdbRows[wid] = rows }
                if engine == "duckdb", let n = w["result_rows"] as? Int { ref.duckdbCounts[wid] = n }
            }
        }
        return ref
    }

    /// Compares Vigil's result with DuckDB's: same rows (as multisets) after normalising numbers and times.
    public static func compare(_ id: String, _ t: Table, _ duck: [[String]]) -> String {
        func key(_ v: Value) -> String {
            switch v {
            case .null: return "null"
            case .long(let x): return String(x)
            case .real(let d): return String(format: "%.6f", d)
            case .datetime(let x): return String(x / Ticks.perMillisecond)
            case .bool(let b): return b ? "1" : "0"
            default: return v.kqlString
            }
        }
        var mine = t
        if id == "q5" {
            // The SQL projects four columns; has is whole-term where ILIKE '%..%' matches inside words.
            let cols = ["TimeGenerated", "Computer", "Account", "CommandLine"].compactMap { t.schema.index(of: $0) }
            mine = Table(schema: Schema(cols.map { t.schema.columns[$0] }), columns: cols.map { t.columns[$0] }, count: t.count)
        }
        var a = (0..<mine.count).map { r in mine.columns.map { key($0.value(at: r)) }.joined(separator: "|") }
        var b = duck.map { $0.joined(separator: "|") }
        if id == "q6" {
            // top 10 keeps any of the accounts tied at the 10th place; compare the distinct counts.
            a = (0..<mine.count).map { key(mine.columns[1].value(at: $0)) }
            b = duck.map { $0[1] }
        }
        a.sort(); b.sort()
        if a == b { return "equal (\(a.count) rows)" }
        let sa = Set(a), sb = Set(b)
        return "DIFFERENT: vigil \(a.count) rows, duckdb \(b.count); \(sa.subtracting(sb).count) only in vigil, \(sb.subtracting(sa).count) only in duckdb"
    }

    /// Peak resident memory of this process, from /proc (Linux).
    public static func peakRSSBytes() -> Int? { procStatus("VmHWM:") }
    /// Current anonymous (heap) memory: the tables, without file pages the loader mapped.
    public static func heapBytes() -> Int? { procStatus("RssAnon:") }

    static func procStatus(_ key: String) -> Int? {
        // /proc files report a size of 0: read to the end instead of by size.
        guard let h = FileHandle(forReadingAtPath: "/proc/self/status") else { return nil }
        defer { try? h.close() }
        let s = String(decoding: h.readDataToEndOfFile(), as: UTF8.self)
        for line in s.split(separator: "\n") where line.hasPrefix(key) {
            let kb = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) }.first
            return kb.map { $0 * 1024 }
        }
        return nil
    }
}
