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
    @Test func aDigestKilledMidPeriodCompletesWithoutRepeatsWhenRunAgain() async throws {
        let ws = try ServeProcessTests.workspace()
        defer { try? FileManager.default.removeItem(atPath: ws) }
        try """
            notifications:
              channels: [{name: hook, type: webhook, url: "http://127.0.0.1:9/hook", secret: digest-kill}]

            """.write(toFile: ws + "/vigil.yaml", atomically: true, encoding: .utf8)
        let store = try LogStore(workspace: Workspace.open(ws))
        let wall = Int64(Date().timeIntervalSince1970 * 1e7)
        let n = 400
        let seeded = (1...n).map { k in
            var inc = Incident(id: "digest-kill-\(k)", number: k, title: "Incident \(k)", severity: .high, createdTime: wall)
            inc.labels = [Incident.Label("Risk Score - \(20 + k % 50)", .autoAssigned)]
            return inc
        }
        try IncidentStore(store: store).save(seeded, actor: "test", action: { _ in ("created", "") }, now: wall)

        let args = ["report", "risky", "--workspace", ws, "--count", "\(n)", "--days", "7", "--min-score", "0", "--period", "kill-test", "--no-send"]
        let p = Process()
        p.executableURL = ServeProcessTests.vigilBinary
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Killed as soon as the first incidents are recorded: the others are mid-flight or not begun.
        let deliveries = ReportDeliveries(store: store)
        var killed = false
        while p.isRunning && !killed {
            if try deliveries.reported(period: "kill-test").count >= 3 { kill(p.processIdentifier, SIGKILL); killed = true } else { try await Task.sleep(for: .milliseconds(2)) }
        }
        p.waitUntilExit()
        let partial = try deliveries.reported(period: "kill-test").subtracting([""]).count
        try #require(killed && partial < n, "the run ended before it was killed (\(partial) of \(n) recorded)")

        let (code, out) = try await VigilProcess.run(args, environment: ProcessInfo.processInfo.environment)
        #expect(code == 0, "\(out)")
        let all = try IncidentStore(store: store).all()
        #expect(all.count == n)
        for inc in all {
            #expect(inc.comments.filter { $0.author == ReportBuilder.author }.count == 1, "incident \(inc.number): \(inc.comments.count) comments")
        }
        let messages = try OutboxStore(store: store).list(limit: 10 * n)
        #expect(messages.count == n && Set(messages.map(\.key)).count == n, "\(messages.count) messages queued for \(n) incidents")
        #expect(try deliveries.reported(period: "kill-test").subtracting([""]).count == n)
        print("digest kill: killed after \(partial) of \(n) incidents; the second run completed the period")
    }
}
