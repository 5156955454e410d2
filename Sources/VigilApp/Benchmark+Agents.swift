import Agents
import Foundation
import KQL
import VigilCore

extension Benchmark {
    /// The agents on synthetic alerts: `count` alerts of 60 rules over a week, on 2,000 accounts,
    /// 500 hosts and 1,000 addresses (some attacker addresses and hosts recur across rules, so
    /// correlation has work to do), turned into incidents and reviewed under the default policy.
    public static func runAgents(count: Int) throws -> (produce: Double, review: Double, incidents: Int, outcomes: [String: Int]) {
        var seed: UInt64 = 7
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        let t0 = DateTimeParser.parse("2024-06-01T00:00:00Z")!
        let tactics = MitreTactic.allCases
        var alerts: [AlertRecord] = []
        for i in 0..<count {
            let t = t0 + Int64(next(7 * 24 * 60)) * Ticks.perMinute
            var entities = [Entity(type: .account, properties: ["FullName": "user\(next(2000))@contoso.com"])]
            if next(2) == 0 { entities.append(Entity(type: .host, properties: ["FullName": "WS-\(next(500)).corp.contoso.com"])) }
            if next(2) == 0 { entities.append(Entity(type: .ip, properties: ["Address": "203.0.\(next(4)).\(next(250))"])) }
            let rule = next(60)
            alerts.append(AlertRecord(systemAlertID: "alert-\(i)", ruleID: "rule-\(rule)", name: "Rule \(rule)",
                                      severity: Severity.allCases[rule % 4], tactics: [tactics[rule % tactics.count]],
                                      startTime: t, endTime: t, time: t, entities: entities, anomalyScore: rule >= 55 ? 0.8 : nil))
        }
        let now = t0 + 8 * Ticks.perDay
        let s0 = DispatchTime.now().uptimeNanoseconds
        let produced = ProducerAgent().produce(alerts, existing: [], rules: [:], nextNumber: 1, now: now)
        let s1 = DispatchTime.now().uptimeNanoseconds
        let reviewer = ReviewerAgent(policy: try ReviewPolicy.parse(ReviewPolicy.defaultText))
        var outcomes: [String: Int] = [:]
        var closed = 0
        for inc in produced.incidents {
            let r = reviewer.review(inc, now: now, closedToday: closed)
            if r.outcome == .autoClose { closed += 1 }
            _ = reviewer.apply(r, to: inc, now: now)
            outcomes[r.outcome.rawValue, default: 0] += 1
        }
        let s2 = DispatchTime.now().uptimeNanoseconds
        return (Double(s1 - s0) / 1e9, Double(s2 - s1) / 1e9, produced.incidents.count, outcomes)
    }
}
