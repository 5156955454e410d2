/// An incident with Sentinel's fields (`Microsoft.SecurityInsights/incidents`) and Vigil's
/// additions: the confidence with its factors, the grouping decisions that built it, the review
/// verdict and the risk score. Times are 100 ns ticks since 1970, as everywhere in Vigil.
public struct Incident: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable { case new = "New", active = "Active", closed = "Closed" }
    public enum Classification: String, Sendable, Codable, CaseIterable {
        case undetermined = "Undetermined", truePositive = "TruePositive", benignPositive = "BenignPositive", falsePositive = "FalsePositive"
    }
    public enum ClassificationReason: String, Sendable, Codable, CaseIterable {
        case suspiciousActivity = "SuspiciousActivity", suspiciousButExpected = "SuspiciousButExpected"
        case incorrectAlertLogic = "IncorrectAlertLogic", inaccurateData = "InaccurateData"
    }
    public struct Owner: Sendable, Codable, Equatable {
        public var assignedTo: String?
        public var email: String?
        public var userPrincipalName: String?
        public var objectId: String?
        public init(assignedTo: String? = nil, email: String? = nil, userPrincipalName: String? = nil, objectId: String? = nil) {
            self.assignedTo = assignedTo; self.email = email; self.userPrincipalName = userPrincipalName; self.objectId = objectId
        }
        public var isEmpty: Bool { assignedTo == nil && email == nil && userPrincipalName == nil && objectId == nil }
    }
    public struct Label: Sendable, Codable, Equatable {
        public enum Kind: String, Sendable, Codable { case user = "User", autoAssigned = "AutoAssigned" }
        public var labelName: String
        public var labelType: Kind
        public init(_ name: String, _ type: Kind = .user) { labelName = name; labelType = type }
    }
    public struct Comment: Sendable, Codable, Equatable {
        public var id: String
        public var message: String
        public var author: String
        public var createdTime: Int64
        public init(id: String, message: String, author: String, createdTime: Int64) { self.id = id; self.message = message; self.author = author; self.createdTime = createdTime }
    }
    /// One named reason the confidence is what it is.
    public struct ConfidenceFactor: Sendable, Codable, Equatable {
        public var name: String
        public var points: Double
        public var reason: String
        public init(name: String, points: Double, reason: String) { self.name = name; self.points = points; self.reason = reason }
    }
    /// Why an alert joined this incident (or started it).
    public struct GroupingDecision: Sendable, Codable, Equatable {
        public var alertID: String
        public var time: Int64
        public var reason: String
        public init(alertID: String, time: Int64, reason: String) { self.alertID = alertID; self.time = time; self.reason = reason }
    }
    /// An alert as the incident keeps it.
    public struct AlertRef: Sendable, Codable, Equatable {
        public var systemAlertID: String
        public var ruleID: String
        public var name: String
        public var severity: Severity
        public var tactics: [MitreTactic]
        public var startTime: Int64
        public var endTime: Int64
        public var isAnomaly: Bool
        public init(systemAlertID: String, ruleID: String, name: String, severity: Severity, tactics: [MitreTactic], startTime: Int64, endTime: Int64, isAnomaly: Bool) {
            self.systemAlertID = systemAlertID; self.ruleID = ruleID; self.name = name; self.severity = severity; self.tactics = tactics
            self.startTime = startTime; self.endTime = endTime; self.isAnomaly = isAnomaly
        }
    }

    public var id: String
    public var number: Int
    public var title: String
    public var description: String
    public var severity: Severity
    public var status: Status
    public var classification: Classification?
    public var classificationReason: ClassificationReason?
    public var classificationComment: String?
    public var owner: Owner
    public var labels: [Label]
    public var firstActivityTime: Int64
    public var lastActivityTime: Int64
    public var createdTime: Int64
    public var lastModifiedTime: Int64
    public var closedTime: Int64?
    public var providerName: String
    public var relatedAnalyticRuleIds: [String]
    public var alerts: [AlertRef]
    public var entities: [Entity]
    public var comments: [Comment]
    public var tactics: [MitreTactic]
    public var techniques: [String]
    public var etag: String
    public var confidence: Double
    public var confidenceFactors: [ConfidenceFactor]
    public var grouping: [GroupingDecision]
    /// The reviewer agent's latest verdict.
    public var review: Review?
    /// The triage score with every point explained (also the label `Risk Score - N`).
    public var riskScore: RiskScore?

    public struct RiskScore: Sendable, Codable, Equatable {
        public struct Contribution: Sendable, Codable, Equatable {
            public var source: String
            public var points: Int
            public var reason: String
            public init(source: String, points: Int, reason: String) { self.source = source; self.points = points; self.reason = reason }
        }
        public var total: Int
        public var contributions: [Contribution]
        public var time: Int64
        /// The probability of a true positive for this score, once `vigil scoring calibrate` has fitted one.
        public var probability: Double?
        /// Watchlists the incident's entities are on, and threat-intelligence indicators they match
        /// (for the review policy and its hard gates).
        public var watchlists: [String] = []
        public var threatIntelMatches: Int = 0
        /// The user-history module's verdict (nil: it had nothing to judge): true when every account's
        /// judged facts match its own history. Optional so incidents stored before it still decode.
        public var contextVerified: Bool?
        /// The facts behind it, `match: ...`, `deviation: ...` or `not judged: ...`, with what was counted.
        public var contextFacts: [String]?
        /// Every sign-in came from an address many of the organization's users sign in from (its
        /// egress), and no risk reason says otherwise.
        public var contextEgress: Bool?
        /// Every user too new to have a history of its own signed in with a country, client and
        /// application common in the organization, from an address with a clean record (the others
        /// are verified by their own history).
        public var contextOrganization: Bool?
        /// Every rule of the incident alerted on many hosts or accounts on many days before it (it
        /// matches routine activity in this estate), and whether they are all community (Sigma) rules.
        public var routineRule: Bool?
        public var communityRule: Bool?
        /// Every process launch the incident's alerts matched ran on many hosts of the estate before
        /// (nil: the alerts matched no launch).
        public var routineActivity: Bool?
        /// The accounts (lowercased) that ran a launch the alerts matched that is not common in the estate.
        public var uncommonLaunchAccounts: [String]?
        /// Alerts of other rules on the incident's entities in the lookback, earlier alerts of its own
        /// rules not in it (repeats), anomalies, and the anomalies' models.
        public var otherAlerts: Int?
        /// Other alerts left out of `otherAlerts` because they are only about accounts whose launches in
        /// this routine community rule's incident are common across the estate.
        public var routineAccountAlerts: Int?
        public var repeatAlerts: Int?
        public var relatedAnomalies: Int?
        public var anomalyModels: [String]?
        public init(total: Int, contributions: [Contribution], time: Int64) { self.total = total; self.contributions = contributions; self.time = time }

        /// The contributions summed by source (one evidence module each), in first-seen order,
        /// with their reasons: what the report, the audit trail and the UI's chart show.
        public var bySource: [(source: String, points: Int, reasons: [String])] {
            var out: [(source: String, points: Int, reasons: [String])] = []
            for c in contributions {
                if let i = out.firstIndex(where: { $0.source == c.source }) {
                    out[i].points += c.points
                    out[i].reasons.append(c.reason)
                } else {
                    out.append((c.source, c.points, [c.reason]))
                }
            }
            return out
        }
    }

    /// What the reviewer agent decided, under which policy, and why.
    public struct Review: Sendable, Codable, Equatable {
        public enum Outcome: String, Sendable, Codable { case approve, flag, autoClose }
        public var outcome: Outcome
        public var policyVersion: String
        public var matchedRules: [String]
        public var reasons: [String]
        /// Hard gates the incident tripped (an auto-close they forbid became a flag).
        public var gates: [String]
        public var time: Int64
        /// Shadow mode: recorded, not acted on.
        public var shadow: Bool
        /// An automatic closure the day's budget turned into a flag (no gate): the reviewer looks at
        /// the incident again when a later day's budget allows, unless an analyst has taken it.
        public var deferred: Bool?
        public init(outcome: Outcome, policyVersion: String, matchedRules: [String], reasons: [String], gates: [String], time: Int64, shadow: Bool) {
            self.outcome = outcome; self.policyVersion = policyVersion; self.matchedRules = matchedRules; self.reasons = reasons
            self.gates = gates; self.time = time; self.shadow = shadow
        }
    }

    public init(id: String, number: Int, title: String, severity: Severity, createdTime: Int64) {
        self.id = id; self.number = number; self.title = title; self.description = ""; self.severity = severity
        status = .new; owner = Owner(); labels = []; firstActivityTime = createdTime; lastActivityTime = createdTime
        self.createdTime = createdTime; lastModifiedTime = createdTime; providerName = "Vigil"; relatedAnalyticRuleIds = []
        alerts = []; entities = []; comments = []; tactics = []; techniques = []; etag = ""; confidence = 0; confidenceFactors = []; grouping = []
    }
}
