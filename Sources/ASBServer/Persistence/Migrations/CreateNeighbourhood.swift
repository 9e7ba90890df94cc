import Fluent

struct CreateNeighbourhood: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("neighbourhoods")
            .id()
            .field("name", .string, .required)
            .field("postcode_sectors", .array(of: .string), .required)
            .unique(on: "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("neighbourhoods").delete()
    }
}
