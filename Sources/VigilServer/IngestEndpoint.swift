public import Hummingbird
import Foundation
import Ingestion
import KQL
import NIOCore
import NIOPosix
public import VigilStore

/// `POST /api/ingest/{table}`: the shape of Azure Monitor's Logs Ingestion API (a JSON array, or JSON
/// lines) plus CSV, syslog, CEF and W3C bodies by content type or `?format=`. The reply is sent only
/// after the batch is durable; it lists every rejected record with its line and reason.
public struct IngestEndpoint: Sendable {
    public let store: LogStore
    public let maxBodyBytes: Int

    public init(store: LogStore, maxBodyBytes: Int = 64 << 20) { self.store = store; self.maxBodyBytes = maxBodyBytes }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/api/ingest/{table}") { request, context -> Response in
            do { return try await handle(request, table: context.parameters.require("table")) } catch { return ServerError.from(error).response() }
        }
    }

    func handle(_ request: Request, table: String) async throws -> Response {
        if request.uri.queryParameters.get("format") == "evtx" { return try await evtx(request, table: table) }
        let format = try Self.format(request)
        var body: ByteBuffer
        do { body = try await request.body.collect(upTo: maxBodyBytes) } catch {
            throw ServerError(.contentTooLarge, "BodyTooLarge", "the body exceeds \(maxBodyBytes) bytes; send smaller batches")
        }
        guard body.readableBytes > 0 else { throw ServerError(.badRequest, "EmptyBody", "the request body is empty") }
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        let source = "http:/api/ingest/\(table)"
        let store = self.store
        // Parsing, the fsync and the commit block: they run on NIO's thread pool, not on the event loops.
        let summary = try await NIOThreadPool.singleton.runIfActive {
            try bytes.withUnsafeBufferPointer { try store.ingest($0, source: source, format: format, table: table, durability: .writeAhead, sealWhenDue: false) }
        }
        let errors = summary.diagnostics.map { d in
            "{\"line\":\(d.line),\"severity\":\(JSONText.quote(d.severity.rawValue)),\"column\":\(d.column.map(JSONText.quote) ?? "null"),\"reason\":\(JSONText.quote(d.reason))}"
        }
        let json = "{\"table\":\(JSONText.quote(summary.table)),\"accepted\":\(summary.accepted),\"rejected\":\(summary.skipped),\"warnings\":\(summary.warnings),"
            + "\"diagnostics\":[\(errors.joined(separator: ","))]}"
        // Nothing usable at all is the client's error; a partly bad batch still landed.
        let status: HTTPResponse.Status = summary.accepted == 0 && summary.skipped > 0 ? .badRequest : .ok
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    /// `?format=evtx`: a Windows event log file. Its events go where their channel belongs
    /// (SecurityEvent, Event and WindowsEvent), whatever the path names; the reply counts each table.
    func evtx(_ request: Request, table: String) async throws -> Response {
        var body: ByteBuffer
        do { body = try await request.body.collect(upTo: maxBodyBytes) } catch {
            throw ServerError(.contentTooLarge, "BodyTooLarge", "the body exceeds \(maxBodyBytes) bytes; send smaller files")
        }
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        guard bytes.count >= 8, Array(bytes[0..<8]) == Array("ElfFile\0".utf8) else {
            throw ServerError(.badRequest, "NotEvtx", "the body is not an EVTX file (no ElfFile signature)")
        }
        let store = self.store
        let s = try await NIOThreadPool.singleton.runIfActive {
            try store.ingestEvtx(bytes, source: "http:/api/ingest/\(table)?format=evtx", durability: .writeAhead)
        }
        let tables = s.tables.map { "{\"table\":\(JSONText.quote($0.table)),\"accepted\":\($0.accepted),\"rejected\":\($0.skipped),\"warnings\":\($0.warnings)}" }
        let json = "{\"events\":\(s.records),\"tables\":[\(tables.joined(separator: ","))],\"problems\":[\(s.problems.map(JSONText.quote).joined(separator: ","))]}"
        return Response(status: s.records == 0 && !s.problems.isEmpty ? .badRequest : .ok, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    /// The body's format: `?format=`, else the content type; JSON by default, as Azure's API.
    static func format(_ request: Request) throws -> LogFormat {
        if let f = request.uri.queryParameters.get("format") {
            guard let v = LogFormat(rawValue: f) else { throw ServerError(.badRequest, "UnknownFormat", "format '\(f)' is not one of json, csv, syslog, cef, w3c") }
            return v
        }
        let type = request.headers[.contentType]?.lowercased() ?? "application/json"
        if type.hasPrefix("text/csv") { return .csv }
        if type.hasPrefix("application/json") || type.hasPrefix("application/x-ndjson") || type.hasPrefix("application/jsonl") { return .json }
        if type.hasPrefix("text/plain") { return .syslog }
        throw ServerError(.unsupportedMediaType, "UnknownFormat", "content type '\(type)' is not supported; use application/json, application/x-ndjson, text/csv or ?format=")
    }
}
