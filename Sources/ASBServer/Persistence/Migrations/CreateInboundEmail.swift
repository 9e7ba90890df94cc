import Fluent

/// Every email taken in, by `Message-ID`: a message delivered twice is processed once.
struct CreateInboundEmail: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("inbound_emails")
            .id()
            .field("message_id", .string, .required)
            .field("case_id", .uuid, .references("cases", "id", onDelete: .setNull))
            .field("outcome", .string, .required)
            .field("received_at", .datetime, .required)
            .unique(on: "message_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("inbound_emails").delete()
    }
}
