import Crypto
import ASBCore
import Fluent
import SQLKit
import Vapor

extension APIToken: Authenticatable {}

/// The one SHA-256 (lower-case hex) of the server: staff tokens, access codes, survey links,
/// Open311 keys, recovery codes and throttle keys are stored this way.
enum TokenHash {
    static func of(_ token: String) -> String { of(data: Data(token.utf8)) }

    /// Of bytes: evidence files' checksums, emails without a Message-ID.
    static func of(data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: data) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

/// Reads `Authorization: Bearer …`, and logs in the token's user when the token is known, not
/// revoked, not expired, not idle for longer than `ASB_TOKEN_IDLE_MINUTES` and its user is active. Never throws: handlers decide what needs a user.
struct TokenAuthenticator: AsyncBearerAuthenticator {
    func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        try await Self.logIn(token: bearer.token, for: request)
    }

    /// The one check of a staff token, whether it came as a bearer token or in the web session cookie.
    static func logIn(token rawToken: String, for request: Request) async throws {
        let now = request.application.asb.clock.now()
        // The token and its user in one read: every staff request, API or page, starts here.
        guard let row = try await PreparedReads.all("""
                  SELECT \(APIToken.columns(of: "t", prefixed: "")), \(User.columns(of: "u", prefixed: "u_")) \
                  FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = \(bind: TokenHash.of(rawToken)) LIMIT 1
                  """, on: request.db).first
        else { return }
        let token = try row.decode(fluentModel: APIToken.self)
        guard token.revokedAt == nil, token.expiresAt > now else { return }
        token.$user.value = try row.decode(fluentModel: User.self, prefix: "u_")
        try await [token.user].loadParents(\.$partnerAgency, on: request.db)
        guard token.user.active else { return }
        let idle = request.application.asb.config.tokenIdleTimeout
        if idle > 0 {
            let lastUsed = token.lastUsedAt ?? token.createdAt
            guard now.timeIntervalSince(lastUsed) < idle else { return }
            // Written at most once a minute, so a busy client does not write on every request.
            if now.timeIntervalSince(lastUsed) >= 60 {
                token.lastUsedAt = now
                try await token.save(on: request.db)
            }
        }
        request.auth.login(token.user)
        request.auth.login(token)
    }
}

extension Request {
    /// The signed-in staff user, or 401.
    func requireStaff() throws -> User {
        guard let user = auth.get(User.self) else { throw AppError.unauthenticated() }
        return user
    }

    /// The signed-in staff user whose role has `permission`, or 401/403.
    func requireStaff(_ permission: Permission) throws -> User {
        let user = try requireStaff()
        guard user.role.may(permission) else { throw AppError.forbidden() }
        return user
    }

    /// True when the client sent credentials that did not authenticate: they meant to act as
    /// staff, so a public fallback would be wrong.
    var sentInvalidCredentials: Bool {
        headers.bearerAuthorization != nil && auth.get(User.self) == nil
    }
}
