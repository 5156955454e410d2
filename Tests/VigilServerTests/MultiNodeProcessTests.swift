import AsyncHTTPClient
import Foundation
import KQL
import NIOCore
import NIOHTTP1
import Testing
import Reports
import VigilApp
import VigilCore
import VigilStore

/// Three `vigil serve` processes on one workspace, the shared state in PostgreSQL: one node holds
/// the detection lease and runs the NRT rule; SIGKILL it mid-flow and another takes over. No rule
/// window is skipped or run twice (the windows chain end to start, and every acknowledged event is
/// counted by exactly one run), no alert is stored twice, and every acknowledged event is stored.
/// Meanwhile the digest runs every 2 seconds on whichever node takes each period: no period's
/// report is commented or posted twice.
@Suite(.serialized) struct MultiNodeProcessTests {
    static let rule = """
    id: 5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b
    name: Every sequenced event
    description: Counts what arrives, window by window.
    severity: Low
    kind: NRT
    tactics: [Discovery]
    query: |
      Seq_CL | where Seq > 0 | project Seq
    """

    struct Node { var process: Process; var port: Int }
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func startNode(_ ws: String) throws -> Node {
        let (p, port) = try ServeProcessTests.serve(ws)
        return Node(process: p, port: port)
    }

    static func count(_ store: LogStore, _ kql: String) throws -> [[Value]] {
        guard case .success(let r, _) = QueryRunner(provider: store, now: Int64(Date().timeIntervalSince1970 * 1e7)).run(kql), let t = r.first?.table else {
            throw Failure(description: "query failed: \(kql)")
        }
        return (0..<t.count).map { t.row($0) }
    }

    @Test func aKilledLeaderIsReplacedWithoutSkippedOrRepeatedWindows() async throws {
        let ws = try ServeProcessTests.workspace()
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let receiver = ReportDeliveryTests.Receiver(script: [:], secret: "multi-node-secret")
        let (channel, receiverPort) = try await ReportDeliveryTests.serve(receiver)
        defer { channel.close(promise: nil) }
        try (try ThrowawayPostgres.stateYAML() + """
            server: {port: 0}
            ingest: {sealRows: 2000, sealSeconds: 2}
            detection: {nrtSeconds: 1, leaseSeconds: 3}
            reports: {enabled: true, schedule: "*/2 * * * * *"}
            notifications:
              channels: [{name: hook, type: webhook, url: "\(receiver.url(receiverPort, "/hook"))", secret: multi-node-secret}]
              baseDelaySeconds: 1

            """).write(toFile: ws + "/vigil.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: ws + "/rules", withIntermediateDirectories: true)
        try Self.rule.write(toFile: ws + "/rules/seq.yaml", atomically: true, encoding: .utf8)
        // The table exists before the nodes load the rule (a rule over an unknown table is skipped).
        // The seed (Seq 0) is not counted: an NRT rule's first run looks back one period only.
        try "{\"Seq\": 0, \"TimeGenerated\": \"2026-11-23T10:00:00Z\"}\n".write(toFile: ws + "/seed.json", atomically: true, encoding: .utf8)
        let (c0, t0) = try await VigilProcess.run(["ingest", ws + "/seed.json", "--table", "Seq_CL", "--workspace", ws])
        try #require(c0 == 0, "\(t0)")
        let (c1, secret) = try await VigilProcess.run(["tokens", "create", "--workspace", ws, "--role", "contributor", "--name", "ingest"],
                                                      environment: ProcessInfo.processInfo.environment)
        try #require(c1 == 0, "\(secret)")
        let token = secret.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""

        // Two scored incidents for the digest.
        let store = try LogStore(workspace: Workspace.open(ws))
        let wall = Int64(Date().timeIntervalSince1970 * 1e7)
        let seeded = (1...2).map { n in
            var inc = Incident(id: "multi-node-\(n)", number: n, title: "Incident \(n)", severity: .high, createdTime: wall)
            inc.labels = [Incident.Label("Risk Score - \(40 + n)", .autoAssigned)]
            return inc
        }
        try IncidentStore(store: store).save(seeded, actor: "test", action: { _ in ("created", "") }, now: wall)

        let nodes = try (0..<3).map { _ in try Self.startNode(ws) }
        defer { for n in nodes where n.process.isRunning { n.process.terminate() } }
        let leases = Leases(db: store.stateBackend)
        func leader() throws -> Int32? {
            guard let h = try leases.current("detection"), h.expires > Int64(Date().timeIntervalSince1970 * 1e7) else { return nil }
            return nodes.first { h.holder.contains("-\($0.process.processIdentifier)-") }?.process.processIdentifier
        }
        var first: Int32?
        for _ in 0..<100 where first == nil { first = try leader(); if first == nil { try await Task.sleep(for: .milliseconds(100)) } }
        let killed = try #require(first, "no node took the detection lease")

        // Events go to the nodes that stay, for 12 s; the leader is killed 3 s in.
        let posters = nodes.filter { $0.process.processIdentifier != killed }
        let posting = Task { () throws -> Int in
            var acked = 0, seq = 1
            let started = Date()
            while Date().timeIntervalSince(started) < 12 {
                let n = posters[seq % posters.count]
                var req = HTTPClientRequest(url: "http://127.0.0.1:\(n.port)/api/ingest/Seq_CL")
                req.method = .POST
                req.headers.add(name: "Authorization", value: "Bearer " + token)
                req.headers.add(name: "Content-Type", value: "application/x-ndjson")
                req.body = .bytes(ByteBuffer(string: (seq..<(seq + 5)).map { "{\"Seq\":\($0),\"TimeGenerated\":\"2026-11-23T10:00:00Z\"}" }.joined(separator: "\n")))
                if try await HTTPClient.shared.execute(req, timeout: .seconds(30)).status.code < 300 { acked += 5 }
                seq += 5
                try await Task.sleep(for: .milliseconds(100))
            }
            return acked
        }
        try await Task.sleep(for: .seconds(3))
        kill(killed, SIGKILL)
        let killedAt = Date()
        // The takeover, polled on its own: the time until another node holds the lease.
        var takeover: Double?
        while takeover == nil, Date().timeIntervalSince(killedAt) < 30 {
            if let l = try leader(), l != killed { takeover = Date().timeIntervalSince(killedAt) } else { try await Task.sleep(for: .milliseconds(50)) }
        }
        let acked = try await posting.value
        // Let the new leader's NRT runs catch up, then stop the survivors cleanly.
        try await Task.sleep(for: .seconds(4))
        for n in nodes where n.process.isRunning { n.process.terminate(); n.process.waitUntilExit() }

        let takeoverSeconds = try #require(takeover, "no node took over from the killed leader")
        // The lease (3 s), then the next cycle of a surviving node (at most a second apart; more when
        // the machine is loaded, as under the whole test suite).
        #expect(takeoverSeconds < 3 + 3, "takeover took \(takeoverSeconds) s with a 3 s lease")
        let runs = try store.stateBackend.read { c in
            try c.rows("SELECT window_start, window_end, result_rows FROM rule_run WHERE error IS NULL ORDER BY window_end")
        }
        try #require(runs.count > 5)
        for (a, b) in zip(runs, runs.dropFirst()) {
            #expect(b.int64("window_start") == a.int64("window_end"), "a gap or an overlap between NRT windows")
        }
        let counted = runs.reduce(0) { $0 + ($1.int("result_rows") ?? 0) }
        let stored = try Self.count(store, "Seq_CL | where Seq > 0 | summarize n = count(), d = dcount(Seq)")
        #expect(stored.first == [.long(Int64(acked)), .long(Int64(acked))], "acknowledged \(acked), stored \(stored)")
        #expect(counted == acked, "the NRT runs counted \(counted) events of \(acked) acknowledged")
        let alerts = try Self.count(store, "SecurityAlert | summarize n = count(), d = dcount(SystemAlertId)")
        #expect(alerts.first?[0] == alerts.first?[1], "an alert stored twice: \(alerts)")
        // The digest: each period reported once per incident (the incidents the NRT rule raised are
        // reported too), each message posted once.
        let deliveries = try store.stateBackend.read { c in try c.rows("SELECT period, incident_id FROM report_delivery WHERE incident_id != ''") }
        let periods = Set(deliveries.compactMap { $0.string("period") })
        #expect(periods.count >= 4, "digest periods reported: \(periods.count)")
        for inc in try IncidentStore(store: store).all() {
            let reports = inc.comments.filter { $0.author == ReportBuilder.author }
            let delivered = deliveries.filter { $0.string("incident_id") == inc.id }.count
            #expect(reports.count == delivered && Set(reports.map(\.id)).count == reports.count,
                    "incident \(inc.number): \(reports.count) report comments for \(delivered) periods")
        }
        #expect(deliveries.filter { $0.string("incident_id") == "multi-node-1" }.count >= 4)
        let posted = receiver.requests("/hook").filter { $0.status == 200 }.compactMap { r in
            (try? JSONSerialization.jsonObject(with: r.body) as? [String: Any])?["deliveryId"] as? String
        }
        #expect(Set(posted).count == posted.count, "a digest message posted twice")
        #expect(posted.count <= deliveries.count)
        print("multi-node: \(periods.count) digest periods, \(posted.count) messages posted")
        print("multi-node: takeover \(String(format: "%.2f", takeoverSeconds)) s, \(runs.count) NRT runs, \(acked) events, alerts \(alerts)")
    }
}
