import Fluent

/// Case review meetings (SS-PRG-4).
struct CreateReviewMeeting: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("review_meetings")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("scheduled_for", .string, .required)
            .field("held_on", .string)
            .field("attendees", .array(of: .string), .required)
            .field("agency_ids", .array(of: .string), .required)
            .field("summary", .string)
            .field("decisions", .string)
            .field("next_review_on", .string)
            .field("created_by_id", .uuid, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        // The reviewsDue queue: scheduled meetings by date.
        try await database.createIndex("review_meetings_due_idx", on: "review_meetings", columns: ["status", "scheduled_for"])
        try await database.createIndex("review_meetings_case_idx", on: "review_meetings", columns: ["case_id", "scheduled_for"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("review_meetings").delete()
    }
}
