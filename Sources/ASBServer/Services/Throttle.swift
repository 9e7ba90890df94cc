import Crypto
import Fluent
import Foundation

/// Counts failed attempts in the database (so every server instance sees the same counts) and
/// refuses further attempts once a key has too many within its window.
struct Throttle {
    let scope: String
    let maxFailures: Int
    let window: TimeInterval

    static func hash(_ key: String) -> String { TokenHash.of(key) }

    /// Throws 429 when `key` already has `maxFailures` failures within the window.
    func check(_ key: String, now: Date, on db: any Database) async throws {
        let since = now.addingTimeInterval(-window)
        let failures = try await ThrottleEvent.query(on: db)
            .filter(\.$scope == scope)
            .filter(\.$keyHash == Self.hash(key))
            .filter(\.$at > since)
            .count()
        if failures >= maxFailures {
            throw AppError.tooManyAttempts(retryAfterSeconds: Int(window))
        }
    }

    /// Records one failure for `key`, and forgets this key's failures older than the window.
    func recordFailure(_ key: String, now: Date, on db: any Database) async throws {
        let keyHash = Self.hash(key)
        try await ThrottleEvent.query(on: db)
            .filter(\.$scope == scope)
            .filter(\.$keyHash == keyHash)
            .filter(\.$at <= now.addingTimeInterval(-window))
            .delete()
        try await ThrottleEvent(scope: scope, keyHash: keyHash, at: now).create(on: db)
    }
}
