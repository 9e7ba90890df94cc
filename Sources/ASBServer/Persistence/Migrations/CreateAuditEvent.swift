import Fluent

struct CreateAuditEvent: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_events")
            .id()
            .field("at", .datetime, .required)
            .field("actor_user_id", .uuid, .references("users", "id"))
            .field("actor_label", .string)
            .field("action", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .string, .required)
            .field("case_id", .uuid, .references("cases", "id"))
            .field("changes", .string, .required)
            .field("request_id", .string)
            .create()
        try await database.createIndex("audit_events_case_idx", on: "audit_events", columns: ["case_id", "at"])
        try await database.createIndex("audit_events_entity_idx", on: "audit_events", columns: ["entity_type", "entity_id", "at"])
        try await database.createIndex("audit_events_actor_idx", on: "audit_events", columns: ["actor_user_id", "at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_events").delete()
    }
}
