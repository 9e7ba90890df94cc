import Fluent
import FluentSQL

/// Closure proposals and the agreement contacts (SS-CLS-1, SS-CLS-2), and the surveys due on closure.
struct CreateClosure: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("closure_proposals")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("reason", .string, .required)
            .field("explanation", .string)
            .field("withdrawal_how", .string)
            .field("withdrawal_on", .string)
            .field("status", .string, .required)
            .field("proposed_by_id", .uuid, .references("users", "id"))
            .field("proposed_at", .datetime, .required)
            .field("approved_by_id", .uuid, .references("users", "id"))
            .field("approved_at", .datetime)
            .field("ended_at", .datetime)
            .field("end_note", .string)
            .create()
        try await database.createIndex("closure_proposals_case_idx", on: "closure_proposals", columns: ["case_id", "proposed_at"])
        // At most one pending proposal per case, whatever several server instances do at once.
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE UNIQUE INDEX closure_proposals_one_pending ON closure_proposals (case_id) WHERE status = 'pending'").run()
        }
        try await database.schema("closure_contacts")
            .id()
            .field("proposal_id", .uuid, .required, .references("closure_proposals", "id", onDelete: .cascade))
            .field("method", .string, .required)
            .field("outcome", .string, .required)
            .field("reasons", .string)
            .field("at", .datetime, .required)
            .field("recorded_by_id", .uuid, .references("users", "id"))
            .create()
        try await database.createIndex("closure_contacts_proposal_idx", on: "closure_contacts", columns: ["proposal_id", "at"])
        try await database.schema("satisfaction_surveys")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("due_at", .datetime, .required)
            .create()
        try await database.createIndex("satisfaction_surveys_status_idx", on: "satisfaction_surveys", columns: ["status", "due_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("satisfaction_surveys").delete()
        try await database.schema("closure_contacts").delete()
        try await database.schema("closure_proposals").delete()
    }
}
