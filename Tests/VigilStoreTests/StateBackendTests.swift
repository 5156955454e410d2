import Foundation
import KQL
import Notifications
import Testing
import VigilCore
import VigilApp
import VigilStore

/// The state stores behave the same on both backends: the workspace's SQLite file and PostgreSQL
/// (a real server on loopback, `ThrowawayPostgres`).
@Suite struct StateBackendTests {
    enum Backend: String, CaseIterable, Sendable { case sqlite, postgres }

    func workspace(_ b: Backend) throws -> TestWorkspace {
        try TestWorkspace(b == .postgres ? try ThrowawayPostgres.stateYAML() : "state: sqlite\n")
    }

    static func incident(_ n: Int, alert: String) -> Incident {
        var inc = Incident(id: "inc-\(n)", number: n, title: "Incident \(n)", severity: .medium, createdTime: TestWorkspace.now)
        inc.alerts = [Incident.AlertRef(systemAlertID: alert, ruleID: "r1", name: "Rule 1", severity: .medium, tactics: [.credentialAccess],
                                        startTime: TestWorkspace.now, endTime: TestWorkspace.now, isAnomaly: false)]
        return inc
    }

    @Test(arguments: Backend.allCases) func incidentsVersionsAuditAndNumbers(_ b: Backend) throws {
        let ws = try workspace(b)
        let store = try ws.store()
        #expect(store.stateBackend.location.hasPrefix(b == .postgres ? "postgres://" : "sqlite:"))
        let incidents = IncidentStore(store: store)
        try incidents.save([Self.incident(1, alert: "a1"), Self.incident(2, alert: "a2")], actor: "producer", action: { _ in ("created", "new") }, now: TestWorkspace.now)
        #expect(try incidents.all().map(\.number) == [1, 2])
        #expect(try incidents.attached(["a1", "a2", "a3"]) == ["a1", "a2"])
        let (_, v1) = try #require(try incidents.versioned(number: 1))
        let changed = try incidents.modify(number: 1, actor: "analyst", now: TestWorkspace.now, ifVersion: v1) { inc in
            var x = inc; x.status = .active; return (x, "status", "Active")
        }
        #expect(changed?.0.status == .active && changed!.1 > v1)
        #expect(throws: StoreError.self) {
            try incidents.modify(number: 1, actor: "analyst", now: TestWorkspace.now, ifVersion: v1) { inc in (inc, "noop", "") }
        }
        #expect(try incidents.audit(incidentID: "inc-1").map(\.action) == ["created", "status"])
        #expect(try incidents.delete(number: 2, actor: "analyst", now: TestWorkspace.now))
        #expect(try incidents.nextNumber() == 3, "a deleted incident's number is not reused")
        #expect(try incidents.auditCount(actor: "producer", action: "created", since: 0) == 2)
        #expect(try incidents.auditTimes(actor: "analyst", action: "deleted", since: 0) == [TestWorkspace.now])
        #expect(try incidents.open(closedSince: 0).map(\.number) == [1])
        // Every change is also a SecurityIncident row in the log store.
        let q = QueryRunner(provider: store, now: TestWorkspace.now)
        guard case .success(let r, _) = q.run("SecurityIncident | count"), let t = r.first?.table else { Issue.record("query failed"); return }
        #expect(t.columns[0].value(at: 0) == .long(3))
    }

    @Test(arguments: Backend.allCases) func concurrentChangesAllLand(_ b: Backend) async throws {
        let ws = try workspace(b)
        let store = try ws.store()
        let incidents = IncidentStore(store: store)
        try incidents.save([Self.incident(1, alert: "a1")], actor: "producer", action: { _ in ("created", "") }, now: TestWorkspace.now)
        // Two writers (a second store, as a second node opens it) add comments at once: none is lost.
        let other = IncidentStore(store: try ws.store())
        try await withThrowingTaskGroup(of: Void.self) { g in
            for (w, s) in [incidents, other].enumerated() {
                g.addTask {
                    for i in 0..<15 {
                        try s.modify(number: 1, actor: "w\(w)", now: TestWorkspace.now) { inc in
                            var x = inc
                            x.comments.append(Incident.Comment(id: "w\(w)-\(i)", message: "comment \(i)", author: "w\(w)", createdTime: TestWorkspace.now))
                            return (x, "comment", "")
                        }
                    }
                }
            }
            try await g.waitForAll()
        }
        #expect(try incidents.get(number: 1)?.comments.count == 30)
    }

    /// A writer that read an incident, then saved its change after another writer's (the pipeline's
    /// triage after the digest's comment, as the multi-node test once lost one): with the incident
    /// it read as the base, both changes are kept; without, the later save overwrites.
    @Test(arguments: Backend.allCases) func aSaveFromAnOlderReadKeepsTheOtherWritersChanges(_ b: Backend) throws {
        let ws = try workspace(b)
        let incidents = IncidentStore(store: try ws.store())
        var first = Self.incident(1, alert: "a1")
        first.labels = [Incident.Label("Risk Score - 10", .autoAssigned), Incident.Label("keep", .user)]
        try incidents.save([first], actor: "producer", action: { _ in ("created", "") }, now: TestWorkspace.now)
        let read = try #require(try incidents.get(number: 1))
        // Another writer: a report comment, a tag, an owner.
        try incidents.modify(number: 1, actor: "digest", now: TestWorkspace.now) { inc in
            var x = inc
            x.comments.append(Incident.Comment(id: "report", message: "the report", author: "digest", createdTime: TestWorkspace.now))
            x.labels.append(Incident.Label("Vigil Report", .autoAssigned))
            x.owner.assignedTo = "analyst"
            return (x, "report", "")
        }
        // The first writer's change, made from what it read: a new score label, a comment, a status.
        var scored = read
        scored.labels.removeAll { $0.labelName.hasPrefix("Risk Score") }
        scored.labels.append(Incident.Label("Risk Score - 42", .autoAssigned))
        scored.comments.append(Incident.Comment(id: "triage", message: "evidence", author: "triage", createdTime: TestWorkspace.now))
        scored.status = .active
        try incidents.save([scored], actor: "triage", action: { _ in ("triage", "") }, now: TestWorkspace.now, bases: [read.id: read])
        let out = try #require(try incidents.get(number: 1))
        #expect(out.comments.map(\.id) == ["report", "triage"])
        #expect(out.labels.map(\.labelName) == ["keep", "Vigil Report", "Risk Score - 42"])
        #expect(out.owner.assignedTo == "analyst" && out.status == .active)
        // The SecurityIncident row of the save is the merged incident.
        guard case .success(let r, _) = QueryRunner(provider: try ws.store(), now: TestWorkspace.now)
            .run("SecurityIncident | where ModifiedBy == 'triage' | project Owner = tostring(Owner.assignedTo), n = array_length(Comments)"),
              let t = r.first?.table, t.count == 1 else { Issue.record("query failed"); return }
        #expect(t.row(0)[0] == .string("analyst"))
        // Without the base, the save overwrites: what the defect did.
        try incidents.save([scored], actor: "triage", action: { _ in ("triage", "") }, now: TestWorkspace.now)
        #expect(try incidents.get(number: 1)?.comments.map(\.id) == ["triage"])
    }

    @Test(arguments: Backend.allCases) func tokensOutboxRuleRunsAndDeliveries(_ b: Backend) throws {
        let ws = try workspace(b)
        let store = try ws.store()
        let tokens = TokenStore(store: store)
        let (secret, token) = try tokens.create(name: "ci", role: .responder, expires: nil, now: 1)
        #expect(throws: StoreError.self) { try tokens.create(name: "ci", role: .reader, expires: nil, now: 2) }
        #expect(try tokens.check(secret, now: 3) == .valid(token))
        #expect(try tokens.revoke("ci", now: 4))
        if case .revoked = try tokens.check(secret, now: 5) {} else { Issue.record("a revoked token still checks") }
        #expect(try tokens.list().map(\.name) == ["ci"])

        let outbox = OutboxStore(store: store)
        let m = OutboxMessage(key: "k1", channel: "soc", body: Data([0, 1, 2, 255]), created: 10)
        #expect(try outbox.enqueue([m, m]) == 1)
        let claimed = try outbox.claim(now: 20, lease: 100)
        #expect(claimed.map(\.key) == ["k1"] && claimed.first?.body == Data([0, 1, 2, 255]))
        #expect(try outbox.claim(now: 50, lease: 100).isEmpty, "a leased message is not claimed twice")
        var failed = claimed[0]; failed.state = .failed; failed.attempts = 12; failed.lastError = "HTTP 500"
        try outbox.update(failed)
        #expect(try outbox.counts() == [.failed: 1])
        #expect(try outbox.retryFailed(now: 60) == 1)
        #expect(try outbox.list(state: .pending).first?.attempts == 0)

        let runs = RuleRunLog(db: store.stateBackend)
        try runs.record([
            .init(ruleID: "r1", ruleName: "Rule 1", runTime: 100, windowStart: 0, windowEnd: 100, resultRows: 5, alerts: 1, durationMillis: 2.5, error: nil, backfill: false),
            .init(ruleID: "r1", ruleName: "Rule 1", runTime: 200, windowStart: 100, windowEnd: 200, resultRows: 0, alerts: 0, durationMillis: 1.5, error: "boom", backfill: true),
        ])
        let h = try #require(try runs.health().first)
        #expect(h.runs == 2 && h.failures == 1 && h.backfills == 1, "\(h)")
        #expect(h.resultRows == 5 && h.alerts == 1 && h.lastRun == 200 && h.lastError == "boom", "\(h)")
        #expect(abs(h.meanMillis - 2.0) < 1e-9 && h.maxMillis == 2.5)
        #expect(try runs.lastRuns() == ["r1": 200] && runs.lastAlerted() == ["r1": 100])
        #expect(try runs.results(since: 0).map(\.rows) == [5])

        let deliveries = ReportDeliveries(store: store)
        try deliveries.record(period: "weekly:2026-11-20", incidentID: "inc-1", now: 1)
        try deliveries.record(period: "weekly:2026-11-20", incidentID: "inc-1", now: 2)
        try deliveries.record(period: "weekly:2026-11-27", incidentID: "inc-2", now: 3)
        #expect(try deliveries.reported(period: "weekly:2026-11-20") == ["inc-1"])
        #expect(try deliveries.latest(prefix: "weekly:") == "weekly:2026-11-27")
    }
}

/// Leases decide which node runs the rules and each digest period: one holder at a time, renewed
/// by its holder, taken by another once expired, never again once done.
@Suite struct LeaseTests {
    @Test(arguments: StateBackendTests.Backend.allCases) func oneHolderUntilExpiryThenAnother(_ b: StateBackendTests.Backend) throws {
        let ws = try StateBackendTests().workspace(b)
        let leases = Leases(db: try ws.store().stateBackend)
        #expect(try leases.acquire("detection", holder: "a", now: 100, ttl: 10))
        #expect(try !leases.acquire("detection", holder: "b", now: 105, ttl: 10))
        #expect(try leases.acquire("detection", holder: "a", now: 108, ttl: 10), "the holder renews")
        #expect(try !leases.acquire("detection", holder: "b", now: 117, ttl: 10), "renewed until 118")
        #expect(try leases.acquire("detection", holder: "b", now: 118, ttl: 10), "expired: another takes it")
        #expect(try !leases.acquire("detection", holder: "a", now: 119, ttl: 10))
        try leases.release("detection", holder: "b")
        #expect(try leases.acquire("detection", holder: "a", now: 120, ttl: 10), "released: taken at once")
        #expect(try leases.acquire("digest|p1", holder: "a", now: 120, ttl: 10))
        try leases.complete("digest|p1", holder: "a")
        #expect(try !leases.acquire("digest|p1", holder: "b", now: 10_000, ttl: 10), "a done period is never taken again")
        #expect(try leases.current("digest|p1")?.holder == Leases.done)
    }

    @Test(arguments: StateBackendTests.Backend.allCases) func concurrentTakersGetOneLease(_ b: StateBackendTests.Backend) async throws {
        let ws = try StateBackendTests().workspace(b)
        // Separate stores, as separate nodes have: on PostgreSQL, separate connections.
        let nodes = try (0..<6).map { _ in Leases(db: try ws.store().stateBackend) }
        let won = try await withThrowingTaskGroup(of: Bool.self) { g in
            for (i, l) in nodes.enumerated() { g.addTask { try l.acquire("digest|p2", holder: "n\(i)", now: 1_000, ttl: 100) } }
            var n = 0
            for try await w in g where w { n += 1 }
            return n
        }
        #expect(won == 1)
    }
}
