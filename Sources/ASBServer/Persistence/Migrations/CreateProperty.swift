import Fluent

struct CreateProperty: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("properties")
            .id()
            .field("address_line", .string, .required)
            .field("address_key", .string, .required)
            .field("postcode", .string, .required)
            .field("neighbourhood_id", .uuid, .references("neighbourhoods", "id"))
            .field("tenancy_reference", .string)
            .unique(on: "postcode", "address_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("properties").delete()
    }
}
