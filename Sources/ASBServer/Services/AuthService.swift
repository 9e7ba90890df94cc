import ASBCore
import Fluent
import Vapor

/// Staff sign-in and sign-out.
struct AuthService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    var loginThrottle: Throttle {
        Throttle(scope: "login", maxFailures: env.config.loginMaxFailures, window: env.config.loginWindow)
    }

    struct IssuedToken {
        let token: String
        let expiresAt: Date
        let user: User
    }

    /// Signs a user in. Wrong username, wrong password and inactive account all give the same 401;
    /// too many failures for the username give 429 whether or not it exists. A user with two-step
    /// sign-in also gives `code` (from their app, or a recovery code): without it, or wrong, 422.
    func login(username rawUsername: String, password: String, code: String? = nil) async throws -> IssuedToken {
        let username = rawUsername.trimmingCharacters(in: .whitespaces).lowercased()
        var errors: [FieldError] = []
        if username.isEmpty { errors.append(FieldError("username", "Enter your username.")) }
        if password.isEmpty { errors.append(FieldError("password", "Enter your password.")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }

        let now = env.clock.now()
        try await loginThrottle.check(username, now: now, on: db)

        let user = try await User.query(on: db).filter(\.$username == username).with(\.$partnerAgency).first()
        let passwordMatches = try await env.passwords.verify(password, against: user?.passwordHash, on: app)
        guard let user, passwordMatches, user.active else {
            try await loginThrottle.recordFailure(username, now: now, on: db)
            try await AuditLog.record(
                .loginFailed, by: user.map { .staff($0) } ?? .system, entityType: "user",
                entityID: user?.id?.text ?? "unknown", at: now, requestID: requestID, on: db)
            throw AppError.unauthenticated("The username or password is not right.")
        }

        // Two-step sign-in: only once the password is right does the answer say a code is needed.
        if user.totpEnabledAt != nil {
            let given = code?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !given.isEmpty, try await TwoFactorService(app: app, db: db, requestID: requestID).accept(given, for: user) else {
                if !given.isEmpty { try await loginThrottle.recordFailure(username, now: now, on: db) }
                throw ValidationFailure([FieldError("code", TwoFactorService.codeMessage)])
            }
        }
        let token = env.random.token()
        let expiresAt = now.addingTimeInterval(env.config.tokenLifetime)
        try await APIToken(userID: try user.requireID(), tokenHash: TokenHash.of(token), createdAt: now, expiresAt: expiresAt)
            .create(on: db)
        try await AuditLog.record(.login, by: .staff(user), entityType: "user", entityID: try user.requireID().text,
                                  at: now, requestID: requestID, on: db)
        return IssuedToken(token: token, expiresAt: expiresAt, user: user)
    }

    /// Revokes one token.
    func logout(_ token: APIToken, user: User) async throws {
        let now = env.clock.now()
        token.revokedAt = now
        try await token.save(on: db)
        try await AuditLog.record(.logout, by: .staff(user), entityType: "user", entityID: try user.requireID().text,
                                  at: now, requestID: requestID, on: db)
    }
}
