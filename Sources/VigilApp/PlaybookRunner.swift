public import Agents
import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
public import VigilCore

/// Runs a playbook: a webhook receives, or a local command reads on its standard input, the incident
/// and its entities as JSON; both are bounded by the playbook's timeout. The outcome says what
/// happened in words fit for the incident's comments. `runBlocking` is for synchronous callers (the
/// pipeline): it waits on NIO futures and threads, never on the Swift concurrency pool, so it cannot
/// starve it even when called from it.
public struct PlaybookRunner: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var playbook: String
        public var succeeded: Bool
        public var detail: String
    }

    public init() {}

    public static func payload(_ inc: Incident, playbook: String) -> Data {
        struct Body: Encodable { var playbook: String; var incident: Incident }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return (try? e.encode(Body(playbook: playbook, incident: inc))) ?? Data("{}".utf8)
    }

    /// For async callers: `runBlocking` on a thread of its own.
    public func run(_ p: AutomationRules.Playbook, incident: Incident) async -> Outcome {
        await withCheckedContinuation { (c: CheckedContinuation<Outcome, Never>) in
            Thread.detachNewThread { c.resume(returning: runBlocking(p, incident: incident)) }
        }
    }

    public func runBlocking(_ p: AutomationRules.Playbook, incident: Incident) -> Outcome {
        let body = Self.payload(incident, playbook: p.name)
        switch p.target {
        case .webhook(let url):
            do {
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "User-Agent", value: "Vigil playbook runner")
                let req = try HTTPClient.Request(url: url, method: .POST, headers: headers, body: .bytes(Array(body)))
                let resp = try HTTPClient.shared.execute(request: req, deadline: .now() + .seconds(Int64(p.timeoutSeconds))).wait()
                return Self.outcome(p.name, status: resp.status, text: resp.body.map { String(buffer: $0) } ?? "")
            } catch {
                return Outcome(playbook: p.name, succeeded: false, detail: "the webhook failed: \(error)")
            }
        case .command(let argv):
            return Self.command(argv, input: body, timeout: p.timeoutSeconds, name: p.name)
        }
    }

    static func outcome(_ name: String, status: HTTPResponseStatus, text: String) -> Outcome {
        let ok = (200..<300).contains(Int(status.code))
        return Outcome(playbook: name, succeeded: ok, detail: "HTTP \(status.code)" + (text.isEmpty ? "" : ": " + String(text.prefix(300))))
    }

    /// Runs a command to its end or its timeout, on the calling thread.
    static func command(_ argv: [String], input: Data, timeout: Int, name: String) -> Outcome {
        let proc = Process()
        proc.executableURL = URL(fileURLWithPath: argv[0])
        proc.arguments = Array(argv.dropFirst())
        let stdin = Pipe(), stdout = Pipe()
        proc.standardInput = stdin
        proc.standardOutput = stdout
        proc.standardError = stdout
        do { try proc.run() } catch {
            return Outcome(playbook: name, succeeded: false, detail: "cannot start \(argv[0]): \(error.localizedDescription)")
        }
        // The input is written from its own thread, errors ignored: a command may exit without reading
        // it (EPIPE must not take Vigil down), or neither read nor exit (it must not hold the runner
        // past its timeout).
        signal(SIGPIPE, SIG_IGN)
        let writer = stdin.fileHandleForWriting
        Thread.detachNewThread {
            try? writer.write(contentsOf: input)
            try? writer.close()
        }
        // Output is read as it comes: a command that prints more than a pipe holds would otherwise
        // block and look like a timeout.
        let output = OutputBox()
        let reader = stdout.fileHandleForReading
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            output.data = reader.readDataToEndOfFile()
            drained.signal()
        }
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        while proc.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if proc.isRunning {
            // SIGKILL: a playbook past its time gets no chance to keep going.
            kill(proc.processIdentifier, SIGKILL)
            proc.waitUntilExit()
            return Outcome(playbook: name, succeeded: false, detail: "timed out after \(timeout) s and was stopped")
        }
        // The reader ends at end of file; a grandchild holding the pipe open gets a second.
        _ = drained.wait(timeout: .now() + 1)
        let out = String(decoding: output.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Outcome(playbook: name, succeeded: proc.terminationStatus == 0,
                       detail: "exit status \(proc.terminationStatus)" + (out.isEmpty ? "" : ": " + String(out.prefix(300))))
    }
}

/// The output a command playbook printed, filled by its reader thread.
final class OutputBox: @unchecked Sendable {
    var data = Data()
}
