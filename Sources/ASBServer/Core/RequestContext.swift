import Vapor

/// The Vapor request behind the OpenAPI handler now running. The OpenAPI layer hands handlers
/// only the typed input; auth, the database and the client address come from here.
enum CurrentRequest {
    @TaskLocal static var value: Request?

    static func get() throws -> Request {
        guard let value else { throw Abort(.internalServerError, reason: "No current request") }
        return value
    }
}

/// Makes the Vapor request available to OpenAPI handlers for the duration of the request, and
/// writes the `ETag` a handler chose. (The OpenAPI layer percent-encodes header values, which
/// would mangle the quotes an entity tag must have.)
struct CurrentRequestMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await CurrentRequest.$value.withValue(request) {
            try await next.respond(to: request)
        }
        if let version = request.responseVersion {
            response.headers.replaceOrAdd(name: .eTag, value: ETag.make(version: version))
        }
        return response
    }
}

extension Request {
    private struct ResponseVersionKey: StorageKey { typealias Value = Int }

    /// The record version to send as the response's `ETag`.
    var responseVersion: Int? {
        get { storage[ResponseVersionKey.self] }
        set { storage[ResponseVersionKey.self] = newValue }
    }
}

/// Refuses bodies over the configured size (413) before any handler reads them, whether the
/// client sent a length or streamed the body.
struct BodyLimitMiddleware: AsyncMiddleware {
    let jsonBytes: Int
    let attachmentBytes: Int

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // File uploads have their own, larger limit.
        let maxBytes = request.carriesFiles ? attachmentBytes : jsonBytes
        if let length = request.headers.first(name: .contentLength).flatMap(Int.init), length > maxBytes {
            throw Abort(.payloadTooLarge)
        }
        if request.body.data == nil, [.POST, .PUT, .PATCH].contains(request.method) {
            _ = try await request.body.collect(max: maxBytes).get()
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// File uploads and emails with attachments: these have the attachment limit, not the JSON one.
    var carriesFiles: Bool {
        method == .POST && (url.path.hasSuffix("/attachments") || url.path == "/api/v1/inbound/email")
    }
}

/// Adds a request id to every response and to the request's log metadata.
struct RequestIDMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Request-ID", value: request.id)
        return response
    }
}

/// The static files (`Site/Public/assets`): only a GET or HEAD under `/assets/` looks on disk.
/// Vapor's `FileMiddleware` checks the file system for every request's path, an API call's too.
struct AssetsMiddleware: AsyncMiddleware {
    static let prefix = "/assets/"
    let files: FileMiddleware

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .GET || request.method == .HEAD, request.url.path.hasPrefix(Self.prefix) else {
            return try await next.respond(to: request)
        }
        return try await files.respond(to: request, chainingTo: next)
    }
}
