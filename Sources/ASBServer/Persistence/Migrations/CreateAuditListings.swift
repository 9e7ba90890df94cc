import Fluent
import FluentSQL

/// The person index of search entries on SQLite (`AuditListings`): a person search lists up to
/// 50 people, each an audit entry (`party.search`), and in the index of entries by record
/// (`audit_events_entity_idx`, ordered by person) each landed on a page of its own. On SQLite
/// that index now leaves them out; they are indexed by person in sorted runs made behind the
/// searches. Nothing changes on PostgreSQL.
struct CreateAuditListings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard try AuditListings.kept(on: database) else { return }
        let sql = try database.sql
        try await sql.raw("""
            CREATE TABLE audit_listings (run TEXT NOT NULL, party_id TEXT NOT NULL, event_id TEXT NOT NULL, \
            PRIMARY KEY (run, party_id, event_id)) WITHOUT ROWID
            """).run()
        try await sql.raw("CREATE TABLE audit_listing_runs (run TEXT PRIMARY KEY, entries INTEGER NOT NULL)").run()
        // How far into the trail (by row number) the listed runs reach: one row.
        try await sql.raw("CREATE TABLE audit_listing_state (last_rowid INTEGER NOT NULL)").run()
        try await sql.raw("INSERT INTO audit_listing_state (last_rowid) VALUES (0)").run()
        // The entries already written, one run, read while the old index still holds them.
        try await AuditListings.rebuild(on: database)
        try await database.dropIndex("audit_events_entity_idx")
        try await sql.raw("""
            CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, at) \
            WHERE action <> '\(unsafeRaw: AuditListings.action.rawValue)'
            """).run()
    }

    func revert(on database: any Database) async throws {
        guard try AuditListings.kept(on: database) else { return }
        let sql = try database.sql
        try await database.dropIndex("audit_events_entity_idx")
        try await database.createIndex("audit_events_entity_idx", on: "audit_events", columns: ["entity_type", "entity_id", "at"])
        for table in ["audit_listing_state", "audit_listing_runs", "audit_listings"] {
            try await sql.raw("DROP TABLE \(ident: table)").run()
        }
    }
}
