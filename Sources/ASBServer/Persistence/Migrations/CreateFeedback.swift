import Fluent

/// Complaints and compliments (SS-MON-5).
struct CreateFeedback: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("feedback")
            .id()
            .field("kind", .string, .required)
            .field("channel", .string, .required)
            .field("case_id", .uuid, .references("cases", "id", onDelete: .setNull))
            .field("received_at", .datetime, .required)
            .field("name", .string)
            .field("email", .string)
            .field("phone", .string)
            .field("text", .string, .required)
            .field("officer_name", .string)
            .field("status", .string, .required)
            .field("acknowledged_at", .datetime)
            .field("investigator_id", .uuid, .references("users", "id"))
            .field("outcome", .string)
            .field("improvement_actions", .string)
            .field("closed_at", .datetime)
            .field("recorded_by_id", .uuid, .references("users", "id"))
            .create()
        try await database.createIndex("feedback_status_idx", on: "feedback", columns: ["status", "received_at"])
        try await database.createIndex("feedback_case_idx", on: "feedback", columns: ["case_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("feedback").delete()
    }
}
