import Fluent

/// When a staff token was last used, so an idle token stops working.
struct UpdateAPITokenAddLastUsed: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("api_tokens").field("last_used_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("api_tokens").deleteField("last_used_at").update()
    }
}
