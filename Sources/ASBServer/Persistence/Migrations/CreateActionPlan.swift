import Fluent

/// Action plans (SS-NXT-2): each agreement is a revision; the current one is the plan.
struct CreateActionPlan: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("action_plans")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("revision", .int, .required)
            .field("agreed_on", .string, .required)
            .field("how_agreed", .string, .required)
            .field("notes", .string)
            .field("current", .bool, .required)
            .field("created_by_id", .uuid, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .unique(on: "case_id", "revision")
            .create()
        try await database.createIndex("action_plans_current_idx", on: "action_plans", columns: ["case_id", "current"])
        try await database.schema("plan_actions")
            .id()
            .field("plan_id", .uuid, .required, .references("action_plans", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("what", .string, .required)
            .field("owner", .string, .required)
            .field("owner_user_id", .uuid, .references("users", "id"))
            .field("owner_agency_id", .uuid, .references("partner_agencies", "id"))
            .field("owner_party_id", .uuid, .references("parties", "id"))
            .field("due_on", .string)
            .field("status", .string, .required)
            .field("completed_on", .string)
            .field("completion_note", .string)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.createIndex("plan_actions_plan_idx", on: "plan_actions", columns: ["plan_id", "position"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("plan_actions").delete()
        try await database.schema("action_plans").delete()
    }
}
