import Foundation
import Synchronization
import Vapor

extension Request {
    /// The client's address, for rate limits and throttling: the connection's peer, or behind a
    /// trusted reverse proxy (`ASB_TRUST_FORWARDED_FOR=true`) the last address it appended to
    /// `X-Forwarded-For`.
    var clientAddress: String {
        if application.asb.config.trustForwardedFor,
           let forwarded = headers.first(name: .xForwardedFor)?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
           !forwarded.isEmpty {
            return forwarded
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}

/// Counts requests per key in fixed one-minute windows, in this process's memory. Each server
/// instance keeps its own counts, so behind a load balancer the limit applies per instance.
final class RateLimiter: Sendable {
    private struct Window { var start: Date; var count: Int }
    private let windows = Mutex<[String: Window]>([:])
    let window: TimeInterval

    init(window: TimeInterval = 60) { self.window = window }

    /// Counts one request for `key`; nil when it is within `limit`, otherwise the seconds until
    /// the window ends.
    func hit(_ key: String, limit: Int, now: Date) -> Int? {
        windows.withLock { windows in
            if windows.count > 50_000 { windows = windows.filter { now.timeIntervalSince($0.value.start) < window } }
            var current = windows[key] ?? Window(start: now, count: 0)
            if now.timeIntervalSince(current.start) >= window || now < current.start { current = Window(start: now, count: 0) }
            current.count += 1
            windows[key] = current
            guard current.count > limit else { return nil }
            return max(1, Int((window - now.timeIntervalSince(current.start)).rounded(.up)))
        }
    }
}

/// The limit on public endpoints (`ASB_PUBLIC_RATE_LIMIT` requests per client address per minute
/// for each): reports, tracking, surveys, complaints and compliments, the ASB Case Review form and
/// Open311. Answers 429 with `Retry-After`. Staff calls with a bearer token are not limited here
/// (their sign-in is throttled instead).
struct PublicRateLimitMiddleware: AsyncMiddleware {
    /// Which public endpoint a request is for, or nil when it is not limited.
    static func scope(method: HTTPMethod, path: String) -> String? {
        if path.hasPrefix("/open311/") { return "open311" }
        guard method == .POST else { return nil }
        if path == "/api/v1/reports" || path.hasPrefix("/report/") { return "report" }
        if path == "/api/v1/track" || path == "/api/v1/track/incidents" || path == "/track" || path.hasPrefix("/track/") { return "track" }
        if path.hasPrefix("/survey/") { return "survey" }
        if path == "/feedback" { return "feedback" }
        if path.hasPrefix("/case-review") { return "case-review" }
        return nil
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let limit = request.application.asb.config.publicRateLimit
        guard limit > 0, request.headers.bearerAuthorization == nil,
              let scope = Self.scope(method: request.method, path: request.url.path) else {
            return try await next.respond(to: request)
        }
        let now = request.application.asb.clock.now()
        if let retryAfter = request.application.asb.rateLimiter.hit("\(scope) \(request.clientAddress)", limit: limit, now: now) {
            request.logger.notice("Public rate limit reached", metadata: ["scope": .string(scope)])
            throw AppError.tooManyAttempts(retryAfterSeconds: retryAfter)
        }
        return try await next.respond(to: request)
    }
}
