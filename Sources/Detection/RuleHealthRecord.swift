public import KQL
public import OrderedCollections
public import VigilCore

/// Rule runs as rows of Sentinel's `SentinelHealth` table, so that rule health is a KQL query
/// (`SentinelHealth | where SentinelResourceType == "Analytics Rule" | summarize ...`) as in Sentinel.
public enum RuleHealthRecord {
    public static func rows(_ outcomes: [DetectionRunner.Outcome], rules: [String: AnalyticsRule]) -> [OrderedDictionary<String, Value>] {
        outcomes.map { o in
            let r = rules[o.run.ruleID]
            let kind = r?.kind ?? .scheduled
            var extended: OrderedDictionary<String, Value> = [
                "QueryStartTimeUTC": .string(DateTimeMath.format(o.run.windowStart)),
                "QueryEndTimeUTC": .string(DateTimeMath.format(o.run.windowEnd)),
                "QueryResultAmount": .long(Int64(o.resultRows)),
                "AlertsGeneratedAmount": .long(Int64(o.alerts.count)),
                "AnomaliesGeneratedAmount": .long(Int64(o.anomalies.count)),
                "DurationMs": .real((o.durationMillis * 1000).rounded() / 1000),
                "IsBackfill": .bool(o.run.isBackfill),
            ]
            if let r, kind != .anomaly {
                extended["TriggerOperator"] = .string(r.triggerOperator.rawValue)
                extended["TriggerThreshold"] = o.threshold.map { .long(Int64($0.value)) } ?? .long(Int64(r.triggerThreshold))
                if let t = o.threshold { extended["DynamicThreshold"] = .string(t.explanation) }
            }
            let operation: String
            switch kind {
            case .scheduled: operation = "Scheduled analytics rule run"
            case .nrt: operation = "NRT analytics rule run"
            case .anomaly: operation = "Anomaly rule run"
            }
            let status = o.error == nil ? "Success" : "Failure"
            return [
                "TimeGenerated": .datetime(o.run.runTime),
                "OperationName": .string(operation),
                "SentinelResourceId": .string(o.run.ruleID),
                "SentinelResourceName": .string(r?.name ?? ""),
                "Status": .string(status),
                "Description": .string(o.error ?? (o.run.isBackfill ? "The rule ran late, making up for a missed run" : "The rule ran successfully")),
                "SentinelResourceType": .string("Analytics Rule"),
                "SentinelResourceKind": .string(kind.rawValue),
                "RecordId": .string(AlertBuilder.deterministicID("health|" + o.run.ruleID, o.run.runTime, 0)),
                "ExtendedProperties": .bag(extended),
                "Reason": .string(o.error.map { _ in "Query failed" } ?? ""),
            ]
        }
    }
}
