public import Agents
public import Foundation
import KQL
public import VigilCore

/// `vigil policy test`: a review policy judged again over the incidents of a span, as the drafts the
/// producer made, with the daily budget counted as it would have been; and, given a ground-truth file
/// (gen.py's `ground_truth.json`), which labelled attacks stayed open.
public struct PolicyBacktest {
    /// A labelled attack: the entity keys its scenario names and its time span.
    public struct Attack: Sendable, Equatable {
        public var name: String
        public var technique: String
        public var keys: Set<String>
        public var from: Int64
        public var to: Int64
    }

    public struct Verdict: Sendable {
        public var incident: Incident
        public var review: Incident.Review
        public var open: Bool { review.outcome != .autoClose }
    }

    public struct Outcome: Sendable {
        public var verdicts: [Verdict]
        /// Each attack with the numbers of the incidents that hold it, open and closed.
        public var attacks: [(attack: Attack, open: [Int], closed: [Int])]
        public var open: Int { verdicts.filter(\.open).count }
        public var closed: Int { verdicts.count - open }
        public func count(_ o: Incident.Review.Outcome) -> Int { verdicts.filter { $0.review.outcome == o }.count }
    }

    /// The scenarios of a ground-truth file: every account, address, host and user they name (also
    /// inside lists and nested objects) and their first and last times.
    public static func attacks(groundTruth data: Data) throws -> [Attack] {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any], let scenarios = root["scenarios"] as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt, userInfo: [NSLocalizedDescriptionKey: "a ground-truth file has a 'scenarios' object"])
        }
        var out: [Attack] = []
        for (name, value) in scenarios.sorted(by: { $0.key < $1.key }) {
            guard let s = value as? [String: Any] else { continue }
            var keys = Set<String>(), times: [Int64] = []
            func walk(_ key: String, _ v: Any) {
                if let str = v as? String {
                    switch key {
                    case "account", "user", "compromised_account", "accounts": keys.insert(Entity(type: .account, properties: ["FullName": str]).key)
                    case "ip", "ips", "source_ip": keys.insert(Entity(type: .ip, properties: ["Address": str]).key)
                    case "computer", "host", "hosts": keys.insert(Entity(type: .host, properties: ["FullName": str]).key)
                    case "start", "end", "time", "compromise_time": if let t = DateTimeParser.parse(str) { times.append(t) }
                    default: break
                    }
                } else if let list = v as? [Any] {
                    for x in list { walk(key, x) }
                } else if let obj = v as? [String: Any] {
                    for (k, x) in obj { walk(k, x) }
                }
            }
            for (k, v) in s { walk(k, v) }
            guard !keys.isEmpty, let from = times.min(), let to = times.max() else { continue }
            out.append(Attack(name: name, technique: s["technique"] as? String ?? "", keys: keys, from: from, to: to))
        }
        return out
    }

    public static func run(_ incidents: [Incident], policy: ReviewPolicy, attacks: [Attack] = []) -> Outcome {
        let agent = ReviewerAgent(policy: policy)
        var closures: [Int64] = []
        var verdicts: [Verdict] = []
        // Closures the budget deferred (their verdict's index and draft), reviewed again at a later
        // incident's time when the budget allows, oldest first, as the pipeline does.
        var waiting: [(verdict: Int, draft: Incident)] = []
        for inc in incidents.sorted(by: { ($0.createdTime, $0.number) < ($1.createdTime, $1.number) }) {
            let now = inc.createdTime
            // The budget counts the automatic closures of the 24 hours before each incident.
            var closedToday = closures.filter { $0 > now - Ticks.perDay }.count
            let budget = agent.budget(closures: closures, now: now)
            while let w = waiting.first, closedToday < budget {
                waiting.removeFirst()
                let r = agent.review(w.draft, now: now, closedToday: closedToday, budget: budget)
                verdicts[w.verdict].review = r
                if r.outcome == .autoClose { closures.append(now); closedToday += 1 }
            }
            // Judged as the draft the producer made: without an earlier verdict's effects.
            var draft = inc
            draft.labels.removeAll { $0.labelName.hasPrefix("Review: ") }
            if inc.review != nil { draft.status = .new }
            let r = agent.review(draft, now: now, closedToday: closedToday, budget: budget)
            if r.outcome == .autoClose { closures.append(now) }
            if r.deferred == true { waiting.append((verdicts.count, draft)) }
            verdicts.append(Verdict(incident: inc, review: r))
        }
        let slack = Ticks.perDay
        let found = attacks.map { a -> (attack: Attack, open: [Int], closed: [Int]) in
            let hits = verdicts.filter { v in
                v.incident.lastActivityTime >= a.from - Ticks.perHour && v.incident.firstActivityTime <= a.to + slack
                    && v.incident.entities.contains { a.keys.contains($0.key) }
            }
            return (a, hits.filter(\.open).map(\.incident.number).sorted(), hits.filter { !$0.open }.map(\.incident.number).sorted())
        }
        return Outcome(verdicts: verdicts, attacks: found)
    }
}
