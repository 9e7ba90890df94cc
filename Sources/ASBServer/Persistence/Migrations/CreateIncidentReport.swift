import Fluent

struct CreateIncidentReport: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("incident_reports")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("channel", .string, .required)
            .field("received_at", .datetime, .required)
            .field("recorded_at", .datetime, .required)
            .field("reporter_party_id", .uuid, .references("parties", "id"))
            .field("anonymous", .bool, .required)
            .field("description", .string, .required)
            .field("occurred_on", .string)
            .field("occurred_at", .string)
            .field("location", .string)
            .field("postcode", .string)
            .field("categories", .array(of: .string), .required)
            .field("hate", .bool, .required)
            .field("hate_strands", .array(of: .string), .required)
            .field("immediate_danger", .bool, .required)
            .field("risk_answers", .string)
            .field("guidance_given", .array(of: .string), .required)
            .field("recorded_by_id", .uuid, .references("users", "id"))
            .create()
        try await database.createIndex("incident_reports_case_idx", on: "incident_reports", columns: ["case_id", "received_at"])
        try await database.createIndex("incident_reports_channel_idx", on: "incident_reports", columns: ["channel", "received_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("incident_reports").delete()
    }
}
