import Foundation
public import Hummingbird
import HTTPTypes
import NIOCore
import NIOPosix
import Reports
public import VigilCore
public import VigilStore

/// The web UI, served by the binary: the incident queue, an incident (timeline by tactic, entities,
/// alerts, evidence, the score as a bar chart, the review, the report, and the analyst's actions),
/// the query editor (results, errors with their position, `render timechart`), rule health and
/// watchlists. Server-rendered pages; sign-in with an API token (a session cookie, HttpOnly,
/// SameSite=Strict, CSRF field on every form, failed sign-ins rate-limited).
public struct WebUI: Sendable {
    let store: LogStore
    let actions: IncidentEndpoints.Actions
    let query: QueryEndpoint.Execute
    let admin: AdminEndpoints.Actions?
    let clock: @Sendable () -> Int64
    let sessions: UISessions
    let limiter = FailureLimiter()

    public init(store: LogStore, actions: IncidentEndpoints.Actions, query: @escaping QueryEndpoint.Execute, admin: AdminEndpoints.Actions? = nil,
                clock: @escaping @Sendable () -> Int64) {
        self.store = store; self.actions = actions; self.query = query; self.admin = admin; self.clock = clock
        sessions = UISessions(tokens: store.workspace.config.server.auth == "tokens" ? TokenStore(store: store) : nil)
    }

    struct Visit {
        var caller: Caller
        var cookie: String?
        var csrf: String
    }

    public func register(on router: Router<VigilRequestContext>) {
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/incidents"]) }
        router.get("/static/vigil.css") { _, _ in text(HTML.css, "text/css; charset=utf-8") }
        router.get("/static/vigil.js") { _, _ in text(HTML.js, "text/javascript; charset=utf-8") }
        router.get("/login") { request, _ in page(loginPage(nil, next: request.uri.queryParameters.get("next").map { String($0) })) }
        router.post("/login") { request, _ in
            let form = HTML.form(Data(try await request.body.collect(upTo: 16 * 1024).readableBytesView))
            let now = clock()
            guard let tokens = sessions.tokens else { return redirect("/incidents") }
            if case .valid(let t)? = try? tokens.check(form["token"] ?? "", now: now) {
                let cookie = sessions.issue(tokenID: t.id, now: now)
                var r = redirect(form["next"].flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") && !$0.hasPrefix("/\\") ? $0 : nil } ?? "/incidents")
                r.headers[.setCookie] = "\(UISessions.cookie)=\(cookie); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(sessions.lifetime)"
                return r
            }
            guard limiter.record(now: now) else { return page(loginPage("Too many failed sign-ins; wait a few seconds.", next: form["next"]), status: .tooManyRequests) }
            return page(loginPage("That token is not valid (wrong, expired or revoked).", next: form["next"]), status: .unauthorized)
        }
        router.post("/logout") { _, _ in
            var r = redirect("/login")
            r.headers[.setCookie] = "\(UISessions.cookie)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
            return r
        }
        router.get("/incidents") { request, _ in try await visit(request, .reader) { v in queuePage(request, v) } }
        router.get("/incidents/:number") { request, context in
            try await visit(request, .reader) { v in try incidentPage(try number(context), v, message: request.uri.queryParameters.get("done")) }
        }
        router.get("/incidents/:number/report") { request, context in
            try await visit(request, .reader) { v in
                guard let inc = try IncidentStore(store: store).get(number: try number(context)) else { return notFound(v) }
                let (html, _) = try actions.report(inc, "html")
                return page(HTML.page("Report \(inc.number)", caller: v.caller, active: "Incidents", "<p><a href=\"/incidents/\(inc.number)\">← incident</a></p><div class=\"card report\">\(html)</div>"))
            }
        }
        router.post("/incidents/:number/update") { request, context in
            let form = HTML.form(Data(try await request.body.collect(upTo: 64 * 1024).readableBytesView))
            return try await visit(request, .responder, form: form) { v in try update(try number(context), form, v) }
        }
        router.post("/incidents/:number/comment") { request, context in
            let form = HTML.form(Data(try await request.body.collect(upTo: 64 * 1024).readableBytesView))
            return try await visit(request, .responder, form: form) { v in try comment(try number(context), form, v) }
        }
        router.get("/query") { request, _ in try await visit(request, .reader) { v in queryPage(nil, now: nil, v) } }
        router.post("/query") { request, _ in
            let form = HTML.form(Data(try await request.body.collect(upTo: 256 * 1024).readableBytesView))
            return try await visit(request, .reader, form: form) { v in queryPage(form["q"] ?? "", now: form["now"], v) }
        }
        router.get("/rules") { request, _ in try await visit(request, .reader) { v in rulesPage(v, message: request.uri.queryParameters.get("done")) } }
        router.post("/rules/:file/enabled") { request, context in
            let form = HTML.form(Data(try await request.body.collect(upTo: 16 * 1024).readableBytesView))
            return try await visit(request, .contributor, form: form) { v in
                try setEnabled(try context.parameters.require("file"), form["enabled"] == "true", v)
            }
        }
        router.get("/watchlists") { request, _ in try await visit(request, .reader) { v in try watchlistsPage(v) } }
    }

    /// Signs the caller in (or sends them to the sign-in page), checks the role and, for forms, the
    /// CSRF field; then renders off the event loop.
    func visit(_ request: Request, _ role: APIRole, form: [String: String]? = nil, _ render: @escaping @Sendable (Visit) throws -> Response) async throws -> Response {
        let cookie = UISessions.read(request.headers[.cookie])
        guard let caller = sessions.caller(cookie: cookie, now: clock()) else {
            let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return redirect("/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "/incidents"))
        }
        let v = Visit(caller: caller, cookie: cookie, csrf: sessions.csrf(cookie))
        guard caller.role >= role else {
            return page(HTML.page("Forbidden", caller: caller, active: "", "<div class=\"error\">This needs the \(role.rawValue) role; you are \(caller.role.rawValue).</div>"), status: .forbidden)
        }
        if let form, !UISessions.equal(form["csrf"] ?? "", v.csrf) {
            return page(HTML.page("Forbidden", caller: caller, active: "", "<div class=\"error\">The form is stale or did not come from this page; reload it and try again.</div>"), status: .forbidden)
        }
        do { return try await NIOThreadPool.singleton.runIfActive { try render(v) } } catch {
            let e = ServerError.from(error)
            return page(HTML.page("Error", caller: caller, active: "", "<div class=\"error\">\(HTML.esc(e.code)): \(HTML.esc(e.message))</div>"), status: e.status)
        }
    }

    func number(_ context: VigilRequestContext) throws -> Int {
        let t = try context.parameters.require("number")
        guard let n = Int(t) else { throw ServerError(.badRequest, "BadRequest", "'\(t)' is not an incident number") }
        return n
    }

    func text(_ s: String, _ type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"], body: ResponseBody(byteBuffer: ByteBuffer(string: s)))
    }

    func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: "default-src 'self'; style-src 'self'; script-src 'self'",
                                   .cacheControl: "no-store"]
        if let frame = HTTPField.Name("X-Frame-Options") { headers[frame] = "DENY" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    func redirect(_ to: String) -> Response { Response(status: .seeOther, headers: [.location: to]) }

    func notFound(_ v: Visit) -> Response {
        page(HTML.page("Not found", caller: v.caller, active: "Incidents", "<div class=\"error\">No such incident.</div>"), status: .notFound)
    }

    func loginPage(_ error: String?, next: String?) -> String {
        HTML.page("Sign in", caller: nil, active: "", """
        <div class="card"><h1>Sign in</h1>\(error.map { "<div class=\"error\">\(HTML.esc($0))</div>" } ?? "")
        <form method="post" action="/login"><input type="hidden" name="next" value="\(HTML.esc(next ?? "/incidents"))"><p><label>API token<br><input type="password" name="token" id="token" size="60" autocomplete="off"></label></p>
        <p><button id="signin">Sign in</button></p></form><p class="muted">Create one with <code>vigil tokens create --role responder --name YOU</code>.</p></div>
        """)
    }

    func hidden(_ v: Visit) -> String { "<input type=\"hidden\" name=\"csrf\" value=\"\(v.csrf)\">" }
}
