import Agents
import Detection
import Foundation
public import KQL
public import Reports
public import VigilCore
public import VigilStore

/// Reports of stored incidents: each built from the incident, its audit trail and its alerts'
/// entities (read back from `SecurityAlert` and `Anomalies`), with the language model's summary when
/// one is configured and the grounding check accepts it.
public struct IncidentReports: Sendable {
    public var store: LogStore
    public var model: (any LanguageModel)? = OpenAIChatClient.fromEnvironment()
    public init(store: LogStore) { self.store = store }

    public struct Built: Sendable {
        public var report: IncidentReport
        public var input: ReportBuilder.Input
        /// Why the model's summary was not used, when there is a model and it was not.
        public var rejection: String?
    }

    public func build(_ inc: Incident, now: Int64) throws -> Built {
        try build([inc], now: now)[0]
    }

    /// Many at once: the alerts of all of them are read in one query per table.
    public func build(_ incidents: [Incident], now: Int64) throws -> [Built] {
        let entities = alertEntities(Set(incidents.flatMap { $0.alerts.map(\.systemAlertID) }), now: now)
        let store = IncidentStore(store: self.store)
        return try incidents.map { inc in
            let input = ReportBuilder.Input(incident: inc, audit: try store.audit(incidentID: inc.id),
                                            alertEntities: Dictionary(uniqueKeysWithValues: inc.alerts.compactMap { a in entities[a.systemAlertID].map { (a.systemAlertID, $0) } }))
            let report = ReportBuilder().build(input)
            guard let model else { return Built(report: report, input: input, rejection: nil) }
            let name = (model as? OpenAIChatClient)?.model ?? "a language model"
            let n = ReportGrounding.narrateBlocking(report, input: input, model: model, name: name)
            return Built(report: n.report, input: input, rejection: n.rejection)
        }
    }

    /// Each alert's entities, by alert id.
    func alertEntities(_ ids: Set<String>, now: Int64) -> [String: [Entity]] {
        guard !ids.isEmpty else { return [:] }
        let tables = Set(store.tableInfos().filter { $0.rows > 0 }.map(\.name))
        var out: [String: [Entity]] = [:]
        let list: Value = .array(ids.sorted().map { .string($0) })
        for (table, column, anomalies) in [("SecurityAlert", "SystemAlertId", false), ("Anomalies", "Id", true)] where tables.contains(table) {
            let q = "declare query_parameters(ids:dynamic);\n\(table) | where \(column) in (ids)"
            guard case .success(let r, _) = QueryRunner(provider: store, now: now, parameters: ["ids": list]).run(q), let t = r.first?.table else { continue }
            for a in AlertRecords.from(table: t, anomalies: anomalies) { out[a.systemAlertID] = a.entities }
        }
        return out
    }
}
