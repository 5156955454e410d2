/// A Sentinel analytics rule with every field of the rule YAML (and of the ARM export), normalised:
/// durations in 100 ns ticks, operators and tactics in one spelling.
public struct AnalyticsRule: Sendable, Codable, Equatable {
    /// `Anomaly` is Vigil's: a scheduled query whose every output row is an anomaly with a `Score`,
    /// written to the `Anomalies` table instead of raising alerts (Sentinel's anomaly templates).
    public enum Kind: String, Sendable, Codable { case scheduled = "Scheduled", nrt = "NRT", anomaly = "Anomaly" }
    public enum TriggerOperator: String, Sendable, Codable {
        case gt, lt, eq, ne
        /// `gt`, `GreaterThan`, `>`...
        public init?(loose text: String) {
            switch text.lowercased().filter({ !$0.isWhitespace }) {
            case "gt", "greaterthan", ">": self = .gt
            case "lt", "lessthan", "<": self = .lt
            case "eq", "equal", "equals", "==", "=": self = .eq
            case "ne", "notequal", "notequals", "!=", "<>": self = .ne
            default: return nil
            }
        }
        public func fires(count: Int, threshold: Int) -> Bool {
            switch self {
            case .gt: return count > threshold
            case .lt: return count < threshold
            case .eq: return count == threshold
            case .ne: return count != threshold
            }
        }
    }
    public struct FieldMapping: Sendable, Codable, Equatable {
        public var identifier: String; public var columnName: String
        public init(identifier: String, columnName: String) { self.identifier = identifier; self.columnName = columnName }
    }
    public struct EntityMapping: Sendable, Codable, Equatable {
        public var entityType: EntityType; public var fieldMappings: [FieldMapping]
        public init(entityType: EntityType, fieldMappings: [FieldMapping]) { self.entityType = entityType; self.fieldMappings = fieldMappings }
    }
    public struct Pair: Sendable, Codable, Equatable {
        public var key: String; public var value: String
        public init(key: String, value: String) { self.key = key; self.value = value }
    }
    public struct AlertDetailsOverride: Sendable, Codable, Equatable {
        public var displayNameFormat: String?
        public var descriptionFormat: String?
        public var severityColumnName: String?
        public var tacticsColumnName: String?
        public var dynamicProperties: [Pair] = []
        public init() {}
    }
    public enum AggregationKind: String, Sendable, Codable { case singleAlert = "SingleAlert", alertPerResult = "AlertPerResult" }
    public struct GroupingConfiguration: Sendable, Codable, Equatable {
        /// Whether the rule file has a `groupingConfiguration` at all (when not, Vigil's default grouping applies).
        public var declared = false
        public var enabled = false
        public var reopenClosedIncident = false
        public var lookbackDuration: Int64 = 5 * 36_000_000_000
        public var matchingMethod = "AllEntities"
        public var groupByEntities: [EntityType] = []
        public var groupByAlertDetails: [String] = []
        public var groupByCustomDetails: [String] = []
        public init() {}
    }
    /// `triggerThreshold: dynamic`: the threshold on the result count is learned from the rule's own
    /// earlier runs over `history`: `max(minimum, ceil(median + sensitivity * spread))`, where spread is
    /// the scaled median absolute deviation, at least `sqrt(median)` and 1 (counts are Poisson-like).
    /// Until `minimumRuns` earlier runs exist the threshold is `minimum`.
    public struct DynamicThreshold: Sendable, Codable, Equatable {
        public var history: Int64 = 7 * 864_000_000_000
        public var sensitivity: Double = 3
        public var minimum: Int = 0
        public var minimumRuns: Int = 24
        public init() {}
    }
    public struct IncidentConfiguration: Sendable, Codable, Equatable {
        public var createIncident = true
        public var grouping = GroupingConfiguration()
        public init() {}
    }

    public var id: String
    public var name: String
    public var description: String
    public var severity: Severity
    public var kind: Kind
    public var enabled: Bool
    public var status: String?
    public var version: String?
    /// Ticks between runs and of data each run reads (both zero for NRT rules).
    public var queryFrequency: Int64
    public var queryPeriod: Int64
    public var triggerOperator: TriggerOperator
    public var triggerThreshold: Int
    /// Set when `triggerThreshold` is `dynamic`.
    public var dynamicThreshold: DynamicThreshold?
    /// Vigil's `parameters:` (name → KQL literal): the visible knobs of a rule's model, declared as
    /// `let` statements before the query so that `vigil rules tune` can try other values.
    public var parameters: [Pair]
    public var tactics: [MitreTactic]
    public var techniques: [String]
    public var query: String
    public var entityMappings: [EntityMapping]
    public var customDetails: [Pair]
    public var alertDetailsOverride: AlertDetailsOverride?
    public var eventGrouping: AggregationKind
    public var incidentConfiguration: IncidentConfiguration
    public var suppressionEnabled: Bool
    public var suppressionDuration: Int64
    public var requiredDataConnectors: [String]
    public var tags: [String]
    /// Tables whose rows the query filters and nothing else (a Sigma rule's): with none of them
    /// holding rows in a run's window the result is empty, so the run skips the query. Empty: always run.
    public var sourceTables: [String] = []

    public init(id: String, name: String, query: String) {
        self.id = id; self.name = name; self.query = query
        description = ""; severity = .medium; kind = .scheduled; enabled = true
        queryFrequency = 0; queryPeriod = 0; triggerOperator = .gt; triggerThreshold = 0
        tactics = []; techniques = []; entityMappings = []; customDetails = []; parameters = []
        eventGrouping = .singleAlert; incidentConfiguration = IncidentConfiguration()
        suppressionEnabled = false; suppressionDuration = 0; requiredDataConnectors = []; tags = []
    }

    /// The query as it runs: the parameters' `let` statements on one line, then the query.
    public var effectiveQuery: String {
        parameters.isEmpty ? query : parameters.map { "let \($0.key) = \($0.value);" }.joined(separator: " ") + "\n" + query
    }
}
