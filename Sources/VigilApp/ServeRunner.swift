public import Foundation
public import Logging
import ServiceLifecycle
import UnixSignals
import Metrics
import Notifications
import Reports
import VigilCore
import VigilServer
public import VigilStore

/// `vigil serve`: the HTTP API, the syslog listener (when enabled), the analytics rules and store maintenance as one
/// service group; SIGTERM and SIGINT shut it down gracefully (listeners stop, buffers are stored).
public struct ServeRunner: Sendable {
    public var store: LogStore
    public var host: String
    public var port: Int
    public var syslog: (enabled: Bool, host: String, udp: Int, tcp: Int)
    public var logger: Logger
    public var clock: @Sendable () -> Int64

    public init(store: LogStore, host: String? = nil, port: Int? = nil, logger: Logger,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e7) }) {
        let cfg = store.workspace.config
        self.store = store
        self.host = host ?? cfg.server.host
        self.port = port ?? cfg.server.port
        self.syslog = (cfg.syslog.enabled, cfg.syslog.host, cfg.syslog.udpPort, cfg.syslog.tcpPort)
        self.logger = logger
        self.clock = clock
    }

    /// What `onRunning` is told once everything listens.
    public struct Started: Sendable {
        public var port: Int
        public var syslog: (udp: Int, tcp: Int)?
        /// Stops the server as SIGTERM does: listeners close, buffered messages and batches are stored.
        public var shutdown: @Sendable () async -> Void
    }

    /// Runs until a signal or `Started.shutdown()`.
    public func run(onRunning: @escaping @Sendable (Started) async -> Void = { _ in }, signals: Bool = true) async throws {
        let store = self.store, clock = self.clock
        let query = QueryEndpoint(execute: { q, now in QueryRunner(provider: store, now: now).runJSON(q) }, clock: clock)
        let auth = AuthMiddleware(tokens: store.workspace.config.server.auth == "tokens" ? TokenStore(store: store) : nil, clock: clock)
        let actions = Self.actions(store: store, clock: clock)
        let adminActions = AdminActions.make(store: store, clock: clock)
        let router = HTTPServer.router(store: store, endpoints: .init(ingest: IngestEndpoint(store: store), query: query,
                                                                      incidents: IncidentEndpoints(store: store, actions: actions, clock: clock),
                                                                      tokens: TokenEndpoints(store: store, clock: clock),
                                                                      ui: WebUI(store: store, actions: actions, query: { q, now in QueryRunner(provider: store, now: now).runJSON(q) },
                                                                                admin: adminActions, clock: clock),
                                                                      admin: AdminEndpoints(store: store, actions: adminActions, clock: clock),
                                                                      catalog: CatalogEndpoints(store: store, clock: clock)),
                                       auth: auth,
                                     scrape: {
                                         let counts = (try? OutboxStore(store: store).counts()) ?? [:]
                                         for state in OutboxMessage.State.allCases {
                                             Gauge(label: "vigil_outbox_messages", dimensions: [("state", state.rawValue)]).record(counts[state] ?? 0)
                                         }
                                         Gauge(label: "vigil_ingest_pending_rows").record(store.pendingRows)
                                     })
        var services: [any Service] = [StoreMaintenance(store: store, logger: logger, clock: clock)]
        let listener: SyslogListener? = syslog.enabled
            ? SyslogListener(store: store, host: syslog.host, udpPort: syslog.udp, tcpPort: syslog.tcp, logger: logger) : nil
        if let listener { services.append(listener) }
        // The node's name in leases: by host and port, unique among nodes and the same after a
        // restart, which then renews its own lease instead of waiting for it to expire.
        let node = port == 0 ? DetectionLoop.defaultNodeID() : "\(ProcessInfo.processInfo.hostName):\(port)"
        if store.workspace.config.detection.enabled {
            services.append(DetectionService(loop: DetectionLoop(store: store, logger: logger, clock: clock, nodeID: node), clock: clock))
        }
        services.append(OutboxService(worker: OutboxWorker(store: store), logger: logger, clock: clock))
        if store.workspace.config.reports.enabled {
            services.append(ReportScheduleService(store: store, logger: logger, uiBaseURL: "http://\(host):\(port)", clock: clock, nodeID: node))
        }
        let groupBox = GroupBox()
        let app = HTTPServer.application(router: router, host: host, port: port, logger: logger) { port in
            let ports = await listener?.ports()
            await onRunning(Started(port: port, syslog: ports, shutdown: { await groupBox.group?.triggerGracefulShutdown() }))
        }
        services.insert(app, at: 0)
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: signals ? [.sigterm, .sigint] : [], logger: logger))
        groupBox.group = group
        try await group.run()
    }
}

extension ServeRunner {
    /// What the incident API asks of the pipeline: reports, triage and reviews on demand, each
    /// recorded in the audit trail under the caller's token.
    static func actions(store: LogStore, clock: @escaping @Sendable () -> Int64) -> IncidentEndpoints.Actions {
        IncidentEndpoints.Actions(
            report: { inc, format in
                let built = try IncidentReports(store: store).build(inc, now: clock())
                switch format {
                case "html": return (ReportRenderer.html(built.report), "text/html; charset=utf-8")
                case "json": return (ReportRenderer.json(built.report), "application/json")
                default: return (ReportRenderer.markdown(built.report), "text/markdown; charset=utf-8")
                }
            },
            triage: { inc, actor in
                let now = clock()
                try IncidentStore(store: store).recordAudit(actor: actor, action: "triage requested", detail: "", now: now, incidentID: inc.id)
                var pipeline = IncidentPipeline(store: store, rules: [])
                pipeline.model = nil
                return try pipeline.triage([inc], now: now)[inc.id] ?? inc
            },
            review: { inc, actor in
                let now = clock()
                try IncidentStore(store: store).recordAudit(actor: actor, action: "review requested", detail: "", now: now, incidentID: inc.id)
                var pipeline = IncidentPipeline(store: store, rules: [])
                pipeline.model = nil
                try pipeline.review([inc], now: now)
                return try IncidentStore(store: store).get(number: inc.number) ?? inc
            })
    }
}

/// Lets the started callback reach the group that is being run.
final class GroupBox: @unchecked Sendable {
    var group: ServiceGroup?
}
