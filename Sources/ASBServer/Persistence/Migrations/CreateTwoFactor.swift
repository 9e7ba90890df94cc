import Fluent

/// Two-step sign-in for staff (RFC 6238): the authenticator secret on the user, and recovery
/// codes (stored hashed, each used once).
struct CreateTwoFactor: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        try await database.schema("users").field("totp_secret", .string).update()
        try await database.schema("users").field("totp_enabled_at", .datetime).update()
        try await database.schema("users").field("totp_last_counter", .int64).update()
        try await database.schema("recovery_codes")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("used_at", .datetime)
            .create()
        try await database.createIndex("recovery_codes_user_idx", on: "recovery_codes", columns: ["user_id", "code_hash"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("recovery_codes").delete()
        for name in ["totp_secret", "totp_enabled_at", "totp_last_counter"] {
            try await database.schema("users").deleteField(.key(.init(stringLiteral: name))).update()
        }
    }
}
