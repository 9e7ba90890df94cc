import Fluent

/// The tables hanging off a case that had no index on their case (or review) id. A case page
/// reads the case's surveys, reviews and notices; without these each read scanned its table
/// (the surveys' status index led a read of a case's due survey through every due survey:
/// 58,000 rows at 100,000 cases), and deleting a case (retention) scanned each of them for
/// the rows its foreign keys cascade to.
struct CreateCaseChildIndexes: AsyncMigration {
    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("satisfaction_surveys_case_idx", "satisfaction_surveys", ["case_id"]),
        ("dissatisfaction_reviews_case_idx", "dissatisfaction_reviews", ["case_id"]),
        ("dissatisfaction_actions_review_idx", "dissatisfaction_actions", ["review_id"]),
        ("community_notices_case_idx", "community_notices", ["case_id"]),
        ("inbound_emails_case_idx", "inbound_emails", ["case_id"]),
        ("internal_reviews_case_idx", "internal_reviews", ["case_id"]),
    ]

    func prepare(on database: any Database) async throws {
        for index in Self.indexes { try await database.createIndex(index.name, on: index.table, columns: index.columns) }
    }

    func revert(on database: any Database) async throws {
        for index in Self.indexes.reversed() { try await database.dropIndex(index.name) }
    }
}
