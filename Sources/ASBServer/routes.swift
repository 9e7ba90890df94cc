import Fluent
import FluentSQL
import Foundation
import OpenAPIRuntime
import Vapor

func routes(_ app: Application) throws {
    app.get("health", use: health)
    app.get("api", "v1", "openapi.yaml", use: openAPIDocument)

    // `/users/me` answers GET only; without these, other methods would fall to `/users/{userId}`.
    for method in [HTTPMethod.POST, .PUT, .PATCH, .DELETE] {
        app.on(method, "api", "v1", "users", "me") { _ -> Response in
            throw MethodNotAllowed(allowed: [.GET])
        }.userInfo[MethodNotAllowed.routeMarker] = true
    }

    let transport = APITransport(routes: app)
    try APIHandler().registerHandlers(
        on: transport, serverURL: URL(string: "/api/v1")!,
        configuration: Configuration(
            dateTranscoder: FlexibleISO8601DateTranscoder(),
            jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]))
}

struct HealthStatus: Content {
    var status: String
    var database: String
}

/// `GET /health`: 200 when the database answers, 503 when it does not.
@Sendable func health(_ req: Request) async throws -> Response {
    var healthy = false
    if let sql = req.db as? any SQLDatabase {
        healthy = (try? await sql.raw("SELECT 1 AS ok").first()) != nil
    }
    let status = healthy ? HealthStatus(status: "ok", database: "ok") : HealthStatus(status: "unavailable", database: "unreachable")
    let response = try await status.encodeResponse(status: healthy ? .ok : .serviceUnavailable, for: req)
    response.headers.cacheControl = .init(noStore: true)
    return response
}

/// `GET /api/v1/openapi.yaml`: the contract this server implements.
@Sendable func openAPIDocument(_ req: Request) async throws -> Response {
    guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
          let data = try? Data(contentsOf: url) else {
        throw Abort(.internalServerError, reason: "The OpenAPI document is missing from the build")
    }
    var headers = HTTPHeaders()
    headers.contentType = HTTPMediaType(type: "application", subType: "yaml", parameters: ["charset": "utf-8"])
    return Response(status: .ok, headers: headers, body: .init(data: data))
}

/// Timestamps out as ISO 8601 (`2026-11-20T23:30:00Z`); in, with or without fractional seconds.
struct FlexibleISO8601DateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String {
        date.formatted(.iso8601)
    }

    func decode(_ string: String) throws -> Date {
        if let date = try? Date(string, strategy: .iso8601) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(string) { return date }
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Expected an ISO 8601 date-time with an offset, like 2026-11-20T23:30:00Z"))
    }
}

/// A method the address does not answer; `ProblemMiddleware` adds `Allow`.
struct MethodNotAllowed: Error {
    let allowed: [HTTPMethod]

    /// Marks the routes that exist only to refuse a method, so they are not advertised in `Allow`.
    static let routeMarker = "asb.refusesMethod"
}
