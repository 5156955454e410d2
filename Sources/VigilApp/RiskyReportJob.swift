import Agents
public import Foundation
public import KQL
public import Notifications
public import Reports
import VigilCore
public import VigilStore

/// The riskiest-incidents digest: a KQL query over `SecurityIncident` picks the incidents; each gets
/// its report as an HTML comment and the configured tag, and is posted to every channel through the
/// outbox. Idempotent per period: a period already reported for an incident adds no comment and
/// posts nothing (the comment's id, the outbox key and the delivery record are all derived from the
/// period and the incident, so even a run cut short by a crash completes without repeats).
public struct RiskyReportJob: Sendable {
    public var store: LogStore
    public var settings: WorkspaceConfig.Reports
    public var channels: [NotificationChannel]
    public var uiBaseURL: String
    public var reports: IncidentReports

    public init(store: LogStore, uiBaseURL: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let cfg = store.workspace.config
        self.store = store
        settings = cfg.reports
        let wanted = Set(cfg.reports.channels)
        channels = cfg.notifications.channels.filter { wanted.isEmpty || wanted.contains($0.name) }.map { $0.resolved(environment) }
        self.uiBaseURL = cfg.reports.uiBaseURL ?? uiBaseURL ?? "http://\(cfg.server.host):\(cfg.server.port)"
        reports = IncidentReports(store: store)
    }

    public struct Options: Sendable {
        public var days: Int, count: Int, minScore: Int
        /// What makes a run the same run again: the scheduled time, or the day and window of a manual run.
        public var period: String
        /// Select and build, change nothing.
        public var dryRun = false
        public init(days: Int, count: Int, minScore: Int, period: String, dryRun: Bool = false) {
            self.days = days; self.count = count; self.minScore = minScore; self.period = period; self.dryRun = dryRun
        }
    }

    public struct Outcome: Sendable {
        public struct Item: Sendable {
            public var number: Int
            public var title: String
            public var score: Int?
            /// false: already reported in this period.
            public var reported: Bool
            public var report: IncidentReport
            public var rejection: String?
        }
        public var items: [Item] = []
        public var enqueued = 0
        /// Rows of the query that named no stored incident.
        public var unknown: [String] = []
    }

    /// A manual run's period: the day (UTC) it ends and its window.
    public static func period(days: Int, now: Int64) -> String {
        "manual|\(String(ReportTime(now).iso.prefix(10)))|\(days)d"
    }

    /// `keep` is called before each block of reports is built and before each incident is
    /// delivered: the scheduled digest renews its lease there (and stops, by throwing, when another
    /// node has taken the period over), so a long run keeps a short lease.
    public func run(_ o: Options, now: Int64, keep: () throws -> Void = {}) throws -> Outcome {
        let query = settings.query ?? RiskyIncidents.defaultQuery
        let params = RiskyIncidents.parameters(days: o.days, count: o.count, minScore: o.minScore)
        let table: Table
        switch QueryRunner(provider: store, now: now, parameters: params).run(query) {
        case .failure(_, let message): throw ReportError("the report query failed:\n\(message)")
        case .success(let r, _): table = r.first?.table ?? Table.empty(Schema([]))
        }
        let selected = try table.schema.columns.isEmpty ? [] : RiskyIncidents.selection(table)
        let incidents = IncidentStore(store: store)
        var out = Outcome()
        var chosen: [(Incident, Int?)] = []
        for s in selected {
            if let inc = try s.number.flatMap({ try incidents.get(number: $0) }) ?? s.id.flatMap({ try incidents.get(id: $0) }) {
                chosen.append((inc, s.score))
            } else {
                out.unknown.append(s.number.map(String.init) ?? s.id ?? "?")
            }
        }
        let done = try ReportDeliveries(store: store).reported(period: o.period)
        // Built in blocks: a report narrated by a language model takes seconds, and the lease must
        // be renewed between them.
        for start in stride(from: 0, to: chosen.count, by: Self.block) {
            try keep()
            let part = chosen[start..<min(start + Self.block, chosen.count)]
            let built = try reports.build(part.map(\.0), now: now)
            for ((inc, score), b) in zip(part, built) {
                let again = done.contains(inc.id)
                out.items.append(.init(number: inc.number, title: inc.title, score: score ?? inc.riskScore?.total, reported: !again, report: b.report, rejection: b.rejection))
                guard !again, !o.dryRun else { continue }
                try keep()
                out.enqueued += try deliver(b.report, incident: inc, period: o.period, now: now)
            }
        }
        if !o.dryRun { try ReportDeliveries(store: store).record(period: o.period, incidentID: "", now: now) }
        return out
    }
    static let block = 25

    /// The comment, the tag, the messages, then the record that the period is done for it.
    func deliver(_ report: IncidentReport, incident inc: Incident, period: String, now: Int64) throws -> Int {
        let commentID = ProducerAgent.guid("report|\(period)|\(inc.id)")
        // Read again (it may have changed since it was selected), and saved as a change to what it
        // is then: a concurrent save (the pipeline's triage, another period's digest) keeps both.
        let inc = try IncidentStore(store: store).get(id: inc.id) ?? inc
        var out = inc
        if !out.comments.contains(where: { $0.id == commentID }) {
            out.comments.append(Incident.Comment(id: commentID, message: ReportRenderer.html(report), author: ReportBuilder.author, createdTime: now))
        }
        if !settings.tag.isEmpty && !out.labels.contains(where: { $0.labelName == settings.tag }) { out.labels.append(.init(settings.tag, .autoAssigned)) }
        if out != inc {
            out.lastModifiedTime = now
            try IncidentStore(store: store).save([out], actor: ReportBuilder.author, action: { _ in ("report", "riskiest-incidents report, period \(period)") }, now: now,
                                                 bases: [inc.id: inc])
        }
        let link = uiBaseURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/incidents/\(inc.number)"
        let notice = ReportNotice(report: report, markdown: ReportRenderer.markdown(report), json: ReportRenderer.json(report), link: link)
        let messages = channels.map { ch -> OutboxMessage in
            let key = ProducerAgent.guid("outbox|\(period)|\(inc.id)|\(ch.name)")
            return OutboxMessage(key: key, channel: ch.name, body: ChannelPayload.body(notice, for: ch.kind, deliveryID: key), created: now)
        }
        let added = try OutboxStore(store: store).enqueue(messages)
        try ReportDeliveries(store: store).record(period: period, incidentID: inc.id, now: now)
        return added
    }
}
