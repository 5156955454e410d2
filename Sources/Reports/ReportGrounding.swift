import Foundation
public import VigilCore

/// What a report may state, and the check that it states nothing else. The evidence is written from
/// the incident and its audit trail alone (never from a report), in the forms reports use for times
/// and spans; `GroundingChecker` then finds every entity, number and time of a report's text in it.
/// A language model's summary replaces the deterministic one only when it passes.
public enum ReportGrounding {
    public static func evidence(_ input: ReportBuilder.Input) -> String {
        let inc = input.incident
        var l: [String] = []
        func t(_ ticks: Int64) -> String { "\(ReportTime(ticks).display) (\(ReportTime(ticks).iso))" }
        l.append("Incident \(inc.number) (\(inc.id)): \(inc.title)")
        l.append("Severity \(inc.severity.rawValue); status \(inc.status.rawValue); owner \(ReportBuilder.owner(inc) ?? "none")")
        if let c = inc.classification { l.append("Classification \(c.rawValue) \(inc.classificationReason?.rawValue ?? ""): \(inc.classificationComment ?? "")") }
        l.append("Created \(t(inc.createdTime)); first activity \(t(inc.firstActivityTime)); last activity \(t(inc.lastActivityTime))")
        if let c = inc.closedTime { l.append("Closed \(t(c))") }
        let start = inc.alerts.map(\.startTime).min() ?? inc.firstActivityTime, end = inc.alerts.map(\.endTime).max() ?? inc.lastActivityTime
        l.append("Alerts span \(t(start)) to \(t(end)): \(ReportTime.duration(end - start))")
        let anomalies = inc.alerts.filter(\.isAnomaly).count
        l.append("Alerts: \(inc.alerts.count - anomalies); anomalies: \(anomalies); total: \(inc.alerts.count); rules: \(Set(inc.alerts.map(\.ruleID)).count); entities: \(inc.entities.count)")
        l.append("Tactics: " + ReportBuilder.tactics(inc).map { "\($0.displayName) (\($0.rawValue))" }.joined(separator: ", "))
        l.append("Techniques: " + inc.techniques.joined(separator: ", "))
        for a in inc.alerts {
            l.append("Alert \(a.systemAlertID) \(a.name) (\(a.severity.rawValue)\(a.isAnomaly ? ", anomaly" : "")) from \(t(a.startTime)) to \(t(a.endTime)), rule \(a.ruleID)")
            for e in input.alertEntities[a.systemAlertID] ?? [] { l.append("  entity \(entityText(e))") }
        }
        var repeats: [String: Int] = [:]
        for a in inc.alerts { repeats["\(a.name) (\(a.severity.rawValue))", default: 0] += 1 }
        for (name, n) in repeats.sorted(by: { $0.key < $1.key }) where n > 1 { l.append("\(name): \(n) alerts") }
        for e in inc.entities { l.append("Entity \(entityText(e))") }
        l.append("Confidence \(inc.confidence): " + inc.confidenceFactors.map { "\($0.name) \($0.points) \($0.reason)" }.joined(separator: "; "))
        if let r = inc.riskScore {
            l.append("Risk score \(r.total)" + (r.probability.map { String(format: ", probability %.2f", $0) } ?? "")
                     + "; watchlists \(r.watchlists.joined(separator: ", ")); threat-intelligence matches \(r.threatIntelMatches)")
            for c in r.contributions { l.append("  \(c.source): \(c.points) (\(c.reason))") }
            for line in ReportBuilder.score(r).contributions { l.append("  by source: \(line)") }
        }
        if let r = inc.review {
            l.append("Review \(r.outcome.rawValue) policy \(r.policyVersion) at \(t(r.time)): " + (r.matchedRules + r.reasons + r.gates).joined(separator: "; "))
        }
        l.append("Labels: " + inc.labels.map(\.labelName).joined(separator: ", "))
        for c in inc.comments where c.author != ReportBuilder.author { l.append("Comment by \(c.author) at \(t(c.createdTime)): \(c.message)") }
        for a in input.audit where a.actor != ReportBuilder.author { l.append("Audit \(t(a.time)) \(a.actor) \(a.action): \(a.detail)") }
        return l.joined(separator: "\n")
    }

    static func entityText(_ e: Entity) -> String {
        "\(e.type.rawValue) \(e.displayName): " + e.properties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// The report's claims that the evidence does not support (empty: grounded).
    public static func ungrounded(_ report: IncidentReport, evidence: String) -> [String] {
        GroundingChecker.ungrounded(ReportRenderer.markdown(report), evidence: evidence)
    }

    public struct Narration: Sendable, Equatable {
        public var report: IncidentReport
        /// Why the model's text was not used (nil: used, or no model).
        public var rejection: String?
    }

    static let system = """
    You are a SOC analyst writing the summary of an incident report for security managers. In three to five plain sentences, \
    say what happened, in what order, to which accounts, hosts and addresses, and how it was handled. Use only the facts given; \
    do not add counts, times, names or addresses that are not in them. Write times as they are given (2024-06-21 02:00 UTC).
    """

    /// The report with the model's summary when the checker accepts it, else unchanged with the reason.
    public static func narrate(_ report: IncidentReport, input: ReportBuilder.Input, model: any LanguageModel, name: String) async -> Narration {
        let evidence = evidence(input)
        do { return accept(try await model.complete(system: system, user: evidence), report: report, evidence: evidence, name: name) } catch {
            return Narration(report: report, rejection: "the language model failed: \(error)")
        }
    }

    public static func narrateBlocking(_ report: IncidentReport, input: ReportBuilder.Input, model: any LanguageModel, name: String) -> Narration {
        let evidence = evidence(input)
        do { return accept(try model.completeBlocking(system: system, user: evidence), report: report, evidence: evidence, name: name) } catch {
            return Narration(report: report, rejection: "the language model failed: \(error)")
        }
    }

    static func accept(_ answer: String, report: IncidentReport, evidence: String, name: String) -> Narration {
        let text = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return Narration(report: report, rejection: "the language model's answer was empty") }
        let bad = GroundingChecker.ungrounded(text, evidence: evidence)
        guard bad.isEmpty else { return Narration(report: report, rejection: "the language model's summary states what the evidence does not: " + bad.joined(separator: ", ")) }
        var out = report
        out.summary.text = text
        out.summary.writtenBy = name
        return Narration(report: out, rejection: nil)
    }
}
