import Fluent

/// Homes owned per reporting year (NM01), and the indexes the statistics read by: cases by
/// closure date, surveys by answer date, complaints and compliments by receipt, internal reviews
/// by completion and dissatisfaction reviews by closure.
struct CreateHomesCount: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("homes_counts")
            .id()
            .field("year_start", .int, .required)
            .field("homes", .int, .required)
            .field("updated_by_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("updated_at", .datetime, .required)
            .unique(on: "year_start")
            .create()
        try await database.createIndex("cases_closed_idx", on: "cases", columns: ["closed_at"])
        try await database.createIndex("satisfaction_surveys_answered_idx", on: "satisfaction_surveys", columns: ["answered_at"])
        try await database.createIndex("feedback_received_idx", on: "feedback", columns: ["kind", "received_at"])
        try await database.createIndex("internal_reviews_completed_idx", on: "internal_reviews", columns: ["completed_at"])
        try await database.createIndex("dissatisfaction_reviews_created_idx", on: "dissatisfaction_reviews", columns: ["created_at"])
        try await database.createIndex("dissatisfaction_reviews_closed_idx", on: "dissatisfaction_reviews", columns: ["closed_at"])
    }

    func revert(on database: any Database) async throws {
        for index in ["cases_closed_idx", "satisfaction_surveys_answered_idx", "feedback_received_idx",
                      "internal_reviews_completed_idx", "dissatisfaction_reviews_created_idx", "dissatisfaction_reviews_closed_idx"] {
            try await database.dropIndex(index)
        }
        try await database.schema("homes_counts").delete()
    }
}
