import Foundation
public import VigilCore
import Yams

/// The explainable risk score: STAT's additive weights by default (related alerts by severity, plus
/// points per distinct tactic; 10 per threat-intelligence match; 10 per watchlist match; user risk
/// High 10 / Medium 5 / Low 3; 5 per custom-KQL row), each module's points times its multiplier
/// (negative ones lower the score, e.g. a trusted-IP watchlist). Editable in `policies/scoring.yaml`.
public struct ScoringPolicy: Sendable, Equatable {
    public var alertSeverity: [String: Double] = ["High": 10, "Medium": 5, "Low": 3, "Informational": 1]
    public var perTactic: Double = 2
    public var threatIntel: Double = 10
    public var watchlist: Double = 10
    public var userRisk: [String: Double] = ["High": 10, "Medium": 5, "Low": 3]
    public var kqlRow: Double = 5
    public var anomaly: Double = 5
    public var notableHostEvent: Double = 2
    public var maxHostPoints: Double = 10
    /// Module name → multiplier (default 1).
    public var multipliers: [String: Double] = [:]

    public init() {}

    public static let defaultText = """
    # Risk score weights (STAT's defaults). A module's points are multiplied by its multiplier.
    alertSeverity: {High: 10, Medium: 5, Low: 3, Informational: 1}   # per related alert
    perTactic: 2            # per distinct tactic among related alerts
    threatIntel: 10         # per matching indicator
    watchlist: 10           # per watchlist match
    userRisk: {High: 10, Medium: 5, Low: 3}
    kqlRow: 5               # per row of a custom KQL module
    anomaly: 5              # per related anomaly, times its score
    notableHostEvent: 2     # per notable host event ...
    maxHostPoints: 10       # ... at most this many points per host
    multipliers: {}         # per module ("Threat intelligence": 2) or watchlist ("Watchlist trusted-ips": -1)

    """

    public static func parse(_ text: String) throws -> ScoringPolicy {
        guard let m = try Yams.load(yaml: text) as? [String: Any] else { return ScoringPolicy() }
        var p = ScoringPolicy()
        let known: Set<String> = ["alertSeverity", "perTactic", "threatIntel", "watchlist", "userRisk", "kqlRow", "anomaly", "notableHostEvent", "maxHostPoints", "multipliers"]
        for k in m.keys where !known.contains(k) { throw TriageError(message: "policies/scoring.yaml: unknown key '\(k)'") }
        func num(_ k: String) throws -> Double? {
            guard let v = m[k] else { return nil }
            if let d = v as? Double { return d }
            if let i = v as? Int { return Double(i) }
            throw TriageError(message: "policies/scoring.yaml: '\(k)' must be a number")
        }
        func map(_ k: String) throws -> [String: Double]? {
            guard let v = m[k] else { return nil }
            guard let d = v as? [String: Any] else { throw TriageError(message: "policies/scoring.yaml: '\(k)' must map names to numbers") }
            return try d.mapValues { x in
                if let d = x as? Double { return d }
                if let i = x as? Int { return Double(i) }
                throw TriageError(message: "policies/scoring.yaml: '\(k)' must map names to numbers")
            }
        }
        if let v = try map("alertSeverity") { p.alertSeverity = v }
        if let v = try num("perTactic") { p.perTactic = v }
        if let v = try num("threatIntel") { p.threatIntel = v }
        if let v = try num("watchlist") { p.watchlist = v }
        if let v = try map("userRisk") { p.userRisk = v }
        if let v = try num("kqlRow") { p.kqlRow = v }
        if let v = try num("anomaly") { p.anomaly = v }
        if let v = try num("notableHostEvent") { p.notableHostEvent = v }
        if let v = try num("maxHostPoints") { p.maxHostPoints = v }
        if let v = try map("multipliers") { p.multipliers = v }
        return p
    }

    /// Every module's points, with the reason: the score explains itself.
    public func score(_ reports: [ModuleReport], now: Int64) -> Incident.RiskScore {
        var out: [Incident.RiskScore.Contribution] = []
        for r in reports {
            let k = multipliers[r.module] ?? 1
            func add(_ points: Double, _ reason: String) {
                let p = Int((points * k).rounded())
                if p != 0 { out.append(.init(source: r.module, points: p, reason: reason + (k == 1 ? "" : " (x\(k))"))) }
            }
            var tactics = Set<String>()
            for f in r.findings {
                switch f.kind {
                case .relatedAlert:
                    add(alertSeverity[f.level ?? ""] ?? 0, "related alert: \(f.summary) (\(f.level ?? "?"))")
                    tactics.formUnion(f.tactics)
                case .threatIntel: add(threatIntel, "threat intelligence: \(f.summary)")
                case .watchlist:
                    // A list's own multiplier (`Watchlist trusted-ips: -1`) applies on top of the module's.
                    add(watchlist * (multipliers["Watchlist \(f.level ?? "")"] ?? 1), "watchlist: \(f.summary)")
                case .userRisk: add(userRisk[f.level ?? ""] ?? 0, "user risk \(f.level ?? ""): \(f.summary)")
                case .kqlRows: add(kqlRow, "query row: \(f.summary)")
                case .anomaly: add(anomaly * (Double(f.level ?? "") ?? 1), "anomaly: \(f.summary)")
                case .hostActivity: add(min(maxHostPoints, notableHostEvent * (Double(f.level ?? "") ?? 0)), "host: \(f.summary)")
                case .entity, .context: break
                }
            }
            if !tactics.isEmpty { add(perTactic * Double(tactics.count), "\(tactics.count) distinct tactics among related alerts: \(tactics.sorted().joined(separator: ", "))") }
        }
        return Incident.RiskScore(total: out.reduce(0) { $0 + $1.points }, contributions: out, time: now)
    }
}
