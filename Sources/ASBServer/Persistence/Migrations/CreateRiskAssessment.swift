import Fluent

/// Risk assessments (SS-RT-1) and the questionnaire versions they were scored with.
struct CreateRiskAssessment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("risk_questionnaires")
            .field("version", .string, .identifier(auto: false))
            .field("definition", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("risk_assessments")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("questionnaire_version", .string, .required, .references("risk_questionnaires", "version"))
            .field("answers", .string, .required)
            .field("score", .int, .required)
            .field("level", .string, .required)
            .field("computed_priority", .int, .required)
            .field("priority", .int, .required)
            .field("override_reason", .string)
            .field("reasons", .array(of: .string), .required)
            .field("support_needs", .array(of: .string), .required)
            .field("not_asb", .bool, .required)
            .field("source", .string, .required)
            .field("assessed_by_id", .uuid, .references("users", "id"))
            .field("assessed_at", .datetime, .required)
            .create()
        try await database.createIndex("risk_assessments_case_idx", on: "risk_assessments", columns: ["case_id", "assessed_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("risk_assessments").delete()
        try await database.schema("risk_questionnaires").delete()
    }
}
