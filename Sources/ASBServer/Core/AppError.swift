import ASBCore
import Vapor

/// Every error the application itself raises. `ProblemMiddleware` turns each into an RFC 9457
/// problem; `RuleViolation` and `ValidationFailure` from ASBCore are handled there too.
public enum AppError: Error, Sendable, Equatable {
    /// No valid credentials (401). The message never says whether a username exists.
    case unauthenticated(String = "Sign in with a valid staff token.")
    /// Authenticated, but the role may not do this (403).
    case forbidden(String = "Your role does not allow this.")
    /// No such record, or none the caller may see (404).
    case notFound(String)
    /// A record with the same unique key exists (409).
    case duplicate(String)
    /// The `If-Match` version is stale (412).
    case staleVersion
    /// An update without `If-Match` (428).
    case versionRequired
    /// A malformed query parameter or header (400).
    case badRequest(String)
    /// Too many attempts (429).
    case tooManyAttempts(retryAfterSeconds: Int)
}

extension AppError {
    var status: HTTPResponseStatus {
        switch self {
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .duplicate: .conflict
        case .staleVersion: .preconditionFailed
        case .versionRequired: .preconditionRequired
        case .badRequest: .badRequest
        case .tooManyAttempts: .tooManyRequests
        }
    }

    var detail: String {
        switch self {
        case .unauthenticated(let m), .forbidden(let m), .notFound(let m), .duplicate(let m), .badRequest(let m): m
        case .staleVersion: "Someone else changed this record since you read it. Read it again and reapply your change."
        case .versionRequired: "Send If-Match with the ETag from your last read, so no change is lost."
        case .tooManyAttempts: "Too many attempts. Wait a while and try again."
        }
    }
}
