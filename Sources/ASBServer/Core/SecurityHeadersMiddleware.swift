import Vapor

/// Headers on every response, errors included: a Content-Security-Policy without inline script,
/// no content sniffing, no referrer, never framed, HSTS behind TLS, and nothing with personal data
/// kept in a cache.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "object-src 'none'",
        "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        Self.apply(request: request, to: response)
        return response
    }

    static func apply(request: Request, to response: Response) {
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: contentSecurityPolicy)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        // Behind a TLS-terminating proxy the request arrives as http with X-Forwarded-Proto: https.
        if request.url.scheme == "https" || request.headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https" {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains")
        }
        if request.url.path.hasPrefix("/api/"), response.headers.first(name: .cacheControl) == nil {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
    }
}
