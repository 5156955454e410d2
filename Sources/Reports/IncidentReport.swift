/// An incident report with the sections of Security Copilot's: title, details, summary (with a
/// timeline by MITRE tactic in kill-chain order), classification, investigation actions, remediation
/// and follow-up. Built by `ReportBuilder` from the incident and its evidence only, so the same
/// incident always gives the same report; rendered as Markdown, HTML or JSON.
public struct IncidentReport: Sendable, Codable, Equatable {
    public var incidentNumber: Int
    public var incidentID: String
    public var title: String
    public var details: Details
    public var summary: Summary
    public var classification: ClassificationSection
    public var investigation: [Action]
    public var riskScore: Score?
    public var remediation: [Action]
    public var followUp: [String]

    public struct Details: Sendable, Codable, Equatable {
        /// People who worked on the incident (comments, changes, ownership), in order of first appearance.
        public var analysts: [String]
        /// Vigil's agents that did (producer, triage, reviewer, automation).
        public var agents: [String]
        public var owner: String?
        public var created: ReportTime
        public var firstLog: ReportTime
        public var lastLog: ReportTime
        public var closed: ReportTime?
        public var status: String
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var severity: String
        public var start: ReportTime
        public var end: ReportTime
        public var duration: String
        /// What was touched: accounts, hosts, addresses.
        public var impact: String
        /// The prose summary: deterministic, or a language model's when the grounding check accepted it.
        public var text: String
        /// `Vigil` for the deterministic text, else the model's name.
        public var writtenBy: String
        public var timeline: [TacticStage]
    }

    /// The alerts of one tactic, in time order.
    public struct TacticStage: Sendable, Codable, Equatable {
        public var tactic: String
        public var steps: [Step]
    }

    /// An alert, or a run of alerts of one name and severity (a rule firing again and again).
    public struct Step: Sendable, Codable, Equatable {
        public var time: ReportTime
        /// The last of the run's alerts (nil: one alert).
        public var until: ReportTime?
        public var count: Int
        public var alert: String
        public var severity: String
        public var anomaly: Bool
        public var entities: [String]
    }

    public struct ClassificationSection: Sendable, Codable, Equatable {
        public var status: String
        public var classification: String?
        public var reason: String?
        public var comment: String?
        /// Who decided it: the reviewer agent (with its policy) or an analyst.
        public var decidedBy: String?
        /// The reviewer agent's verdict and reasons, when there is one.
        public var review: String?
    }

    public struct Action: Sendable, Codable, Equatable {
        public var time: ReportTime
        public var actor: String
        public var text: String
    }

    public struct Score: Sendable, Codable, Equatable {
        public var total: Int
        /// The largest contributions, as `source: points (reason)`.
        public var contributions: [String]
        public var probability: Double?
    }
}
