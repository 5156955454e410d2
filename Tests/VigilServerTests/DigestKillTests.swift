import Foundation
import Reports
import Testing
import VigilCore
import VigilStore

/// The riskiest-incidents digest is crash-safe: `vigil report risky` killed with SIGKILL part-way
/// through a period's incidents, then run again for the same period, leaves exactly one report
/// comment per incident, one queued message per incident and channel, and every incident recorded
/// as reported for the period (the comment's id, the message's key and the record all derive from
/// the period and the incident).
@Suite(.serialized) struct DigestKillTests {
    static let n = 400
    static let period = "kill-test"

    /// A workspace with `n` scored incidents and a webhook channel.
    static func seeded() throws -> (String, LogStore) {
        let ws = try ServeProcessTests.workspace()
        try """
            notifications:
              channels: [{name: hook, type: webhook, url: "http://127.0.0.1:9/hook", secret: digest-kill}]

            """.write(toFile: ws + "/vigil.yaml", atomically: true, encoding: .utf8)
        let store = try LogStore(workspace: Workspace.open(ws))
        try scoredIncidents(store, n, id: "digest-kill")
        return (ws, store)
    }

    /// `n` incidents with risk scores, stored.
    static func scoredIncidents(_ store: LogStore, _ n: Int, id: String) throws {
        let wall = Int64(Date().timeIntervalSince1970 * 1e7)
        let incidents = (1...n).map { k in
            var inc = Incident(id: "\(id)-\(k)", number: k, title: "Incident \(k)", severity: .high, createdTime: wall)
            inc.labels = [Incident.Label("Risk Score - \(20 + k % 50)", .autoAssigned)]
            return inc
        }
        try IncidentStore(store: store).save(incidents, actor: "test", action: { _ in ("created", "") }, now: wall)
    }

    static func args(_ ws: String) -> [String] {
        ["report", "risky", "--workspace", ws, "--count", "\(n)", "--days", "7", "--min-score", "0", "--period", period, "--no-send"]
    }

    /// Runs the digest and SIGKILLs it once its first incidents are recorded; the number recorded
    /// then, or nil when it finished first. The watch runs on a thread of its own: the test pool's
    /// threads can be busy with other suites for longer than the whole run takes.
    static func runAndKill(_ ws: String, _ store: LogStore) throws -> Int? {
        let p = Process()
        p.executableURL = ServeProcessTests.vigilBinary
        p.arguments = args(ws)
        p.environment = ProcessInfo.processInfo.environment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deliveries = ReportDeliveries(store: store)
        var killed = false
        while p.isRunning && !killed {
            if try deliveries.reported(period: period).count >= 3 { kill(p.processIdentifier, SIGKILL); killed = true } else { usleep(500) }
        }
        p.waitUntilExit()
        let recorded = try deliveries.reported(period: period).subtracting([""]).count
        return killed && recorded < n ? recorded : nil
    }

    @Test func aDigestKilledMidPeriodCompletesWithoutRepeatsWhenRunAgain() async throws {
        // A loaded machine can let the run finish before the watch sees it: up to three workspaces.
        var cut: (ws: String, store: LogStore, recorded: Int)?
        for _ in 0..<3 where cut == nil {
            let (ws, store) = try Self.seeded()
            let recorded = try await withCheckedThrowingContinuation { (c: CheckedContinuation<Int?, any Error>) in
                Thread.detachNewThread { c.resume(with: Result { try Self.runAndKill(ws, store) }) }
            }
            if let recorded { cut = (ws, store, recorded) } else { try? FileManager.default.removeItem(atPath: ws) }
        }
        let (ws, store, recorded) = try #require(cut, "the digest finished before it could be killed, three times")
        defer { try? FileManager.default.removeItem(atPath: ws) }

        let (code, out) = try await VigilProcess.run(Self.args(ws), environment: ProcessInfo.processInfo.environment)
        #expect(code == 0, "\(out)")
        let all = try IncidentStore(store: store).all()
        #expect(all.count == Self.n)
        for inc in all {
            #expect(inc.comments.filter { $0.author == ReportBuilder.author }.count == 1, "incident \(inc.number): \(inc.comments.count) comments")
        }
        let messages = try OutboxStore(store: store).list(limit: 10 * Self.n)
        #expect(messages.count == Self.n && Set(messages.map(\.key)).count == Self.n, "\(messages.count) messages queued for \(Self.n) incidents")
        #expect(try ReportDeliveries(store: store).reported(period: Self.period).subtracting([""]).count == Self.n)
        print("digest kill: killed after \(recorded) of \(Self.n) incidents; the second run completed the period")
    }
}
