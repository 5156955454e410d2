import Foundation
import KQL
import NIOCore
import NIOHTTP1
import NIOPosix
import Notifications
import OrderedCollections
import Reports
import VigilCore
import VigilStore

extension Benchmark {
    public struct ReportFigures: Sendable {
        public var incidents: Int
        public var setupSeconds: Double
        public var reports: Int
        /// Build (incident, audit, alerts' entities) and render in Markdown, HTML and JSON.
        public var reportSeconds: Double
        public var selectionSeconds: Double
        /// Selection, reports, comments, tags and the outbox.
        public var jobSeconds: Double
        public var deliverySeconds: Double
        public var delivered: Int
        public var selected: [Int]
    }

    /// Reports for `reports` incidents, then the riskiest-incidents digest end to end (selection over
    /// `SecurityIncident`, reports, comments, tags, delivery to a webhook on loopback) over a
    /// workspace of `incidents` synthetic incidents.
    public static func runReports(reports: Int, incidents: Int) async throws -> ReportFigures {
        let path = NSTemporaryDirectory() + "vigil-bench-reports-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { ch in ch.pipeline.configureHTTPServerPipeline().flatMap { ch.pipeline.addHandler(Sink()) } }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { _ = sink.close() }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try """
        notifications:
          channels:
            - {name: siem, type: webhook, url: "http://127.0.0.1:\(sink.localAddress?.port ?? 0)/hook", secret: bench}
        """.write(toFile: path + "/vigil.yaml", atomically: true, encoding: .utf8)
        let store = try LogStore(workspace: Workspace.open(path))
        let now = DateTimeParser.parse("2024-06-30T07:00:00Z")!
        let s0 = DispatchTime.now().uptimeNanoseconds
        let all = try seedIncidents(store, count: incidents, now: now)
        let s1 = DispatchTime.now().uptimeNanoseconds

        var builder = IncidentReports(store: store)
        builder.model = nil
        let sample = Array(all.prefix(reports))
        let r0 = DispatchTime.now().uptimeNanoseconds
        var bytes = 0
        for b in try builder.build(sample, now: now) {
            bytes += ReportRenderer.markdown(b.report).utf8.count + ReportRenderer.html(b.report).utf8.count + ReportRenderer.json(b.report).utf8.count
        }
        let r1 = DispatchTime.now().uptimeNanoseconds
        precondition(bytes > 0)

        let q0 = DispatchTime.now().uptimeNanoseconds
        guard case .success(let t, _) = QueryRunner(provider: store, now: now, parameters: RiskyIncidents.parameters(days: 7, count: 10, minScore: 0))
            .run(RiskyIncidents.defaultQuery), let table = t.first?.table else { throw ValidationFailure(message: "the digest query failed") }
        let selected = try RiskyIncidents.selection(table).compactMap(\.number)
        let q1 = DispatchTime.now().uptimeNanoseconds
        var job = RiskyReportJob(store: store)
        job.reports.model = nil
        let j0 = DispatchTime.now().uptimeNanoseconds
        _ = try job.run(.init(days: 7, count: 10, minScore: 0, period: "bench"), now: now)
        let j1 = DispatchTime.now().uptimeNanoseconds
        let pass = try await OutboxWorker(store: store).drainAll(now: { now })
        let j2 = DispatchTime.now().uptimeNanoseconds
        return ReportFigures(incidents: incidents, setupSeconds: Double(s1 - s0) / 1e9, reports: sample.count, reportSeconds: Double(r1 - r0) / 1e9,
                             selectionSeconds: Double(q1 - q0) / 1e9, jobSeconds: Double(j1 - j0) / 1e9, deliverySeconds: Double(j2 - j1) / 1e9,
                             delivered: pass.delivered, selected: selected)
    }

    /// Incidents as the pipeline leaves them: alerts (also in `SecurityAlert`), entities, a scored
    /// label, triage comments, a review; each saved once (one `SecurityIncident` row and audit entry).
    static func seedIncidents(_ store: LogStore, count: Int, now: Int64) throws -> [Incident] {
        var seed: UInt64 = 11
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        let day = Ticks.perDay
        let tactics = MitreTactic.allCases
        var out: [Incident] = []
        out.reserveCapacity(count)
        let alertSchema = SchemaCatalog.builtIn["SecurityAlert"]!
        let alertCols = ["TimeGenerated", "SystemAlertId", "AlertName", "AlertSeverity", "Tactics", "StartTime", "EndTime", "Entities", "ExtendedProperties"]
        let schema = Schema(alertCols.compactMap { c in alertSchema.columns.first { $0.name == c } })
        for chunk in stride(from: 0, to: count, by: 5_000) {
            var batch: [Incident] = []
            var alertRows: [[Value]] = []
            for i in chunk..<min(count, chunk + 5_000) {
                let created = now - Int64(next(90 * 24 * 60)) * Ticks.perMinute
                var inc = Incident(id: "00000000-0000-4000-8000-\(String(format: "%012d", i + 1))", number: i + 1, title: "Synthetic incident \(i + 1)",
                                   severity: Severity.allCases[next(4)], createdTime: created)
                let user = Entity(type: .account, properties: ["FullName": "user\(String(format: "%05d", next(20_000)))@contoso.com"])
                let host = Entity(type: .host, properties: ["HostName": "WS-\(next(2_000))"])
                let ip = Entity(type: .ip, properties: ["Address": "203.0.\(next(250)).\(next(250))"])
                inc.entities = [user, host, ip]
                for a in 0..<(1 + next(4)) {
                    let t = created - Int64(next(300)) * Ticks.perMinute
                    let tactic = tactics[next(14)]
                    let id = "alert-\(i + 1)-\(a)"
                    inc.alerts.append(.init(systemAlertID: id, ruleID: "rule-\(next(60))", name: "Rule \(next(60))", severity: Severity.allCases[next(4)],
                                            tactics: [tactic], startTime: t, endTime: t + Ticks.perMinute, isAnomaly: false))
                    alertRows.append([.datetime(t), .string(id), .string("Rule"), .string("Medium"), .string(tactic.rawValue), .datetime(t), .datetime(t + Ticks.perMinute),
                                      .string(#"[{"Type":"account","FullName":"\#(user.displayName)"},{"Type":"host","HostName":"\#(host.displayName)"},{"Type":"ip","Address":"\#(ip.displayName)"}]"#),
                                      .string("{}")])
                }
                inc.firstActivityTime = inc.alerts.map(\.startTime).min()!
                inc.lastActivityTime = inc.alerts.map(\.endTime).max()!
                inc.tactics = Array(Set(inc.alerts.flatMap(\.tactics))).sorted()
                let score = next(140)
                inc.riskScore = .init(total: score, contributions: [.init(source: "Related alerts", points: score, reason: "\(inc.alerts.count) related alerts")], time: created)
                inc.labels = [.init("Risk Score - \(score)", .autoAssigned)]
                inc.comments = [.init(id: "t\(i)", message: "**Related alerts**: 1 finding\n\n| Finding | Level |\n|---|---|\n| Rule at \(created) | High |",
                                      author: "triage: Related alerts", createdTime: created)]
                inc.review = .init(outcome: .approve, policyVersion: "v1", matchedRules: ["default"], reasons: ["default rule"], gates: [], time: created, shadow: false)
                inc.status = .active
                batch.append(inc)
            }
            try IncidentStore(store: store).save(batch, actor: "producer-agent", action: { _ in ("created", "synthetic") }, now: now)
            _ = try store.writeExtent(table: "SecurityAlert", batch: Table.from(schema: schema, rows: alertRows), addedColumns: [])
            out += batch
        }
        return out
    }
}

/// Answers every request 204: the receiving end of the digest benchmark.
private final class Sink: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let head = HTTPResponseHead(version: .http1_1, status: .noContent, headers: ["Content-Length": "0"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
