import Foundation
import Ingestion
import KQL
public import VigilStore

extension Benchmark {
    public struct EvtxFigures: Sendable {
        public var files: Int
        public var events: Int
        public var megabytes: Double
        /// Reading alone (chunks, records, binary XML, each value's text, as ingest reads them), single core.
        public var readEventsPerSecond: Double
        /// Reading and turning the events into Sentinel's tables' typed rows.
        public var mappedEventsPerSecond: Double
        /// Into a store (typed, extents on disk), end to end, one part of the file per core.
        public var storedEventsPerSecond: Double
        /// The same on one core (the file read as one part).
        public var storedOneCoreEventsPerSecond: Double
        public var cores: Int
    }

    /// Every .evtx under `directory`, read `rounds` times on one core, then mapped, then stored on
    /// one core and on all of them.
    public static func runEvtx(directory: String, rounds: Int, workspace: String) throws -> EvtxFigures {
        let paths = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".evtx") }.sorted()
        let files = try paths.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: (directory as NSString).appendingPathComponent($0)))) }
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        }
        var events = 0
        let read = seconds {
            for _ in 0..<rounds { for f in files { var mapper = EvtxMapper(); events += mapper.read(f).records } }
        }
        var mapped = 0
        let map = seconds {
            for _ in 0..<rounds {
                for f in files {
                    // Typed rows in the tables' builders, as ingest makes them (without the store).
                    var b = EvtxTables.Batches { t in
                        var b = BatchBuilder(table: t, schema: SchemaCatalog.builtIn[t] ?? Schema([]), policy: .fixed, source: "bench", ingestionTime: 0)
                        b.keepsJSONText = true
                        return b
                    }
                    var mapper = EvtxMapper()
                    _ = mapper.map(f, into: &b) { _, _ in }
                    mapped += b.rows - b.windows.rows
                }
            }
        }
        func store(parts: Int?, into folder: String) throws -> Double {
            let store = try LogStore(workspace: Workspace.open(folder))
            var stored = 0
            let secs = try seconds {
                for _ in 0..<rounds { for f in files { stored += try store.ingestEvtx(f, source: "bench", parts: parts).records } }
            }
            return Double(stored) / max(secs, 1e-9)
        }
        // The one-core run's workspace is the bench's own; `workspace` is the caller's to look at and remove.
        let one = try store(parts: 1, into: workspace + "-1")
        try? FileManager.default.removeItem(atPath: workspace + "-1")
        let all = try store(parts: nil, into: workspace)
        return EvtxFigures(files: files.count, events: events / max(1, rounds), megabytes: Double(files.reduce(0) { $0 + $1.count }) / 1e6,
                           readEventsPerSecond: Double(events) / max(read, 1e-9), mappedEventsPerSecond: Double(mapped) / max(map, 1e-9),
                           storedEventsPerSecond: all, storedOneCoreEventsPerSecond: one, cores: ProcessInfo.processInfo.activeProcessorCount)
    }
}
