import ASBCore
import Fluent
import Foundation
import Vapor

/// A staff account.
final class User: Model, Authenticatable, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @OptionalField(key: "email") var email: String?
    @Field(key: "role") var role: Role
    /// The partner agency a `partner` user works for.
    @OptionalParent(key: "partner_agency_id") var partnerAgency: PartnerAgency?
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "active") var active: Bool
    /// The authenticator secret (base32): pending until confirmed with a code, then in use.
    @OptionalField(key: "totp_secret") var totpSecret: String?
    /// When two-step sign-in was turned on; nil while off.
    @OptionalField(key: "totp_enabled_at") var totpEnabledAt: Date?
    /// The last time step accepted, so a code is never accepted twice.
    @OptionalField(key: "totp_last_counter") var totpLastCounter: Int64?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(id: UUID? = nil, username: String, displayName: String, email: String?, role: Role,
         partnerAgencyID: UUID?, passwordHash: String, active: Bool = true, now: Date) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.email = email
        self.role = role
        self.$partnerAgency.id = partnerAgencyID
        self.passwordHash = passwordHash
        self.active = active
        self.createdAt = now
        self.updatedAt = now
    }
}

/// A staff bearer token. Only its SHA-256 hash is stored.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    /// When the token last authenticated a request (to the minute), for idle expiry.
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?

    init() {}

    init(userID: UUID, tokenHash: String, createdAt: Date, expiresAt: Date) {
        self.$user.id = userID
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// A one-use code to sign in without the authenticator (stored hashed).
final class RecoveryCode: Model, @unchecked Sendable {
    static let schema = "recovery_codes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "code_hash") var codeHash: String
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    init(userID: UUID, codeHash: String) {
        self.$user.id = userID
        self.codeHash = codeHash
    }
}
