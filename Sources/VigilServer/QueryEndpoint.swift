public import Hummingbird
import Foundation
import Metrics
import KQL
import NIOCore
import NIOPosix

/// `POST /api/query` with `{"query": "...", "now": "ISO time (optional)"}`: the JSON result shape of
/// `vigil query --format json`, or the KQL diagnostics with their positions.
public struct QueryEndpoint: Sendable {
    /// Runs a query at a `now`: exit-code-like status (0 ok, 2 syntax/binding, 3 runtime) and JSON.
    public typealias Execute = @Sendable (_ query: String, _ now: Int64) -> (status: Int32, json: String)
    public let execute: Execute
    public let clock: @Sendable () -> Int64

    public init(execute: @escaping Execute, clock: @escaping @Sendable () -> Int64) { self.execute = execute; self.clock = clock }

    struct Body: Decodable { var query: String; var now: String? }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/api/query") { request, context -> Response in
            do {
                let buffer = try await request.body.collect(upTo: 1 << 20)
                guard let body = try? JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView)) else {
                    throw ServerError(.badRequest, "BadRequest", "expected a JSON body {\"query\": \"...\"}")
                }
                var now = clock()
                if let n = body.now {
                    guard let t = DateTimeParser.parse(n) else { throw ServerError(.badRequest, "BadRequest", "now: '\(n)' is not a datetime") }
                    now = t
                }
                let execute = self.execute
                let at = now
                let started = DispatchTime.now().uptimeNanoseconds
                let (code, json) = try await NIOThreadPool.singleton.runIfActive { execute(body.query, at) }
                Metrics.Timer(label: "vigil_query_duration_seconds", dimensions: [("outcome", code == 0 ? "ok" : "error")])
                    .recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
                let status: HTTPResponse.Status = code == 0 ? .ok : code == 2 ? .badRequest : .unprocessableContent
                return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
            } catch { return ServerError.from(error).response() }
        }
    }
}

