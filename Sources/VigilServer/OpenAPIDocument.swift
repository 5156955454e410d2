import Foundation
import Hummingbird
import VigilCore

/// `/openapi.json`: an OpenAPI 3.1 document generated from `APIRoute.all`, the same table the auth
/// middleware enforces, so the document cannot drift from the routes; each operation names the
/// least role it needs (`x-vigil-role`) and the error shape every failure shares.
public enum OpenAPIDocument {
    public static func json(serverURL: String? = nil) -> String {
        var paths: [String: [String: Any]] = [:]
        for r in APIRoute.all {
            let params = r.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { p -> [String: Any] in
                let name = String(p.dropFirst().dropLast())
                return ["name": name, "in": "path", "required": true, "schema": ["type": name == "number" ? "integer" : "string"]]
            }
            var op: [String: Any] = [
                "summary": r.summary,
                "operationId": operationID(r),
                "x-vigil-role": r.role.rawValue,
                "security": [["bearer": [String]()]],
                "responses": responses(r),
            ]
            var query: [[String: Any]] = []
            if r.path == "/api/incidents" && r.method == .get {
                query = ["$filter", "$orderby", "$top", "$skipToken"].map { ["name": $0, "in": "query", "required": false, "schema": ["type": $0 == "$top" ? "integer" : "string"]] }
            }
            if r.path.hasSuffix("/report") { query = [["name": "format", "in": "query", "required": false, "schema": ["type": "string", "enum": ["md", "html", "json"]]]] }
            if !(params + query).isEmpty { op["parameters"] = params + query }
            if [.post, .put, .patch].contains(r.method) {
                op["requestBody"] = ["required": true, "content": ["application/json": ["schema": ["type": "object"]]]]
            }
            paths[r.path, default: [:]][r.method.rawValue.lowercased()] = op
        }
        paths["/healthz"] = ["get": ["summary": "Liveness", "operationId": "healthz", "security": [], "responses": ["200": ["description": "alive"]]]]
        paths["/readyz"] = ["get": ["summary": "Readiness (ingest can be accepted)", "operationId": "readyz", "security": [],
                                    "responses": ["200": ["description": "ready"], "503": ["description": "busy"]]]]
        paths["/metrics"] = ["get": ["summary": "Prometheus metrics", "operationId": "metrics", "security": [], "responses": ["200": ["description": "text exposition format"]]]]
        var doc: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "Vigil API", "version": "1", "description": "Incidents shaped like Microsoft Sentinel's, KQL queries, ingest, tokens. Authorization: Bearer <token> (vigil tokens create)."],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
                "schemas": ["Error": ["type": "object", "required": ["code", "message"], "properties": ["code": ["type": "string"], "message": ["type": "string"]]]],
            ],
        ]
        if let serverURL { doc["servers"] = [["url": serverURL]] }
        let data = (try? JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func operationID(_ r: APIRoute) -> String {
        let words = r.path.split(separator: "/").dropFirst().map { $0.hasPrefix("{") ? "By" + $0.dropFirst().dropLast().capitalized : $0.capitalized }
        return r.method.rawValue.lowercased() + words.joined()
    }

    static func responses(_ r: APIRoute) -> [String: Any] {
        let error: [String: Any] = ["description": "error", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        var out: [String: Any] = ["400": error, "401": error, "403": error, "404": error, "429": error]
        switch r.method {
        case .delete: out["204"] = ["description": "deleted"]
        case .post where r.path.hasSuffix("/comments") || r.path == "/api/tokens": out["201"] = ["description": "created"]
        default: out["200"] = ["description": "ok"]
        }
        if r.method == .patch || r.method == .put { out["409"] = error; out["413"] = error }
        return out
    }
}
