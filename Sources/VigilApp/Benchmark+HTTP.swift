import AsyncHTTPClient
public import Foundation
public import KQL
import Logging
import NIOCore
import NIOHTTP1
import VigilCore
import VigilStore

extension Benchmark {
    /// HTTP ingest throughput: `vigil serve` on loopback in a scratch workspace, `clients` concurrent
    /// connections POSTing JSON-lines bodies of `batchRows` SecurityEvent rows; rows/s from the first
    /// request to the last acknowledgement (each acknowledged only once durable).
    public func runHTTPIngest(workspace: String, source: Table, rows: Int, batchRows: Int = 5000, clients: Int = 4) async throws -> (rows: Int, seconds: Double) {
        try? FileManager.default.removeItem(atPath: workspace)
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try "server:\n  port: 0\n".write(toFile: workspace + "/vigil.yaml", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let store = try LogStore(workspace: Workspace.open(workspace))
        // The server requires a token (`server.auth: tokens`, the default), as it does in production.
        let token = try TokenStore(store: store).create(name: "bench-ingest", role: .contributor, expires: nil, now: Int64(Date().timeIntervalSince1970 * 1e7)).secret
        // Bodies rendered up front: the generator measures the server, not JSON encoding.
        let n = min(rows, source.count)
        var rendered: [ByteBuffer] = []
        var at = 0
        while at < n {
            let slice = source.slice(at..<min(n, at + batchRows))
            rendered.append(ByteBuffer(string: ResultFormatter.render([ResultTable(name: "t", table: slice)], as: .ndjson)))
            at += batchRows
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let runner = ServeRunner(store: store, logger: logger)
        let started = AsyncStream<ServeRunner.Started>.makeStream()
        let server = Task { try await runner.run(onRunning: { started.continuation.yield($0) }, signals: false) }
        var handle: ServeRunner.Started?
        for await s in started.stream { handle = s; break }
        guard let handle else { throw ValidationFailure(message: "server did not start") }
        let url = "http://127.0.0.1:\(handle.port)/api/ingest/SecurityEvent"
        let bodies = rendered
        let t0 = DispatchTime.now().uptimeNanoseconds
        let accepted = try await withThrowingTaskGroup(of: Int.self) { group in
            for c in 0..<clients {
                group.addTask {
                    var total = 0
                    var i = c
                    while i < bodies.count {
                        var req = HTTPClientRequest(url: url)
                        req.method = .POST
                        req.headers.add(name: "Content-Type", value: "application/x-ndjson")
                        req.headers.add(name: "Authorization", value: "Bearer " + token)
                        req.body = .bytes(bodies[i])
                        let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(120))
                        let body = try await resp.body.collect(upTo: 1 << 20)
                        if resp.status == .serviceUnavailable { try await Task.sleep(for: .milliseconds(50)); continue }
                        guard resp.status == .ok else { throw ValidationFailure(message: "ingest answered \(resp.status): \(String(buffer: body))") }
                        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
                        total += json?["accepted"] as? Int ?? 0
                        i += clients
                    }
                    return total
                }
            }
            return try await group.reduce(0, +)
        }
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        await handle.shutdown()
        _ = await server.result
        log(String(format: "http ingest: %d rows in %.2fs (%.0f rows/s), %d clients, %d-row bodies", accepted, secs, Double(accepted) / secs, clients, batchRows))
        return (accepted, secs)
    }
}
