import Agents
import Foundation
import KQL
import Testing
import VigilApp
import VigilCore
import VigilStore

/// The budget of automatic closures defers, it does not condemn: a closure the day's budget turned
/// into a flag is reviewed again when a later day's budget allows (once per day's budget, not every
/// cycle), unless an analyst has taken the incident.
@Suite struct ReviewBudgetTests {
    static let day: Int64 = 864_000_000_000
    /// A policy that closes lone low alerts, one a day.
    static let oneClosureADay = """
        version: 1
        autoClosePerDay: 1
        autoCloseGrowth: 0
        rules:
          - name: Lone low alert
            when: {all: [{field: alertCount, op: eq, value: 1}, {field: severityRank, op: le, value: 1}]}
            then: {action: autoClose, classification: BenignPositive, comment: "A lone low alert."}
        """

    @Test func aClosureTheBudgetDeferredIsReviewedAgainOnALaterDay() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        try FileManager.default.createDirectory(atPath: ws.path + "/policies", withIntermediateDirectories: true)
        try Self.oneClosureADay.write(toFile: ws.path + "/policies/review.yaml", atomically: true, encoding: .utf8)
        let t0 = TestWorkspace.now
        let incidents = IncidentStore(store: store)
        let drafts = (1...4).map { n -> Incident in
            var inc = Incident(id: "inc-\(n)", number: n, title: "low \(n)", severity: .low, createdTime: t0)
            inc.alerts = [Incident.AlertRef(systemAlertID: "a\(n)", ruleID: "r", name: "low", severity: .low, tactics: [], startTime: t0, endTime: t0, isAnomaly: false)]
            inc.entities = [Entity(type: .account, properties: ["FullName": "CONTOSO\\user\(n)"])]
            return inc
        }
        try incidents.save(drafts, actor: "producer-agent", action: { _ in ("created", "") }, now: t0)
        let pipeline = IncidentPipeline(store: store, rules: [])
        try pipeline.review(drafts, now: t0)
        func state() throws -> [(Incident.Status, Bool, Int)] {
            try incidents.all().map { ($0.status, ReviewerAgent.awaitsBudget($0), $0.comments.count) }
        }
        #expect(try state().map(\.0) == [.closed, .new, .new, .new])
        #expect(try state().map(\.1) == [false, true, true, true])
        #expect(try incidents.all()[1].review?.reasons.last?.contains("reviewed again when a later day's budget allows") == true)
        // An analyst takes incident 4: it is theirs now.
        var taken = try #require(try incidents.all().last)
        taken.owner = Incident.Owner(assignedTo: "alice")
        taken.lastModifiedTime = t0 + 1
        try incidents.save([taken], actor: "alice", action: { _ in ("update", "owner") }, now: t0 + 1)
        func cycle(_ at: Int64) throws {
            try pipeline.review([], waiting: try incidents.open(closedSince: at).filter(ReviewerAgent.awaitsBudget), now: at)
        }
        // Later the same day the budget is spent: nothing is reviewed again, no comment is added.
        let before = try state().map(\.2)
        try cycle(t0 + 3_600 * 10_000_000)
        #expect(try state().map(\.2) == before)
        // The next days: one more each, oldest first; the analyst's incident is left alone.
        try cycle(t0 + Self.day + 60 * 10_000_000)
        #expect(try state().map(\.0) == [.closed, .closed, .new, .new])
        try cycle(t0 + 2 * Self.day + 60 * 10_000_000)
        #expect(try state().map(\.0) == [.closed, .closed, .closed, .new])
        try cycle(t0 + 3 * Self.day + 60 * 10_000_000)
        #expect(try state().map(\.0) == [.closed, .closed, .closed, .new])
        #expect(try incidents.all()[3].owner.assignedTo == "alice")
    }
}
