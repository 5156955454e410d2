public import Hummingbird
public import Logging
public import NIOCore
public import VigilStore

/// The HTTP side of `vigil serve`: routes of every endpoint, health and readiness.
public enum HTTPServer {
    public struct Endpoints: Sendable {
        public var ingest: IngestEndpoint
        public var query: QueryEndpoint
        public var incidents: IncidentEndpoints?
        public var tokens: TokenEndpoints?
        public var ui: WebUI?
        public var admin: AdminEndpoints?
        public var catalog: CatalogEndpoints?
        public init(ingest: IngestEndpoint, query: QueryEndpoint, incidents: IncidentEndpoints? = nil, tokens: TokenEndpoints? = nil, ui: WebUI? = nil,
                    admin: AdminEndpoints? = nil, catalog: CatalogEndpoints? = nil) {
            self.ingest = ingest; self.query = query; self.incidents = incidents; self.tokens = tokens; self.ui = ui; self.admin = admin
            self.catalog = catalog
        }
    }

    /// `auth`: the token check every `/api` route goes through (`server.auth: tokens`).
    /// `scrape`: refreshes the gauges that are read, not counted (the outbox backlog), before `/metrics` answers.
    public static func router(store: LogStore, endpoints: Endpoints, auth: AuthMiddleware, scrape: @escaping @Sendable () -> Void = {}) -> Router<VigilRequestContext> {
        VigilMetrics.bootstrap()
        let router = Router(context: VigilRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: auth)
        router.get("/metrics") { _, _ in
            scrape()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: VigilMetrics.text())))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        // Ready while ingest can be accepted: not when the write-ahead area is at its bound.
        router.get("/readyz") { _, _ -> Response in
            let pending = store.pendingRows, limit = store.workspace.config.ingest.maxPendingRows
            if limit > 0 && pending >= limit {
                return ServerError(.serviceUnavailable, "Busy", "\(pending) rows waiting to be sealed").response()
            }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ready\n")))
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json())))
        }
        endpoints.ingest.register(on: router)
        endpoints.query.register(on: router)
        endpoints.incidents?.register(on: router)
        endpoints.tokens?.register(on: router)
        endpoints.ui?.register(on: router)
        endpoints.admin?.register(on: router)
        endpoints.catalog?.register(on: router)
        return router
    }

    /// The Hummingbird application, a `Service` for the service group; `onRunning` gets the bound port.
    public static func application(router: Router<VigilRequestContext>, host: String, port: Int, logger: Logger,
                                   onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "Vigil"),
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }
}
