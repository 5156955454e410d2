public import Detection
import KQL
import OrderedCollections
public import VigilCore
public import VigilStore

/// `vigil rules tune`: replays one rule over a span of history without storing anything and reports
/// the threshold proposals (scheduled and NRT rules) or the anomaly volume per value of a parameter
/// (anomaly rules), the evidence for choosing a threshold.
public struct RuleTuner {
    public var store: LogStore
    public var delay: Int64
    public init(store: LogStore, delay: Int64) { self.store = store; self.delay = delay }

    public struct Report: Sendable {
        public var runs: Int
        public var failedRuns: Int
        public var proposals: [ThresholdTuning.Proposal]
        /// Anomaly rules: (parameter value, anomalies, entities flagged).
        public var parameterTrials: [(value: String, anomalies: Int, entities: Int)]
    }

    public func tune(_ rule: AnalyticsRule, from: Int64, to: Int64, parameter: String? = nil, values: [String] = []) -> Report {
        if rule.kind == .anomaly {
            var trials: [(String, Int, Int)] = []
            let current = rule.parameters.first { $0.key == parameter }?.value
            var runs = 0, failed = 0
            for v in values.isEmpty ? [current ?? ""] : values {
                var r = rule
                if let parameter, let i = r.parameters.firstIndex(where: { $0.key == parameter }) { r.parameters[i].value = v }
                let result = DetectReplay(store: store, rules: [r], delay: delay).run(from: from, to: to)
                runs = result.outcomes.count
                failed = result.outcomes.filter { $0.error != nil }.count
                let entities = Set(result.anomalies.map { $0.row["Entities"]?.jsonText ?? "" })
                trials.append((v, result.anomalies.count, entities.count))
            }
            return Report(runs: runs, failedRuns: failed, proposals: [], parameterTrials: trials)
        }
        // The counts of the runs before `from` seed the learned trigger, as they would live.
        var r = rule
        r.dynamicThreshold = nil
        let d = rule.dynamicThreshold ?? AnalyticsRule.DynamicThreshold()
        var h = RunHistory()
        var learner = r
        learner.dynamicThreshold = d
        DetectionRunner(provider: store).learn(learner, before: from, delay: delay, into: &h)
        let history = h.counts(rule.id, before: from, within: d.history)
        let result = DetectReplay(store: store, rules: [r], delay: delay).run(from: from, to: to)
        let ok = result.outcomes.filter { $0.error == nil }
        return Report(runs: result.outcomes.count, failedRuns: result.outcomes.count - ok.count,
                      proposals: ThresholdTuning.proposals(rule: rule, counts: ok.map(\.resultRows), history: history), parameterTrials: [])
    }
}
