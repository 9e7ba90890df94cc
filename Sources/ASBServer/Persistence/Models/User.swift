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
