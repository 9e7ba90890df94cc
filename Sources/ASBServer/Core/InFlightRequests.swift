import Synchronization
import Vapor

/// The requests being answered, so that stopping the server waits for them before the databases
/// close.
///
/// `asb serve` stops on SIGTERM or SIGINT: Vapor stops listening, then the application's
/// lifecycle handlers shut down, the last registered first, Fluent's closing the databases. A
/// request still being answered then, or read from a connection still open, ran on and asked
/// Fluent for a database that was gone, which traps (`Request.db` force-unwraps it): every
/// restart under load ended in a crash report, and the requests in hand got no answer.
///
/// This middleware counts the requests inside it (everything but the outermost middleware,
/// none of which reads the database). Its lifecycle handler is registered after Fluent's, so it
/// shuts down first: from then on it refuses every new request (503 with `Retry-After`, which
/// reaches no database) and waits for the requests in hand, at most `drainTimeout`.
final class InFlightRequests: AsyncMiddleware, LifecycleHandler, Sendable {
    private struct State {
        var count = 0
        var draining = false
    }

    private let state = Mutex(State())
    /// How long stopping waits for the requests in hand: Vapor's own wait for open connections.
    let drainTimeout: Duration

    init(drainTimeout: Duration = .seconds(10)) {
        self.drainTimeout = drainTimeout
    }

    /// Requests being answered now.
    var count: Int { state.withLock { $0.count } }

    /// Whether the application is stopping: new requests are refused.
    var isDraining: Bool { state.withLock { $0.draining } }

    /// What a request gets while the server stops.
    static let refusal = Abort(.serviceUnavailable, headers: ["Retry-After": "5"],
                               reason: "The service is restarting. Please try again in a few seconds.")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let admitted = state.withLock { state in
            guard !state.draining else { return false }
            state.count += 1
            return true
        }
        guard admitted else { throw Self.refusal }
        defer { state.withLock { $0.count -= 1 } }
        return try await next.respond(to: request)
    }

    func shutdownAsync(_ application: Application) async {
        await drain(logger: application.logger)
    }

    /// Refuses new requests from now on and returns when none is in hand, or after `drainTimeout`.
    func drain(logger: Logger) async {
        state.withLock { $0.draining = true }
        let clock = ContinuousClock()
        let deadline = clock.now + drainTimeout
        var waited = false
        while count > 0, clock.now < deadline, !Task.isCancelled {
            waited = true
            try? await clock.sleep(for: .milliseconds(5))
        }
        let left = count
        if left > 0 {
            logger.warning("Stopping with requests still being answered", metadata: ["requests": "\(left)",
                                                                                       "waited": "\(drainTimeout)"])
        } else if waited {
            logger.info("Stopped after the requests in hand were answered")
        }
    }
}
