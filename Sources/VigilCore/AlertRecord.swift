/// An alert (a `SecurityAlert` row) or an anomaly (an `Anomalies` row) as the agents see it.
public struct AlertRecord: Sendable, Codable, Equatable {
    public var systemAlertID: String
    public var ruleID: String
    public var name: String
    public var description: String
    public var severity: Severity
    public var tactics: [MitreTactic]
    public var techniques: [String]
    public var startTime: Int64
    public var endTime: Int64
    /// When the alert was raised (its run's time).
    public var time: Int64
    public var entities: [Entity]
    /// Anomalies carry a score in [0, 1] instead of a rule severity.
    public var anomalyScore: Double?
    public var isAnomaly: Bool { anomalyScore != nil }

    public init(systemAlertID: String, ruleID: String, name: String, description: String = "", severity: Severity, tactics: [MitreTactic] = [],
                techniques: [String] = [], startTime: Int64, endTime: Int64, time: Int64, entities: [Entity], anomalyScore: Double? = nil) {
        self.systemAlertID = systemAlertID; self.ruleID = ruleID; self.name = name; self.description = description; self.severity = severity
        self.tactics = tactics; self.techniques = techniques; self.startTime = startTime; self.endTime = endTime; self.time = time
        self.entities = entities; self.anomalyScore = anomalyScore
    }
}
