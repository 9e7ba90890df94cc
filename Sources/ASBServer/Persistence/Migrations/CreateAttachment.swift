import Fluent

/// Evidence and documents (SS-PRG-1, SS-PRG-5), stored in the database so that a move between
/// SQLite and PostgreSQL takes them along. Contents live apart from the metadata, so lists never
/// read the files.
struct CreateAttachment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("attachments")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("incident_id", .uuid, .references("incident_reports", "id"))
            .field("enforcement_id", .uuid, .references("enforcement_actions", "id"))
            .field("file_name", .string, .required)
            .field("type", .string, .required)
            .field("size", .int, .required)
            .field("sha256", .string, .required)
            .field("restricted", .bool, .required)
            .field("uploaded_by_id", .uuid, .references("users", "id"))
            .field("uploaded_at", .datetime, .required)
            .create()
        try await database.createIndex("attachments_case_idx", on: "attachments", columns: ["case_id", "uploaded_at"])
        try await database.schema("attachment_contents")
            .field("attachment_id", .uuid, .identifier(auto: false), .references("attachments", "id", onDelete: .cascade))
            .field("content", .data, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("attachment_contents").delete()
        try await database.schema("attachments").delete()
    }
}
