import Fluent

/// Applications for an ASB Case Review (the community trigger, 2014 Act s.104; SS-PRT-1).
struct CreateCaseReviewApplication: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("case_review_applications")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("applicant_party_id", .uuid, .references("parties", "id"))
            .field("applied_on", .string, .required)
            .field("threshold_met", .bool, .required)
            .field("threshold_explanation", .string, .required)
            .field("meeting_on", .string)
            .field("outcome", .string)
            .field("recommendations", .string)
            .field("outcome_due_at", .datetime)
            .field("outcome_sent_on", .string)
            .field("recorded_by_id", .uuid, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .create()
        try await database.createIndex("case_review_applications_case_idx", on: "case_review_applications", columns: ["case_id", "created_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_review_applications").delete()
    }
}
