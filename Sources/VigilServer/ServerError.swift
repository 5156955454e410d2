public import Hummingbird
import Ingestion
import VigilStore
import KQL
import SentinelParsers
import VigilCore

/// The JSON error body of every failed request: `{"code": "...", "message": "..."}`; the mapping of
/// the other modules' errors to HTTP statuses lives here and nowhere else.
public struct ServerError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status; self.code = code; self.message = message
    }

    /// The boundary mapping: whose fault, which status.
    public static func from(_ error: any Error) -> ServerError {
        switch error {
        case let e as ServerError: return e
        case let e as IngestionError:
            switch e {
            case .invalidTableName, .unknownTable: return ServerError(.badRequest, "InvalidTable", e.description)
            case .unknownFormat: return ServerError(.unsupportedMediaType, "UnknownFormat", e.description)
            case .empty: return ServerError(.badRequest, "EmptyBody", e.description)
            case .invalidSchema: return ServerError(.badRequest, "InvalidSchema", e.description)
            }
        case let e as ParserFileDiagnostic: return ServerError(.badRequest, "InvalidFunction", e.description)
        case let e as StoreError:
            switch e {
            case .busy(let m):
                var s = ServerError(.serviceUnavailable, "Busy", m)
                s.headers[.retryAfter] = "1"
                return s
            case .notFound(let m): return ServerError(.notFound, "NotFound", m)
            case .invalid(let m): return ServerError(.badRequest, "InvalidRequest", m)
            case .conflict(let m): return ServerError(.conflict, "Conflict", m)
            default: return ServerError(.internalServerError, "StoreError", e.description)
            }
        case let e as IncidentChange.Invalid: return ServerError(.badRequest, e.code, e.message)
        case let e as KQLError: return ServerError(e.phase == .runtime ? .unprocessableContent : .badRequest, e.code, e.message)
        default: return ServerError(.internalServerError, "InternalError", "\(error)")
        }
    }

    func response() -> Response {
        let body = "{\"code\":\(JSONText.quote(code)),\"message\":\(JSONText.quote(message))}"
        var h = headers
        h[.contentType] = "application/json"
        return Response(status: status, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

/// JSON string quoting for hand-built bodies.
enum JSONText {
    static func quote(_ s: String) -> String { Value.string(s).jsonText }
}
