import Fluent

/// The person search's indexes end with the column it sorts ties by, so a search reads 50
/// people and stops. SQLite's index on `name_key` alone holds the rowid, not `id`: a search
/// for a full name read and sorted every person of that name first (499 "THEO HARRIS" at
/// 1,000,000 cases, each a random read of the table). The links' index holds the case too, so
/// counting a person's cases, and listing their other cases, reads no link rows.
struct UpdatePartySearchIndexes: AsyncMigration {
    static let indexes: [(name: String, table: String, before: [String], after: [String])] = [
        ("parties_name_idx", "parties", ["name_key"], ["name_key", "id"]),
        ("parties_address_idx", "parties", ["address_key"], ["address_key", "id"]),
        ("case_parties_party_idx", "case_parties", ["party_id"], ["party_id", "case_id"]),
    ]

    func prepare(on database: any Database) async throws {
        for index in Self.indexes {
            try await database.dropIndex(index.name)
            try await database.createIndex(index.name, on: index.table, columns: index.after)
        }
    }

    func revert(on database: any Database) async throws {
        for index in Self.indexes.reversed() {
            try await database.dropIndex(index.name)
            try await database.createIndex(index.name, on: index.table, columns: index.before)
        }
    }
}
