import Fluent

/// Each case's service deadlines (SS-RT-2..4), kept with the rule that produced them.
struct CreateCaseMilestone: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("case_milestones")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("milestone", .string, .required)
            .field("priority", .int, .required)
            .field("rule", .string, .required)
            .field("explanation", .string, .required)
            .field("due_at", .datetime, .required)
            .field("met_at", .datetime)
            .field("met_by_id", .uuid, .references("users", "id"))
            .field("met_note", .string)
            .field("breach_recorded_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "case_id", "milestone")
            .create()
        // Queues (due soon, overdue) and the breach scan read pending milestones by due time.
        try await database.createIndex("case_milestones_pending_idx", on: "case_milestones", columns: ["met_at", "due_at"])
        try await database.createIndex("case_milestones_breach_idx", on: "case_milestones",
                                       columns: ["met_at", "breach_recorded_at", "due_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_milestones").delete()
    }
}
