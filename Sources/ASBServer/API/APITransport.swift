import HTTPTypes
import OpenAPIRuntime
import Vapor

/// Serves the generated API's operations on Vapor's router.
///
/// What `OpenAPIVapor.VaporTransport` does, with the bodies in hand rather than streamed: every
/// request that carries one has it collected already (`BodyLimitMiddleware`, which applies the
/// limits), and a response whose length is known and at most `bufferedResponseBytes` (every JSON
/// answer) is collected and sent with the head. `VaporTransport` streamed every response body
/// from a task of its own (a task, and a write to the connection and back, for each chunk and
/// for the end), which was about a twentieth of the server's time taking reports. A longer one
/// (an attachment) is streamed as it did.
struct APITransport: ServerTransport {
    let routes: any RoutesBuilder
    /// The largest response body sent in one piece.
    static let bufferedResponseBytes = 1_048_576

    func register(_ handler: @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
                  method: HTTPRequest.Method, path: String) throws {
        let components = Self.pathComponents(path)
        let parameters = components.compactMap { component -> String? in
            if case .parameter(let name) = component { return name }
            return nil
        }
        routes.on(Vapor.HTTPMethod(rawValue: method.rawValue), components, body: .stream) { request in
            var pathParameters: [String: Substring] = [:]
            for name in parameters {
                guard let value = request.parameters.get(name) else { throw Abort(.badRequest, reason: "Missing path parameter \(name)") }
                pathParameters[name] = Substring(value)
            }
            let (head, body) = try await handler(try Self.httpRequest(request), Self.body(of: request),
                                                 ServerRequestMetadata(pathParameters: pathParameters))
            return try await Self.response(head, body)
        }
    }

    /// `/cases/{reference}/timeline` as Vapor's path: constants and named parameters.
    static func pathComponents(_ path: String) -> [PathComponent] {
        path.split(separator: "/").map { part in
            part.first == "{" && part.last == "}" ? .parameter(String(part.dropFirst().dropLast())) : .constant(String(part))
        }
    }

    private static func httpRequest(_ request: Request) throws -> HTTPRequest {
        guard let method = HTTPRequest.Method(request.method.rawValue) else { throw Abort(.methodNotAllowed) }
        return HTTPRequest(method: method, scheme: request.url.scheme, authority: request.url.host,
                           path: request.url.path + (request.url.query.map { "?\($0)" } ?? ""),
                           headerFields: HTTPFields(request.headers.compactMap { name, value in
                               HTTPField.Name(name).map { HTTPField(name: $0, value: value) }
                           }))
    }

    /// The request's body: the bytes collected, or (a method without one) the stream as it comes.
    private static func body(of request: Request) -> HTTPBody? {
        if let collected = request.body.data { return HTTPBody(Array(collected.readableBytesView)) }
        let length = request.headers.first(name: .contentLength).flatMap(Int64.init)
        return HTTPBody(request.body.map(\.readableBytesView), length: length.map { .known($0) } ?? .unknown, iterationBehavior: .single)
    }

    private static func response(_ head: HTTPResponse, _ body: HTTPBody?) async throws -> Response {
        let status = HTTPResponseStatus(statusCode: head.status.code)
        let headers = HTTPHeaders(head.headerFields.map { ($0.name.rawName, $0.value) })
        guard let body else { return Response(status: status, headers: headers, body: .empty) }
        if case .known(let length) = body.length, length <= bufferedResponseBytes {
            let bytes = try await ArraySlice<UInt8>(collecting: body, upTo: Int(length))
            return Response(status: status, headers: headers, body: .init(buffer: ByteBuffer(bytes: bytes)))
        }
        let stream: @Sendable (any AsyncBodyStreamWriter) async throws -> Void = { writer in
            do {
                for try await chunk in body { try await writer.write(.buffer(ByteBuffer(bytes: chunk))) }
                try await writer.write(.end)
            } catch {
                try await writer.write(.error(error))
            }
        }
        if case .known(let length) = body.length {
            return Response(status: status, headers: headers, body: .init(asyncStream: stream, count: Int(clamping: length)))
        }
        return Response(status: status, headers: headers, body: .init(asyncStream: stream))
    }
}
