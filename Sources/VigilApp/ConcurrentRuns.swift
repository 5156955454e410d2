public import Detection
import Foundation
import KQL
public import VigilCore

/// Runs a cycle's rule runs `concurrency` at a time (each run is one query; the store and the
/// engine are safe to share), returning the outcomes in the order of `runs`.
public enum ConcurrentRuns {
    public static func execute(_ runs: [RuleRun], rules: [String: AnalyticsRule], runner: DetectionRunner, concurrency: Int,
                               history: (RuleRun, AnalyticsRule) -> [Int] = { _, _ in [] }) -> [DetectionRunner.Outcome] {
        let inputs = runs.compactMap { run in rules[run.ruleID].map { (run, $0, $0.dynamicThreshold == nil ? [] : history(run, $0)) } }
        let box = Box(count: inputs.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(concurrency, inputs.count))) { _ in
            while let k = box.next() {
                let (run, rule, counts) = inputs[k]
                let s = DispatchTime.now().uptimeNanoseconds
                var o = runner.execute(rule, run, history: counts)
                o.durationMillis = Double(DispatchTime.now().uptimeNanoseconds - s) / 1e6
                box.put(k, o)
            }
        }
        return box.results.compactMap { $0 }
    }

    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var taken = 0
        private(set) var results: [DetectionRunner.Outcome?]
        init(count: Int) { results = Array(repeating: nil, count: count) }
        func next() -> Int? { lock.withLock { guard taken < results.count else { return nil }; defer { taken += 1 }; return taken } }
        func put(_ k: Int, _ o: DetectionRunner.Outcome) { lock.withLock { results[k] = o } }
    }
}
