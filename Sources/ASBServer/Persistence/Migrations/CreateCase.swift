import Fluent

struct CreateCase: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("cases")
            .id()
            .field("reference", .string, .required)
            .field("reference_year", .int, .required)
            .field("reference_number", .int, .required)
            .field("status", .string, .required)
            .field("channel", .string, .required)
            .field("categories", .array(of: .string), .required)
            .field("hate", .bool, .required)
            .field("hate_strands", .array(of: .string), .required)
            .field("asb_limbs", .array(of: .string), .required)
            .field("not_asb", .bool, .required)
            .field("priority", .int)
            .field("priority_source", .string)
            .field("risk_level", .string)
            .field("immediate_danger", .bool, .required)
            .field("location", .string)
            .field("postcode", .string)
            .field("property_id", .uuid, .references("properties", "id"))
            .field("neighbourhood_id", .uuid, .references("neighbourhoods", "id"))
            .field("allocated_officer_id", .uuid, .references("users", "id"))
            .field("lead_agency_id", .uuid, .references("partner_agencies", "id"))
            .field("closed_at", .datetime)
            .field("closure_reason", .string)
            .field("follow_up_of_id", .uuid, .references("cases", "id"))
            .field("case_review_status", .string)
            .field("case_review_met_at", .datetime)
            .field("case_review_due_at", .datetime)
            .field("access_code_hash", .string, .required)
            .field("received_at", .datetime, .required)
            .field("last_incident_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("version", .int, .required)
            .unique(on: "reference")
            .unique(on: "reference_year", "reference_number")
            .create()
        // One index per list and queue: by status, by officer, by neighbourhood, by priority, by hate, by date.
        try await database.createIndex("cases_received_idx", on: "cases", columns: ["received_at", "id"])
        try await database.createIndex("cases_status_received_idx", on: "cases", columns: ["status", "received_at"])
        try await database.createIndex("cases_officer_status_idx", on: "cases", columns: ["allocated_officer_id", "status", "received_at"])
        try await database.createIndex("cases_neighbourhood_idx", on: "cases", columns: ["neighbourhood_id", "received_at"])
        try await database.createIndex("cases_priority_idx", on: "cases", columns: ["priority", "received_at"])
        try await database.createIndex("cases_hate_idx", on: "cases", columns: ["hate", "received_at"])
        // The 60-day rule: open cases by their last incident.
        try await database.createIndex("cases_last_incident_idx", on: "cases", columns: ["status", "last_incident_at"])
        // The caseReviewThreshold queue.
        try await database.createIndex("cases_case_review_idx", on: "cases", columns: ["case_review_status", "case_review_due_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("cases").delete()
    }
}

/// The last case number issued per year; incremented atomically inside the intake transaction.
struct CreateCaseReferenceCounter: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("case_reference_counters")
            .field("year", .int, .identifier(auto: false))
            .field("last_number", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_reference_counters").delete()
    }
}
