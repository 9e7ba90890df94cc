import Fluent

/// Witness evidence and enforcement actions (SS-PRG-5).
struct CreateEnforcement: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("witness_evidence")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("party_id", .uuid, .references("parties", "id"))
            .field("witness_name", .string)
            .field("confirmed_on", .string, .required)
            .field("how_confirmed", .string, .required)
            .field("approved_by_id", .uuid, .references("users", "id"))
            .field("approved_at", .datetime)
            .field("recorded_by_id", .uuid, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .create()
        try await database.createIndex("witness_evidence_case_idx", on: "witness_evidence", columns: ["case_id"])
        try await database.schema("enforcement_actions")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("type", .string, .required)
            .field("on", .string, .required)
            .field("status", .string, .required)
            .field("against_party_id", .uuid, .references("parties", "id"))
            .field("outcome", .string)
            .field("notes", .string)
            .field("warnings", .array(of: .string), .required)
            .field("recorded_by_id", .uuid, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.createIndex("enforcement_actions_case_idx", on: "enforcement_actions", columns: ["case_id", "on"])
        try await database.createIndex("enforcement_actions_type_idx", on: "enforcement_actions", columns: ["type", "on"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("enforcement_actions").delete()
        try await database.schema("witness_evidence").delete()
    }
}
