public import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import KQL
import VigilStore

extension Benchmark {
    /// The store at a scale gen.py cannot write in one go (it holds a whole month in memory: about 12 GB
    /// at 10M rows): gen.py's month is copied `months` times, each copy shifted 30 days further back,
    /// so the newest copy is the month itself and `now` is unchanged. Each copy is ingested into the
    /// store and appended to DuckDB's database file, then deleted, so the disk holds one copy at a time.
    public struct MonthsFigures: Sendable {
        public struct Query: Sendable {
            public var id: String
            public var coldSeconds: Double
            public var warmSeconds: Double
            public var resultRows: Int
            public var peakRSSBytes: Int
            /// The peak of the process's anonymous memory (heap), sampled: RSS without file pages mapped.
            public var peakAnonBytes: Int
            public var cold: Table
            /// Set when the workload failed over the store (the others still run).
            public var error: String?
        }
        public var months = 0
        public var rows: [String: Int] = [:]
        public var ingestSeconds: [String: Double] = [:]
        public var duckdbLoadSeconds = 0.0
        public var duckdbBytes = 0
        public var storeBytes: [String: Int] = [:]
        public var cacheMegabytes = 0
        public var droppedPageCache = false
        public var queries: [Query] = []
        public var ingestPeakRSSBytes = 0
    }

    public static let monthDays = 30

    /// `reuse`: keep a store (and DuckDB file) an earlier run of the same size built, and only query.
    public func runMonths(workspace: String, months: Int, duckdbFile: String?, shared: String, cacheMegabytes: Int, reuse: Bool = false) throws -> MonthsFigures {
        var f = MonthsFigures()
        f.months = months
        f.cacheMegabytes = cacheMegabytes
        let fm = FileManager.default
        if reuse, fm.fileExists(atPath: workspace + "/vigil.yaml") {
            let ws = try Workspace.open(workspace)
            let store = try LogStore(workspace: ws)
            for info in store.tableInfos() where info.rows > 0 { f.rows[info.name] = info.rows; f.storeBytes[info.name] = info.bytes }
            f.duckdbBytes = duckdbFile.flatMap { (try? fm.attributesOfItem(atPath: $0))?[.size] as? Int } ?? 0
            log("reusing the store of an earlier run: \(f.rows)")
            return try queryMonths(ws, f)
        }
        try? fm.removeItem(atPath: workspace)
        try fm.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        // Months of data: retention must keep them all; the decoded-column cache is the bound under test.
        try """
        storage:
          cacheMegabytes: \(cacheMegabytes)
        retention:
          defaultDays: \(months * Benchmark.monthDays + 30)
        """.write(toFile: workspace + "/vigil.yaml", atomically: true, encoding: .utf8)
        if let duckdbFile { try? fm.removeItem(atPath: duckdbFile); try? fm.removeItem(atPath: duckdbFile + ".wal") }
        let ws = try Workspace.open(workspace)
        let store = try LogStore(workspace: ws)
        let copy = (dataDir as NSString).appendingPathComponent("month-copy")
        for k in 0..<months {
            let shift = (months - 1 - k) * Benchmark.monthDays
            try? fm.removeItem(atPath: copy)
            try fm.createDirectory(atPath: copy, withIntermediateDirectories: true)
            let t0 = Date()
            for table in ["SecurityEvent", "SigninLogs"] {
                try Benchmark.writeShiftedCSV(from: (dataDir as NSString).appendingPathComponent(table + ".csv"),
                                              to: (copy as NSString).appendingPathComponent(table + ".csv"), days: -shift)
            }
            let copySeconds = Date().timeIntervalSince(t0)
            var line = String(format: "month %d of %d (shifted %d days): copy %.1fs", k + 1, months, -shift, copySeconds)
            for table in ["SecurityEvent", "SigninLogs"] {
                let s = try store.ingestFile((copy as NSString).appendingPathComponent(table + ".csv"), table: table)
                f.rows[table, default: 0] += s.accepted
                f.ingestSeconds[table, default: 0] += s.seconds
                line += String(format: ", %@ %d rows %.1fs (%.0f rows/s)", table, s.accepted, s.seconds, s.rowsPerSecond)
            }
            if let duckdbFile {
                let out = (copy as NSString).appendingPathComponent("append.json")
                try Benchmark.python([Benchmark.referenceScript, "--shared", shared, "--data", copy, "--out", out, "--duckdb-file", duckdbFile, "--append", copy])
                let j = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
                let s = j["seconds"] as? Double ?? 0
                f.duckdbLoadSeconds += s
                f.duckdbBytes = j["bytes"] as? Int ?? 0
                line += String(format: ", DuckDB append %.1fs", s)
            }
            log(line)
        }
        try? fm.removeItem(atPath: copy)
        f.ingestPeakRSSBytes = Benchmark.peakRSSBytes() ?? 0
        for info in store.tableInfos() where info.rows > 0 { f.storeBytes[info.name] = info.bytes }
        return try queryMonths(ws, f)
    }

    func queryMonths(_ ws: Workspace, _ figures: MonthsFigures) throws -> MonthsFigures {
        var f = figures
        for w in Benchmark.workloads where only.isEmpty || only.contains(w.id) {
            f.droppedPageCache = Benchmark.dropPageCache()
            Benchmark.resetPeakRSS()
            let sampler = AnonSampler()
            let (first, cold, warm) = try coldAndWarm(w, ws)
            guard case .success(let r, _) = first, let table = r.first?.table else {
                let message: String
                if case .failure(_, let m) = first { message = m.split(separator: "\n").first.map(String.init) ?? m } else { message = "\(first)" }
                log("store \(w.id) failed: \(message)")
                f.queries.append(.init(id: w.id, coldSeconds: 0, warmSeconds: 0, resultRows: 0, peakRSSBytes: Benchmark.peakRSSBytes() ?? 0,
                                       peakAnonBytes: sampler.stop(), cold: Table.empty(Schema([])), error: message))
                continue
            }
            let peak = Benchmark.peakRSSBytes() ?? 0
            let anon = sampler.stop()
            log(String(format: "store %@ cold %.3fs warm %.3fs, %d result rows, peak RSS %.2f GB (anonymous %.2f GB)", w.id, cold, warm, table.count, Double(peak) / 1e9, Double(anon) / 1e9))
            f.queries.append(.init(id: w.id, coldSeconds: cold, warmSeconds: warm, resultRows: table.count, peakRSSBytes: peak, peakAnonBytes: anon, cold: table))
        }
        return f
    }

    /// Copies a gen.py CSV with every row's date moved by `days` (the time of day is kept): rows stay
    /// in time order and the bytes stay the same length.
    public static func writeShiftedCSV(from source: String, to target: String, days: Int) throws {
        let file = try MappedFile(path: source)
        defer { file.close() }
        guard FileManager.default.createFile(atPath: target, contents: nil), let out = FileHandle(forWritingAtPath: target) else {
            throw ValidationFailure(message: "cannot write \(target)")
        }
        defer { try? out.close() }
        let bytes = file.bytes
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8 << 20)
        var i = 0, released = 0
        var lastDate: (from: [UInt8], to: [UInt8]) = ([], [])
        func digit(_ b: UInt8) -> Int64 { Int64(b) - 48 }
        while i < bytes.count {
            let rest = bytes.count - i
            let lineEnd = memchr(bytes.baseAddress! + i, 10, rest).map { bytes.baseAddress!.distance(to: $0.assumingMemoryBound(to: UInt8.self)) + 1 } ?? bytes.count
            let start = buffer.count
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<lineEnd]))
            // A data row starts with its date, yyyy-mm-dd; the header does not.
            if lineEnd - i > 10, bytes[i + 4] == 45, bytes[i + 7] == 45, (48...57).contains(bytes[i]) {
                let date = Array(bytes[i..<(i + 10)])
                if date != lastDate.from {
                    let y = digit(date[0]) * 1000 + digit(date[1]) * 100 + digit(date[2]) * 10 + digit(date[3])
                    let m = digit(date[5]) * 10 + digit(date[6]), d = digit(date[8]) * 10 + digit(date[9])
                    let c = DateTimeMath.civilFromDays(DateTimeMath.daysFromCivil(y, m, d) + Int64(days))
                    lastDate = (date, Array(String(format: "%04d-%02d-%02d", Int(c.year), Int(c.month), Int(c.day)).utf8))
                }
                for k in 0..<10 { buffer[start + k] = lastDate.to[k] }
            }
            i = lineEnd
            if buffer.count >= 8 << 20 {
                out.write(Data(buffer)); buffer.removeAll(keepingCapacity: true)
                if i - released > 64 << 20 { released = file.release(upTo: i) }
            }
        }
        if !buffer.isEmpty { out.write(Data(buffer)) }
    }

    static var referenceScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("bench/reference.py").path
    }

    static func python(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + arguments
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ValidationFailure(message: "python3 \(arguments.first ?? "") failed (exit \(p.terminationStatus)); pip install duckdb pyarrow numpy") }
    }

    /// Drops the kernel's clean page cache so a cold run reads the extents from disk (needs root;
    /// returns false when not allowed, and the cold figure then means "not decoded yet").
    static func dropPageCache() -> Bool {
        sync()
        guard let h = FileHandle(forWritingAtPath: "/proc/sys/vm/drop_caches") else { return false }
        defer { try? h.close() }
        return (try? h.write(contentsOf: Data("1\n".utf8))) != nil
    }

    /// Samples the process's anonymous resident memory every 5 ms on its own thread until stopped.
    final class AnonSampler: @unchecked Sendable {
        private let lock = NSLock()
        private var running = true
        private var peak = 0
        private let done = DispatchSemaphore(value: 0)

        init() {
            Thread.detachNewThread { [self] in
                while lock.withLock({ running }) {
                    let v = Benchmark.procStatus("RssAnon:") ?? 0
                    lock.withLock { peak = max(peak, v) }
                    usleep(5_000)
                }
                done.signal()
            }
        }

        func stop() -> Int {
            lock.withLock { running = false }
            done.wait()
            return max(peak, Benchmark.procStatus("RssAnon:") ?? 0)
        }
    }

    /// glibc's malloc_trim (not in the Glibc module map): returns freed heap memory to the kernel.
    @_silgen_name("malloc_trim") static func mallocTrim(_ pad: Int) -> Int32

    /// Starts a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM).
    static func resetPeakRSS() {
        // Memory an earlier workload freed but malloc kept would count against this one.
        _ = mallocTrim(0)
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
        defer { try? h.close() }
        try? h.write(contentsOf: Data("5\n".utf8))
    }
}
