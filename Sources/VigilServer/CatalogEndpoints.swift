public import Foundation
public import Hummingbird
import Ingestion
import KQL
import NIOCore
import SentinelParsers
import VigilCore
public import VigilStore

/// The workspace's catalog through the API: tables (custom ones created from declared columns, any
/// non-built-in one dropped) and workspace functions (installed from JSON or from a Sentinel parser
/// file, exactly as `vigil functions install` reads it). Every change is audited.
public struct CatalogEndpoints: Sendable, JSONEndpoint {
    let store: LogStore
    let clock: @Sendable () -> Int64
    public init(store: LogStore, clock: @escaping @Sendable () -> Int64) { self.store = store; self.clock = clock }

    struct ColumnDTO: Codable { var name: String; var type: String }
    struct TableDTO: Encodable {
        var name: String; var kind: String; var rows: Int; var extents: Int; var unsealedRows: Int; var bytes: Int
        var from: String?; var to: String?; var columns: [ColumnDTO]?
    }
    struct FunctionDTO: Codable {
        var name: String?
        var aliases: [String]?
        var parameters: [WorkspaceFunction.Parameter]?
        var body: String?
        var title: String?
        var category: String?
        var version: String?
        var source: String?
        var origin: String?
    }

    public func register(on router: Router<VigilRequestContext>) {
        router.get("/api/tables") { request, _ in
            try await respond {
                let all = request.uri.queryParameters.get("all") == "true"
                return try json(["value": tables(all: all)])
            }
        }
        router.get("/api/tables/:name") { _, context in
            try await respond {
                let name = try context.parameters.require("name")
                guard let s = store.schema(of: name) else {
                    throw ServerError(.notFound, "NotFound", "no table '\(name)'" + NameSuggestion.didYouMean(name, among: store.tableNames()))
                }
                var t = tables(all: true).first { $0.name == name } ?? TableDTO(name: name, kind: kind(name), rows: 0, extents: 0, unsealedRows: 0, bytes: 0)
                t.columns = s.columns.map { ColumnDTO(name: $0.name, type: $0.type.rawValue) }
                return try json(t)
            }
        }
        router.put("/api/tables/:name") { request, context in
            let body = try await collect(request, 1 << 20)
            return try await respond {
                let name = try context.parameters.require("name")
                guard let cols = try TableDeclaration.columns(fromSchemaDocument: Array(body)) else {
                    throw ServerError(.badRequest, "InvalidSchema", "the body is not a list of columns: [{\"name\": \"...\", \"type\": \"string\"}] or {\"columns\": [...]}")
                }
                let s = try store.createTable(name, columns: cols)
                try IncidentStore(store: store).recordAudit(actor: context.who.actor, action: "table created", detail: "\(name): \(s.columns.count) columns", now: clock())
                return try json(["name": name, "columns": s.columns.map { "\($0.name):\($0.type.rawValue)" }.joined(separator: ", ")], status: .created)
            }
        }
        router.delete("/api/tables/:name") { _, context in
            try await respond {
                let name = try context.parameters.require("name")
                let rows = try store.dropTable(name)
                try IncidentStore(store: store).recordAudit(actor: context.who.actor, action: "table dropped", detail: "\(name): \(rows) rows", now: clock())
                return Response(status: .noContent)
            }
        }
        router.get("/api/functions") { _, _ in
            try await respond {
                // The list leaves the bodies out (about a megabyte for the ASIM parsers); GET one for its body.
                try json(["value": store.functionInfos().map { i in
                    FunctionDTO(name: i.function.name, aliases: i.function.aliases, parameters: i.function.parameters, body: nil,
                                title: i.function.title, category: i.function.category, version: i.function.version, source: i.function.source, origin: i.origin)
                }])
            }
        }
        router.get("/api/functions/:name") { _, context in
            try await respond {
                let name = try context.parameters.require("name")
                guard let i = store.functionInfo(named: name) else {
                    throw ServerError(.notFound, "NotFound", "no function '\(name)'" + NameSuggestion.didYouMean(name, among: store.functionNames()))
                }
                let f = i.function
                return try json(FunctionDTO(name: f.name, aliases: f.aliases, parameters: f.parameters, body: f.body, title: f.title, category: f.category,
                                            version: f.version, source: f.source, origin: i.origin))
            }
        }
        router.put("/api/functions/:name") { request, context in
            let body = try await collect(request, 4 << 20)
            let contentType = request.headers[.contentType] ?? ""
            return try await respond {
                let name = try context.parameters.require("name")
                var f = try function(name, body, json: contentType.hasPrefix("application/json"), file: request.uri.queryParameters.get("file"))
                if f.source.isEmpty { f.source = "api" }
                if let d = ParserFile.validate(f) { throw d }
                let out = try store.installFunctions([f], by: context.who.actor)
                try IncidentStore(store: store).recordAudit(actor: context.who.actor, action: "function installed", detail: f.names.joined(separator: ", "), now: clock())
                return try json(["name": f.name, "aliases": f.aliases.joined(separator: ", "), "replaced": out.first?.replaced.joined(separator: ", ") ?? ""], status: .ok)
            }
        }
        router.delete("/api/functions/:name") { _, context in
            try await respond {
                let name = try context.parameters.require("name")
                try store.removeFunction(name)
                try IncidentStore(store: store).recordAudit(actor: context.who.actor, action: "function removed", detail: name, now: clock())
                return Response(status: .noContent)
            }
        }
    }

    /// A function from a request body: JSON (`{"body": ..., "parameters": [...]}`), or a parser file's
    /// text (`?file=NAME.yaml` says which kind; KQL text otherwise). The URL's name is the function's
    /// name; a parser file's own name becomes an alias.
    func function(_ name: String, _ body: Data, json: Bool, file: String?) throws -> WorkspaceFunction {
        if json {
            guard let dto = try? JSONDecoder().decode(FunctionDTO.self, from: body), dto.body != nil else {
                throw ServerError(.badRequest, "InvalidFunction", "the body is not a function: {\"body\": \"KQL\", \"parameters\": [{\"name\", \"type\", \"defaultValue\"}]}")
            }
            guard let body = dto.body else { throw ServerError(.badRequest, "InvalidFunction", "the function has no body") }
            return WorkspaceFunction(name: name, aliases: dto.aliases ?? [], parameters: dto.parameters ?? [], body: body, title: dto.title ?? "",
                                     category: dto.category ?? "Workspace", version: dto.version ?? "", source: dto.source ?? "api")
        }
        let text = String(decoding: body, as: UTF8.self)
        var f = try ParserFile.read(text, path: file ?? "\(name).kql").get()
        if f.name != name {
            f.aliases = f.names.filter { $0 != name }
            f.name = name
        }
        return f
    }

    func kind(_ name: String) -> String {
        if SchemaCatalog.builtIn[name] != nil { return "built-in" }
        if SchemaCatalog.connectors[name] != nil { return "connector" }
        return store.isDeclared(name) ? "custom (declared)" : "custom"
    }

    func tables(all: Bool) -> [TableDTO] {
        var out = store.tableInfos().map { i in
            TableDTO(name: i.name, kind: kind(i.name), rows: i.rows, extents: i.extents, unsealedRows: i.pendingRows, bytes: i.bytes,
                     from: i.minTime.map(DateTimeMath.format), to: i.maxTime.map(DateTimeMath.format))
        }
        if all {
            let have = Set(out.map(\.name))
            for t in store.tableNames() where !have.contains(t) {
                out.append(TableDTO(name: t, kind: kind(t), rows: 0, extents: 0, unsealedRows: 0, bytes: 0))
            }
            out.sort { $0.name < $1.name }
        }
        return out
    }

    func collect(_ request: Request, _ limit: Int) async throws -> Data {
        do { return Data(try await request.body.collect(upTo: limit).readableBytesView) } catch {
            throw ServerError(.contentTooLarge, "TooLarge", "the body is over \(limit / 1024) KB")
        }
    }
}
