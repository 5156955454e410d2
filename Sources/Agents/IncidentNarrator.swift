import Foundation
public import VigilCore

/// Asks a language model for an incident description and keeps it only if it is grounded in the
/// incident's facts; otherwise the deterministic description stays and the rejection is reported.
public struct IncidentNarrator: Sendable {
    public let model: any LanguageModel
    public init(model: any LanguageModel) { self.model = model }

    public struct Result: Sendable {
        public var text: String?
        public var rejected: [String]
        public var error: String?
    }

    /// The facts the model may use, as text: what the grounding check searches.
    public static func evidence(_ inc: Incident) -> String {
        var lines = ["Incident \(inc.number): \(inc.title)", "Severity: \(inc.severity.rawValue)", "Confidence: \(inc.confidence)",
                     "Alerts: \(inc.alerts.count)", "Tactics: \(inc.tactics.map(\.displayName).joined(separator: ", "))"]
        let f = ISO8601DateFormatter()
        func time(_ t: Int64) -> String { f.string(from: Date(timeIntervalSince1970: Double(t) / 1e7)) }
        lines.append("First activity: \(time(inc.firstActivityTime)); last activity: \(time(inc.lastActivityTime))")
        for a in inc.alerts { lines.append("Alert: \(a.name) (\(a.severity.rawValue)) at \(time(a.startTime))") }
        for e in inc.entities { lines.append("Entity \(e.type.rawValue): " + e.properties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
        lines.append("Deterministic description: \(inc.description)")
        return lines.joined(separator: "\n")
    }

    static let system = "You are a SOC analyst. Describe the incident in two or three plain sentences for a colleague. Use only the facts given; do not add counts, times, names or addresses that are not in them."

    public func describe(_ inc: Incident) async -> Result {
        let evidence = Self.evidence(inc)
        do { return Self.check(try await model.complete(system: Self.system, user: evidence), evidence) } catch { return Result(text: nil, rejected: [], error: "\(error)") }
    }

    public func describeBlocking(_ inc: Incident) -> Result {
        let evidence = Self.evidence(inc)
        do { return Self.check(try model.completeBlocking(system: Self.system, user: evidence), evidence) } catch { return Result(text: nil, rejected: [], error: "\(error)") }
    }

    static func check(_ answer: String, _ evidence: String) -> Result {
        let text = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return Result(text: nil, rejected: ["empty answer"], error: nil) }
        let bad = GroundingChecker.ungrounded(text, evidence: evidence)
        return bad.isEmpty ? Result(text: text, rejected: [], error: nil) : Result(text: nil, rejected: bad, error: nil)
    }
}
