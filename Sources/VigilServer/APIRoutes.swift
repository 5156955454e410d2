public import Hummingbird
public import VigilCore

/// Every `/api` route with the least role that may call it: the one table the auth middleware
/// enforces, the OpenAPI document describes and the role tests walk. A route missing here is
/// answered 404 even if a handler exists, so nothing is reachable without a declared role.
public struct APIRoute: Sendable, Equatable {
    public var method: HTTPRequest.Method
    public var path: String
    public var role: APIRole
    public var summary: String

    public init(_ method: HTTPRequest.Method, _ path: String, _ role: APIRole, _ summary: String) {
        self.method = method; self.path = path; self.role = role; self.summary = summary
    }

    /// Whether a concrete path (`/api/incidents/12/comments`) is this route's pattern
    /// (`/api/incidents/{number}/comments`).
    public func matches(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        guard method == self.method else { return false }
        let a = self.path.split(separator: "/"), b = path.split(separator: "/")
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }

    /// The pattern in Hummingbird's syntax (`:number`).
    var routerPath: String {
        path.split(separator: "/").map { $0.hasPrefix("{") ? ":" + $0.dropFirst().dropLast() : String($0) }.joined(separator: "/").prefixed("/")
    }

    public static let all: [APIRoute] = [
        APIRoute(.post, "/api/query", .reader, "Run a KQL query"),
        APIRoute(.post, "/api/ingest/{table}", .contributor, "Ingest JSON or JSON lines into a table"),
        APIRoute(.get, "/api/incidents", .reader, "List incidents ($filter, $orderby, $top, $skipToken)"),
        APIRoute(.post, "/api/incidents", .responder, "Create an incident by hand (title and severity required)"),
        APIRoute(.get, "/api/incidents/{number}", .reader, "Get an incident"),
        APIRoute(.delete, "/api/incidents/{number}", .contributor, "Delete an incident (its SecurityIncident history stays)"),
        APIRoute(.get, "/api/incidents/{number}/relations", .reader, "The incident's relations (its alerts)"),
        APIRoute(.patch, "/api/incidents/{number}", .responder, "Update an incident (If-Match: its etag)"),
        APIRoute(.put, "/api/incidents/{number}", .responder, "Update an incident (If-Match: its etag)"),
        APIRoute(.get, "/api/incidents/{number}/alerts", .reader, "The incident's alerts"),
        APIRoute(.get, "/api/incidents/{number}/entities", .reader, "The incident's entities"),
        APIRoute(.get, "/api/incidents/{number}/comments", .reader, "The incident's comments"),
        APIRoute(.post, "/api/incidents/{number}/comments", .responder, "Add a comment"),
        APIRoute(.delete, "/api/incidents/{number}/comments/{id}", .responder, "Delete a comment"),
        APIRoute(.get, "/api/incidents/{number}/audit", .reader, "The incident's audit trail"),
        APIRoute(.get, "/api/incidents/{number}/report", .reader, "The incident report (?format=md|html|json)"),
        APIRoute(.post, "/api/incidents/{number}/triage", .responder, "Run the evidence modules and the score"),
        APIRoute(.post, "/api/incidents/{number}/review", .responder, "Run the reviewer agent"),
        APIRoute(.get, "/api/rules", .reader, "Analytics rules with their health"),
        APIRoute(.get, "/api/rules/{name}", .reader, "A rule file"),
        APIRoute(.put, "/api/rules/{name}", .contributor, "Create or replace a rule file (Sentinel YAML or ARM JSON), validated"),
        APIRoute(.delete, "/api/rules/{name}", .contributor, "Delete a rule file"),
        APIRoute(.get, "/api/policies/{kind}", .reader, "A policy (review, scoring, automation) as YAML"),
        APIRoute(.put, "/api/policies/{kind}", .contributor, "Install a policy (validated; a review policy's version must increase)"),
        APIRoute(.get, "/api/watchlists", .reader, "Watchlists"),
        APIRoute(.put, "/api/watchlists/{alias}", .contributor, "Upload a watchlist (CSV body; ?searchKey=COLUMN&name=)"),
        APIRoute(.delete, "/api/watchlists/{alias}", .contributor, "Delete a watchlist"),
        APIRoute(.post, "/api/threatintelligence", .contributor, "Import indicators (STIX 2.1 bundle or CSV)"),
        APIRoute(.get, "/api/tables", .reader, "Tables: the catalog's and the workspace's, with rows and time ranges (?all=true: empty ones too)"),
        APIRoute(.get, "/api/tables/{name}", .reader, "A table's columns"),
        APIRoute(.put, "/api/tables/{name}", .contributor, "Create a custom table (NAME_CL) from its columns (JSON)"),
        APIRoute(.delete, "/api/tables/{name}", .contributor, "Drop a table's data (and a custom table's columns)"),
        APIRoute(.get, "/api/functions", .reader, "Workspace functions and the built-in ASIM parsers"),
        APIRoute(.get, "/api/functions/{name}", .reader, "A function: parameters, body, names"),
        APIRoute(.put, "/api/functions/{name}", .contributor, "Install a function: JSON, or a parser file (ASIM YAML or KQL text)"),
        APIRoute(.delete, "/api/functions/{name}", .contributor, "Remove a workspace function (a built-in parser of that name applies again)"),
        APIRoute(.get, "/api/tokens", .admin, "List API tokens (never their secrets)"),
        APIRoute(.post, "/api/tokens", .admin, "Create an API token (its secret is in this answer only)"),
        APIRoute(.delete, "/api/tokens/{name}", .admin, "Revoke an API token"),
    ]
}

extension String {
    func prefixed(_ p: String) -> String { hasPrefix(p) ? self : p + self }
}
