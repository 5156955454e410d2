import Foundation
import Reports
import Testing
import KQL
import VigilApp
import VigilCore
import VigilStore

/// Three `vigil serve` processes on one workspace, the shared state in PostgreSQL; a digest period
/// is due as they start. SIGKILL the node running it once its first incidents are reported: another
/// node takes the period over when the lease (3 s, renewed while the run goes on) expires, and
/// finishes it. Every incident ends with one report comment and one queued message for the period.
@Suite(.serialized) struct MultiNodeDigestKillTests {
    static let n = 400

    /// The node whose pid the lease holder's name carries.
    static func node(_ holder: String, _ nodes: [Process]) -> Process? {
        nodes.first { holder.contains("-\($0.processIdentifier)-") }
    }

    struct Watch { var killed: Int32, recorded: Int, period: String, killedAt: Date }

    /// Waits for a node to hold a digest period with at least 3 incidents reported, and kills it; nil
    /// when the period was done first (a loaded machine can starve this watch).
    static func killRunner(_ store: LogStore, _ nodes: [Process]) throws -> Watch? {
        let started = Date(), leases = Leases(db: store.stateBackend)
        while Date().timeIntervalSince(started) < 60 {
            let held = try store.stateBackend.read { c in try c.rows("SELECT name, holder FROM lease WHERE name LIKE 'digest|%'") }
            if held.contains(where: { $0.string("holder") == Leases.done }) { return nil }
            for row in held {
                guard let name = row.string("name"), let holder = row.string("holder"), let p = node(holder, nodes) else { continue }
                let period = String(name.dropFirst("digest|".count))
                let recorded = try ReportDeliveries(store: store).reported(period: period).subtracting([""]).count
                // Still its lease (not expired and taken over while this watch looked elsewhere).
                guard recorded >= 3, let now = try leases.current(name), now.holder == holder,
                      now.expires > Int64(Date().timeIntervalSince1970 * 1e7) else { continue }
                kill(p.processIdentifier, SIGKILL)
                return recorded < n ? Watch(killed: p.processIdentifier, recorded: recorded, period: period, killedAt: Date()) : nil
            }
            usleep(1000)
        }
        return nil
    }

    /// A workspace with `n` scored incidents whose last digest was two hours ago, so that the hourly
    /// schedule's latest time is due at once.
    static func seeded() throws -> (String, LogStore) {
        let ws = try ServeProcessTests.workspace()
        try (try ThrowawayPostgres.stateYAML() + """
            server: {port: 0}
            detection: {enabled: false, leaseSeconds: 3}
            reports: {enabled: true, schedule: "0 * * * *", count: \(n), days: 7}
            notifications:
              channels: [{name: hook, type: webhook, url: "http://127.0.0.1:9/hook", secret: multi-node-digest}]
              baseDelaySeconds: 3600

            """).write(toFile: ws + "/vigil.yaml", atomically: true, encoding: .utf8)
        let store = try LogStore(workspace: Workspace.open(ws))
        let wall = Int64(Date().timeIntervalSince1970 * 1e7)
        try DigestKillTests.scoredIncidents(store, n, id: "mn-digest")
        try ReportDeliveries(store: store).record(period: "scheduled|" + ReportTime(wall - 2 * 3600 * Ticks.perSecond).iso, incidentID: "", now: wall)
        return (ws, store)
    }

    @Test func aNodeKilledMidDigestIsReplacedAndThePeriodCompletesOnce() async throws {
        // A loaded machine can let the run finish before the watch sees it: up to five workspaces.
        var cut: (ws: String, store: LogStore, nodes: [Process], watch: Watch)?
        for _ in 0..<5 where cut == nil {
            let (ws, store) = try Self.seeded()
            let nodes = try (0..<3).map { _ in try ServeProcessTests.serve(ws).0 }
            let watch = try await withCheckedThrowingContinuation { (c: CheckedContinuation<Watch?, any Error>) in
                Thread.detachNewThread { c.resume(with: Result { try Self.killRunner(store, nodes) }) }
            }
            if let watch { cut = (ws, store, nodes, watch) } else {
                for p in nodes where p.isRunning { p.terminate(); p.waitUntilExit() }
                try? FileManager.default.removeItem(atPath: ws)
            }
        }
        let (ws, store, nodes, watch) = try #require(cut, "the digest finished before it could be killed, five times")
        defer {
            for p in nodes where p.isRunning { p.terminate() }
            try? FileManager.default.removeItem(atPath: ws)
        }
        let leases = Leases(db: store.stateBackend), name = "digest|" + watch.period
        var takeover: Double?, finished: Double?
        while finished == nil, Date().timeIntervalSince(watch.killedAt) < 120 {
            let h = try leases.current(name)
            if takeover == nil, let h, h.holder != Leases.done, let p = Self.node(h.holder, nodes), p.processIdentifier != watch.killed {
                takeover = Date().timeIntervalSince(watch.killedAt)
            }
            if h?.holder == Leases.done { finished = Date().timeIntervalSince(watch.killedAt) } else { try await Task.sleep(for: .milliseconds(50)) }
        }
        for p in nodes where p.isRunning { p.terminate(); p.waitUntilExit() }
        let done = try #require(finished, "the period was not finished after the kill")
        // The lease (3 s) and a waiting node's poll (half of it), more on a loaded machine. Under the
        // whole suite's load a node can finish the rest between two looks: the period being done,
        // with every incident reported, is what shows another node took over.
        if let took = takeover { #expect(took < 3 + 1.5 + 3, "takeover took \(took) s with a 3 s lease") }

        let reported = try ReportDeliveries(store: store).reported(period: watch.period).subtracting([""])
        #expect(reported.count == Self.n, "\(reported.count) of \(Self.n) incidents reported for \(watch.period)")
        let all = try IncidentStore(store: store).all()
        #expect(all.count == Self.n)
        for inc in all {
            let comments = inc.comments.filter { $0.author == ReportBuilder.author }
            #expect(comments.count == 1, "incident \(inc.number): \(comments.count) report comments")
        }
        let messages = try OutboxStore(store: store).list(limit: 10 * Self.n)
        #expect(messages.count == Self.n && Set(messages.map(\.key)).count == Self.n, "\(messages.count) messages queued for \(Self.n) incidents")
        print("multi-node digest: killed after \(watch.recorded) of \(Self.n) incidents; another node held the period after "
              + "\(takeover.map { String(format: "%.2f", $0) } ?? "(not seen)") s and finished it after \(String(format: "%.2f", done)) s")
    }
}
