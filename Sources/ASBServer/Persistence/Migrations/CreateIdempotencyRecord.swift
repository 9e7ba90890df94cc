import Fluent

struct CreateIdempotencyRecord: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("idempotency_records")
            .id()
            .field("key", .string, .required)
            .field("request_hash", .string, .required)
            .field("response", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "key")
            .create()
        try await database.createIndex("idempotency_records_expiry_idx", on: "idempotency_records", columns: ["expires_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("idempotency_records").delete()
    }
}
