import Foundation
import Hummingbird
import NIOCore
import NIOPosix

/// What the API's endpoint types share: store work runs off the event loop and every error becomes
/// its JSON body; answers are sorted-key JSON (with the incident's etag when given) or plain text.
protocol JSONEndpoint {}

extension JSONEndpoint {
    func respond(_ work: @escaping @Sendable () throws -> Response) async throws -> Response {
        do { return try await NIOThreadPool.singleton.runIfActive(work) } catch { return ServerError.from(error).response() }
    }

    func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, etag: Int64? = nil) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let etag { headers[.eTag] = IncidentResource.etag(etag) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try IncidentResource.encoder().encode(value))))
    }

    func text(_ s: String, _ type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: s)))
    }
}
