import Fluent

struct CreateUser: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("email", .string)
            .field("role", .string, .required)
            .field("partner_agency_id", .uuid, .references("partner_agencies", "id"))
            .field("password_hash", .string, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "username")
            .create()
        try await database.createIndex("users_role_idx", on: "users", columns: ["role", "username"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").delete()
    }
}
