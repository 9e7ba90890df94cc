import Fluent

struct CreateCaseParty: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("case_parties")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("party_id", .uuid, .required, .references("parties", "id"))
            .field("role", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "case_id", "party_id", "role")
            .create()
        try await database.createIndex("case_parties_party_idx", on: "case_parties", columns: ["party_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_parties").delete()
    }
}
