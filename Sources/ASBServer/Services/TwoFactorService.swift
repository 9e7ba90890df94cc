import ASBCore
import Fluent
import Foundation
import Vapor

/// Optional two-step sign-in for staff: an authenticator app's six-digit code (RFC 6238) after the
/// password, or one of ten recovery codes, each usable once.
struct TwoFactorService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    struct Setup: Sendable {
        var secret: String
        var uri: String
    }

    static let codeMessage = "Enter the 6-digit code from your authenticator app, or one of your recovery codes."

    /// Starts setting up: a new secret, not in use until `confirm` gets a code made from it.
    func begin(for user: User) async throws -> Setup {
        guard user.totpEnabledAt == nil else {
            throw RuleViolation(code: "twoFactor.alreadyOn", clause: nil, reason: "Two-step sign-in is already on: turn it off first to change the app.")
        }
        let secret = env.random.bytes(20)
        user.totpSecret = Base32.encode(secret)
        user.updatedAt = env.clock.now()
        try await user.save(on: db)
        return Setup(secret: Base32.encode(secret), uri: TOTP.provisioningURI(secret: secret, account: user.username, issuer: env.config.mail.landlordName))
    }

    /// Turns it on with a code from the app; returns the recovery codes, shown once.
    func confirm(for user: User, code: String) async throws -> [String] {
        guard user.totpEnabledAt == nil, let stored = user.totpSecret, let secret = Base32.decode(stored) else {
            throw RuleViolation(code: "twoFactor.notStarted", clause: nil, reason: "Start setting up two-step sign-in first.")
        }
        let now = env.clock.now()
        guard let counter = TOTP.match(code, secret: secret, at: now) else {
            throw ValidationFailure([FieldError("code", "That code is not right: enter the 6 digits your app shows now.")])
        }
        let userID = try user.requireID()
        let codes = (0..<10).map { _ in Self.recoveryCode(env.random.bytes(10)) }
        user.totpEnabledAt = now
        user.totpLastCounter = Int64(counter)
        user.updatedAt = now
        try await env.writes.run(on: db) { db in
            try await user.save(on: db)
            try await RecoveryCode.query(on: db).filter(\.$user.$id == userID).delete()
            for code in codes { try await RecoveryCode(userID: userID, codeHash: TokenHash.of(Self.normalise(code))).create(on: db) }
            try await AuditLog.record(.userUpdate, by: .staff(user), entityType: "user", entityID: userID.text,
                                      changes: ["twoFactor": "on"], at: now, requestID: requestID, on: db)
        }
        return codes
    }

    /// Turns it off; needs a current code or a recovery code (or an admin, for someone who lost both).
    func disable(for user: User, code: String?, by actor: Actor) async throws {
        let userID = try user.requireID()
        if actor.user?.id == userID {
            guard try await accept(code ?? "", for: user) else { throw ValidationFailure([FieldError("code", Self.codeMessage)]) }
        } else if actor.user?.role != .admin {
            throw AppError.forbidden()
        }
        let now = env.clock.now()
        user.totpSecret = nil
        user.totpEnabledAt = nil
        user.totpLastCounter = nil
        user.updatedAt = now
        try await env.writes.run(on: db) { db in
            try await user.save(on: db)
            try await RecoveryCode.query(on: db).filter(\.$user.$id == userID).delete()
            try await AuditLog.record(.userUpdate, by: actor, entityType: "user", entityID: userID.text,
                                      changes: ["twoFactor": "off"], at: now, requestID: requestID, on: db)
        }
    }

    /// Whether `code` signs `user` in: a code from the app not used before, or an unused recovery
    /// code (then used up).
    func accept(_ code: String, for user: User) async throws -> Bool {
        guard let stored = user.totpSecret, let secret = Base32.decode(stored), user.totpEnabledAt != nil else { return false }
        let now = env.clock.now()
        if let counter = TOTP.match(code, secret: secret, at: now) {
            guard Int64(counter) > (user.totpLastCounter ?? -1) else { return false }
            user.totpLastCounter = Int64(counter)
            try await user.save(on: db)
            return true
        }
        let hash = TokenHash.of(Self.normalise(code))
        guard let recovery = try await RecoveryCode.query(on: db).filter(\.$user.$id == user.requireID()).filter(\.$codeHash == hash)
            .filter(\.$usedAt == nil).first() else { return false }
        recovery.usedAt = now
        try await recovery.save(on: db)
        return true
    }

    /// `7KRS-Q25H-YT`: ten characters from the access-code alphabet (no look-alikes).
    static func recoveryCode(_ bytes: [UInt8]) -> String {
        let alphabet = AccessCode.alphabet
        let text = String(bytes.prefix(10).map { alphabet[Int($0) % alphabet.count] })
        return "\(text.prefix(4))-\(text.dropFirst(4).prefix(4))-\(text.suffix(2))"
    }

    static func normalise(_ code: String) -> String { code.uppercased().filter { $0.isLetter || $0.isNumber } }
}
