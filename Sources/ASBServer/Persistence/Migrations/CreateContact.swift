import Fluent

/// Contact plans per party (SS-NXT-5) and the contact log (SS-PRG-2).
struct CreateContact: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("contact_plans")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("party_id", .uuid, .required, .references("parties", "id"))
            .field("frequency", .string, .required)
            .field("method", .string, .required)
            .field("agreed_on", .string, .required)
            .field("agreed_by_id", .uuid, .references("users", "id"))
            .field("next_contact_due", .string, .required)
            .field("for_reporter", .bool, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        // The contact-due queue reads active plans by their next due date.
        try await database.createIndex("contact_plans_due_idx", on: "contact_plans", columns: ["active", "next_contact_due"])
        try await database.createIndex("contact_plans_case_idx", on: "contact_plans", columns: ["case_id", "party_id"])
        try await database.schema("contact_log")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("party_id", .uuid, .references("parties", "id"))
            .field("at", .datetime, .required)
            .field("method", .string, .required)
            .field("direction", .string, .required)
            .field("summary", .string, .required)
            .field("restricted", .bool, .required)
            .field("recorded_by_id", .uuid, .references("users", "id"))
            .field("recorded_at", .datetime, .required)
            .create()
        try await database.createIndex("contact_log_case_idx", on: "contact_log", columns: ["case_id", "at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("contact_log").delete()
        try await database.schema("contact_plans").delete()
    }
}
