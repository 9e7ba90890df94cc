import Fluent

/// Referrals to partner agencies, their updates, and the lead agency decisions (SS-PRG-3).
struct CreateReferral: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("referrals")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("agency_id", .uuid, .required, .references("partner_agencies", "id"))
            .field("reason", .string, .required)
            .field("consent_given", .bool, .required)
            .field("lawful_basis", .string)
            .field("shared_fields", .array(of: .string), .required)
            .field("status", .string, .required)
            .field("sent_at", .datetime, .required)
            .field("sent_by_id", .uuid, .references("users", "id"))
            .field("updated_at", .datetime, .required)
            .create()
        // A partner's cases: referrals to its agency; a case's referrals.
        try await database.createIndex("referrals_agency_idx", on: "referrals", columns: ["agency_id", "status", "case_id"])
        try await database.createIndex("referrals_case_idx", on: "referrals", columns: ["case_id", "sent_at"])
        try await database.schema("referral_updates")
            .id()
            .field("referral_id", .uuid, .required, .references("referrals", "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("author_id", .uuid, .references("users", "id"))
            .field("text", .string, .required)
            .field("status", .string)
            .create()
        try await database.createIndex("referral_updates_referral_idx", on: "referral_updates", columns: ["referral_id", "at"])
        try await database.schema("lead_agency_decisions")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("agency_id", .uuid, .references("partner_agencies", "id"))
            .field("reason", .string, .required)
            .field("decided_by_id", .uuid, .references("users", "id"))
            .field("decided_at", .datetime, .required)
            .create()
        try await database.createIndex("lead_agency_decisions_case_idx", on: "lead_agency_decisions", columns: ["case_id", "decided_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("lead_agency_decisions").delete()
        try await database.schema("referral_updates").delete()
        try await database.schema("referrals").delete()
    }
}
