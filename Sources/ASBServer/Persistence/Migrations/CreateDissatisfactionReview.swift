import Fluent

/// A team leader's review of a case whose reporter answered the survey with 1 or 2 overall
/// (SS-MON-3), with its improvement actions.
struct CreateDissatisfactionReview: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("dissatisfaction_reviews")
            .id()
            .field("survey_id", .uuid, .required, .references("satisfaction_surveys", "id", onDelete: .cascade))
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("findings", .string)
            .field("created_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("closed_by_id", .uuid, .references("users", "id"))
            .unique(on: "survey_id")
            .create()
        try await database.createIndex("dissatisfaction_reviews_status_idx", on: "dissatisfaction_reviews", columns: ["status", "created_at"])
        try await database.schema("dissatisfaction_actions")
            .id()
            .field("review_id", .uuid, .required, .references("dissatisfaction_reviews", "id", onDelete: .cascade))
            .field("what", .string, .required)
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("due_on", .string, .required)
            .field("done_on", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("dissatisfaction_actions").delete()
        try await database.schema("dissatisfaction_reviews").delete()
    }
}
