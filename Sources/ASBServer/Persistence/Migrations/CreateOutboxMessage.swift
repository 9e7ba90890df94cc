import Fluent

/// The outbox: every message to a reporter or a member of staff, written in the same transaction
/// as the change that causes it, then sent by the sender job (email) or printed (letter).
struct CreateOutboxMessage: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("outbox_messages")
            .id()
            .field("case_id", .uuid, .references("cases", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("channel", .string, .required)
            .field("recipient_party_id", .uuid, .references("parties", "id"))
            .field("recipient_user_id", .uuid, .references("users", "id"))
            .field("recipient_name", .string)
            .field("to_address", .string, .required)
            .field("subject", .string, .required)
            .field("text_body", .string, .required)
            .field("html_body", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("claimed_until", .datetime)
            .field("last_error", .string)
            .field("message_id", .string, .required)
            .field("dedupe_key", .string, .required)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .unique(on: "dedupe_key")
            .create()
        // The sender claims due messages by status and time; the case page lists a case's messages.
        try await database.createIndex("outbox_due_idx", on: "outbox_messages", columns: ["status", "next_attempt_at"])
        try await database.createIndex("outbox_case_idx", on: "outbox_messages", columns: ["case_id", "created_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").delete()
    }
}
