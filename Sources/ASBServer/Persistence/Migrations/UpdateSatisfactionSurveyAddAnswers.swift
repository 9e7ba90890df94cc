import Fluent

/// The survey's link (its token, stored hashed) and the reporter's answers (SS-MON-3).
struct UpdateSatisfactionSurveyAddAnswers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        let columns: [(String, DatabaseSchema.DataType)] = [
            ("token_hash", .string), ("answered_by", .string), ("answered_at", .datetime), ("overall", .int),
            ("kept_informed", .int), ("ease_of_reporting", .int), ("listened_to", .int), ("would_report_again", .bool),
            ("comments", .string),
        ]
        for (name, type) in columns {
            try await database.schema("satisfaction_surveys").field(.definition(name: .key(.init(stringLiteral: name)), dataType: type, constraints: [])).update()
        }
        try await database.schema("satisfaction_surveys").field("entered_by_id", .uuid, .references("users", "id")).update()
        try await database.createIndex("satisfaction_surveys_token_idx", on: "satisfaction_surveys", columns: ["token_hash"])
    }

    func revert(on database: any Database) async throws {
        // The index first: SQLite refuses to drop a column an index still names.
        try await database.dropIndex("satisfaction_surveys_token_idx")
        for name in ["token_hash", "answered_by", "answered_at", "overall", "kept_informed", "ease_of_reporting", "listened_to",
                     "would_report_again", "comments", "entered_by_id"] {
            try await database.schema("satisfaction_surveys").deleteField(.key(.init(stringLiteral: name))).update()
        }
    }
}
