import Fluent

/// Internal case reviews (SS-MON-2): a monthly sample, drawn once from a stored seed, and one
/// review per sampled case.
struct CreateInternalReview: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("internal_review_samples")
            .id()
            .field("month", .string, .required)
            .field("seed", .string, .required)
            .field("percent", .int, .required)
            .field("minimum", .int, .required)
            .field("closed_count", .int, .required)
            .field("drawn_at", .datetime, .required)
            .unique(on: "month")
            .create()
        try await database.schema("internal_reviews")
            .id()
            .field("sample_id", .uuid, .required, .references("internal_review_samples", "id", onDelete: .cascade))
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("reviewer_id", .uuid, .references("users", "id"))
            .field("status", .string, .required)
            .field("checklist", .string)
            .field("findings", .string)
            .field("actions", .string)
            .field("completed_at", .datetime)
            .unique(on: "sample_id", "case_id")
            .create()
        try await database.createIndex("internal_reviews_reviewer_idx", on: "internal_reviews", columns: ["reviewer_id", "status"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("internal_reviews").delete()
        try await database.schema("internal_review_samples").delete()
    }
}
