import Fluent

/// Community notices of positive activity (SS-PRG-6).
struct CreateCommunityNotice: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("community_notices")
            .id()
            .field("neighbourhood_id", .uuid, .required, .references("neighbourhoods", "id"))
            .field("case_id", .uuid, .references("cases", "id"))
            .field("title", .string, .required)
            .field("text", .string, .required)
            .field("status", .string, .required)
            .field("drafted_by_id", .uuid, .references("users", "id"))
            .field("drafted_at", .datetime, .required)
            .field("approved_by_id", .uuid, .references("users", "id"))
            .field("published_at", .datetime)
            .create()
        // The public list: a neighbourhood's published notices, newest first.
        try await database.createIndex("community_notices_public_idx", on: "community_notices",
                                       columns: ["neighbourhood_id", "status", "published_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("community_notices").delete()
    }
}
