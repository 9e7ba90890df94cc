import Fluent

struct CreateCaseEvent: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("case_events")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("kind", .string, .required)
            .field("summary", .string, .required)
            .field("actor_user_id", .uuid, .references("users", "id"))
            .create()
        try await database.createIndex("case_events_case_idx", on: "case_events", columns: ["case_id", "at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_events").delete()
    }
}
