import AsyncHTTPClient
import Foundation
import KQL
import NIOCore
import NIOHTTP1
import Testing
import VigilStore

/// `vigil serve` as a real child process: what HTTP acknowledged survives `kill -9`, and SIGTERM
/// shuts down cleanly with everything sealed.
@Suite(.serialized) struct ServeProcessTests {
    static var vigilBinary: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments.first { $0.contains(".xctest") } ?? CommandLine.arguments[0])
        var dir = bundle.deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("vigil").path) {
            dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug").standardized
        }
        return dir.appendingPathComponent("vigil")
    }

    /// Starts `vigil serve` on a free port; returns the process, the port from its first line, and an
    /// ingest token made with `vigil tokens create`.
    static func start(_ workspace: String) throws -> (Process, Int, String) {
        try "server:\n  port: 0\ningest:\n  sealRows: 3000\n".write(toFile: workspace + "/vigil.yaml", atomically: true, encoding: .utf8)
        let mint = Process()
        mint.executableURL = vigilBinary
        mint.arguments = ["tokens", "create", "--workspace", workspace, "--role", "contributor", "--name", "ingest"]
        let secret = Pipe()
        mint.standardOutput = secret
        mint.standardError = FileHandle.nullDevice
        try mint.run()
        let token = String(decoding: secret.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        mint.waitUntilExit()
        let (p, port) = try serve(workspace)
        return (p, port, token)
    }

    /// `vigil serve --workspace` as a child process; its port from the first line it prints.
    static func serve(_ workspace: String) throws -> (Process, Int) {
        let p = Process()
        p.executableURL = vigilBinary
        p.arguments = ["serve", "--workspace", workspace]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var line = Data()
        while !line.contains(10) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let r = text.range(of: "127.0.0.1:"), let port = Int(text[r.upperBound...].prefix { $0.isNumber }) else {
            p.terminate()
            throw CancellationError()
        }
        return (p, port)
    }

    static func batch(_ start: Int, _ n: Int) -> String {
        (start..<(start + n)).map { "{\"Seq\":\($0),\"TimeGenerated\":\"2026-11-23T10:00:00Z\",\"Host\":\"h\($0 % 7)\"}" }.joined(separator: "\n")
    }

    static func post(_ port: Int, _ body: String, token: String) async throws -> Int {
        var req = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/ingest/Seq_CL")
        req.method = .POST
        req.headers.add(name: "Authorization", value: "Bearer " + token)
        req.headers.add(name: "Content-Type", value: "application/x-ndjson")
        req.body = .bytes(ByteBuffer(string: body))
        return Int(try await HTTPClient.shared.execute(req, timeout: .seconds(30)).status.code)
    }

    static func workspace() throws -> String {
        let path = NSTemporaryDirectory() + "vigil-proc-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func acknowledgedHTTPBatchesSurviveKill9() async throws {
        let ws = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let (p, port, token) = try Self.start(ws)
        let batch = 500
        var acked = 0
        // Keep posting from a second task; kill while requests are in flight.
        let poster = Task {
            var n = 0
            while !Task.isCancelled {
                guard let status = try? await Self.post(port, Self.batch(n, batch), token: token), status == 200 else { break }
                n += batch
            }
            return n
        }
        while acked < 20 * batch {
            try await Task.sleep(for: .milliseconds(20))
            acked = try LogStore(workspace: Workspace.open(ws)).tableInfos().first { $0.name == "Seq_CL" }?.rows ?? 0
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let ackedByHTTP = await poster.value
        let store = try LogStore(workspace: Workspace.open(ws))
        let t = try store.scan("Seq_CL", request: ScanRequest(columns: ["Seq"]))
        guard case .int64(let seqs) = t.columns[0].data else { Issue.record("Seq is not long"); return }
        #expect(Set(seqs).count == seqs.count, "duplicated rows")
        #expect(seqs.count >= ackedByHTTP, "an acknowledged batch was lost")
        #expect(seqs.count <= ackedByHTTP + batch)
        #expect(Set(seqs) == Set(0..<Int64(seqs.count)))
    }

    @Test func sigtermShutsDownCleanlyWithEverythingSealed() async throws {
        let ws = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let (p, port, token) = try Self.start(ws)
        #expect(token.hasPrefix("vgl_"))
        #expect(try await Self.post(port, Self.batch(0, 100), token: "vgl_00000000_wrong") == 401)
        #expect(try await Self.post(port, Self.batch(0, 100), token: token) == 200)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit)
        #expect(p.terminationStatus == 0)
        let store = try LogStore(workspace: Workspace.open(ws))
        #expect(store.pendingRows == 0)
        #expect(store.tableInfos().first { $0.name == "Seq_CL" }?.rows == 100)
    }
}

/// Runs the `vigil` binary as a user would: its exit status and its output and errors together. The
/// waiting happens on a thread of its own: a test that blocks Swift's cooperative threads while the
/// child talks to a server in this process would starve that server (2 cores, 2 threads).
enum VigilProcess {
    static func run(_ args: [String], environment: [String: String] = [:], in directory: String? = nil) async throws -> (Int32, String) {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<(Int32, String), any Error>) in
            Thread.detachNewThread {
                do { c.resume(returning: try runBlocking(args, environment: environment, in: directory)) } catch { c.resume(throwing: error) }
            }
        }
    }

    static func runBlocking(_ args: [String], environment: [String: String], in directory: String?) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = ServeProcessTests.vigilBinary
        p.arguments = args
        p.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }
}
