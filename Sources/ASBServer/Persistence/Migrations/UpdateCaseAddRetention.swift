import Fluent

/// Retention: a legal hold on a case, and when a case's and a person's personal data was anonymised.
struct UpdateCaseAddRetention: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        try await database.schema("cases").field("legal_hold_reason", .string).update()
        try await database.schema("cases").field("legal_hold_at", .datetime).update()
        try await database.schema("cases").field("legal_hold_by_id", .uuid, .references("users", "id", onDelete: .setNull)).update()
        try await database.schema("cases").field("anonymised_at", .datetime).update()
        try await database.schema("parties").field("anonymised_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        for name in ["legal_hold_reason", "legal_hold_at", "legal_hold_by_id", "anonymised_at"] {
            try await database.schema("cases").deleteField(.key(.init(stringLiteral: name))).update()
        }
        try await database.schema("parties").deleteField("anonymised_at").update()
    }
}
