import AsyncHTTPClient
import Foundation
import KQL
import Logging
import NIOCore
import NIOHTTP1
import VigilCore
import VigilStore

extension Benchmark {
    public struct APIFigures: Sendable {
        public var requests: Int
        public var clients: Int
        public var seconds: Double
        public var p50Millis: Double
        public var p99Millis: Double
        /// Status → count.
        public var statuses: [Int: Int]
        public var commentsAcknowledged: Int
        public var commentsStored: Int
        public var rowsAcknowledged: Int
        public var rowsStored: Int
        public var requestsPerSecond: Double { Double(requests) / seconds }
    }

    /// A load test of `vigil serve` on loopback: `clients` concurrent clients send `requests`
    /// requests in all (half reads of the queue and of incidents, a quarter comments, a quarter
    /// ingest batches of 20 rows), with tokens; then checks that every acknowledged write is stored.
    /// `state`: the shared state's location (`sqlite`, or a PostgreSQL URL).
    public static func runAPI(requests: Int, clients: Int, state: String = "sqlite") async throws -> APIFigures {
        let path = NSTemporaryDirectory() + "vigil-bench-api-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try "state: \"\(state)\"\nserver:\n  port: 0\ndetection:\n  enabled: false\nreports:\n  enabled: false\n"
            .write(toFile: path + "/vigil.yaml", atomically: true, encoding: .utf8)
        let store = try LogStore(workspace: Workspace.open(path))
        let now = DateTimeParser.parse("2024-06-30T00:00:00Z")!
        _ = try seedIncidents(store, count: 100, now: now)
        let token = try TokenStore(store: store).create(name: "load", role: .contributor, expires: nil, now: now).secret
        var logger = Logger(label: "bench-api")
        logger.logLevel = .error
        let runner = ServeRunner(store: store, logger: logger)
        let started = AsyncStream<ServeRunner.Started>.makeStream()
        let server = Task { try await runner.run(onRunning: { started.continuation.yield($0) }, signals: false) }
        var running: ServeRunner.Started?
        for await s in started.stream { running = s; break }
        guard let r = running else { throw ValidationFailure(message: "the server did not start") }
        let base = "http://127.0.0.1:\(r.port)"

        struct Tally: Sendable { var latencies: [Double] = []; var statuses: [Int: Int] = [:]; var comments = 0; var rows = 0 }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let tallies = try await withThrowingTaskGroup(of: Tally.self) { group in
            for c in 0..<clients {
                group.addTask {
                    var t = Tally()
                    var i = c
                    while i < requests {
                        var req: HTTPClientRequest
                        var rows = 0, comment = false
                        switch i % 4 {
                        case 0: req = HTTPClientRequest(url: base + "/api/incidents?$top=50")
                        case 1: req = HTTPClientRequest(url: base + "/api/incidents/\(1 + i % 100)")
                        case 2:
                            req = HTTPClientRequest(url: base + "/api/incidents/\(1 + i % 10)/comments")
                            req.method = .POST
                            req.body = .bytes(ByteBuffer(string: "{\"properties\":{\"message\":\"load \(i)\"}}"))
                            comment = true
                        default:
                            req = HTTPClientRequest(url: base + "/api/ingest/Load_CL")
                            req.method = .POST
                            rows = 20
                            req.body = .bytes(ByteBuffer(string: (0..<rows).map { "{\"TimeGenerated\":\"2024-06-29T00:00:00Z\",\"Seq\":\(i * 100 + $0)}" }.joined(separator: "\n")))
                        }
                        req.headers.add(name: "Authorization", value: "Bearer " + token)
                        req.headers.add(name: "Content-Type", value: "application/json")
                        let s0 = DispatchTime.now().uptimeNanoseconds
                        let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(60))
                        _ = try await resp.body.collect(upTo: 16 << 20)
                        t.latencies.append(Double(DispatchTime.now().uptimeNanoseconds - s0) / 1e6)
                        let code = Int(resp.status.code)
                        t.statuses[code, default: 0] += 1
                        if (200..<300).contains(code) { if comment { t.comments += 1 }; t.rows += rows }
                        i += clients
                    }
                    return t
                }
            }
            var all = Tally()
            for try await t in group {
                all.latencies += t.latencies; all.comments += t.comments; all.rows += t.rows
                for (k, v) in t.statuses { all.statuses[k, default: 0] += v }
            }
            return all
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        await r.shutdown()
        _ = await server.result
        let reopened = try LogStore(workspace: Workspace.open(path))
        let stored = try IncidentStore(store: reopened).all().reduce(0) { $0 + $1.comments.filter { $0.message.hasPrefix("load ") }.count }
        let rows = reopened.tableInfos().first { $0.name == "Load_CL" }?.rows ?? 0
        let sorted = tallies.latencies.sorted()
        func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return APIFigures(requests: sorted.count, clients: clients, seconds: seconds, p50Millis: pct(0.5), p99Millis: pct(0.99), statuses: tallies.statuses,
                          commentsAcknowledged: tallies.comments, commentsStored: stored, rowsAcknowledged: tallies.rows, rowsStored: rows)
    }
}
