import Fluent

/// Open311 clients (each with an API key issued by an admin, stored hashed) and the requests
/// each submitted, so a client reads back only its own.
struct CreateOpen311: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("open311_clients")
            .id()
            .field("name", .string, .required)
            .field("key_hash", .string, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "key_hash")
            .unique(on: "name")
            .create()
        try await database.schema("open311_requests")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("client_id", .uuid, .required, .references("open311_clients", "id"))
            .field("token", .string, .required)
            .field("service_code", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "case_id")
            .unique(on: "token")
            .create()
        try await database.createIndex("open311_requests_client_idx", on: "open311_requests", columns: ["client_id", "created_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("open311_requests").delete()
        try await database.schema("open311_clients").delete()
    }
}
