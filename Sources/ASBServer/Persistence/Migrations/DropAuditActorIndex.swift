import Fluent

/// Drops the audit trail's index by actor (`actor_user_id`, `at`): nothing reads the trail by
/// actor (a case's trail is read by case, a person's by record and by person searched, and staff
/// accounts are disabled, never deleted, so no foreign-key check looks for an actor's entries),
/// yet every audit entry, the writes' most frequent row, was inserted into it, and it was the
/// costliest of the indexes `asb demo-data` makes at the end (21 s of about 2 minutes at
/// 1,000,000 cases, 12.5 million entries). A listing by actor would bring it back with its reader.
struct DropAuditActorIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.dropIndex("audit_events_actor_idx")
    }

    func revert(on database: any Database) async throws {
        try await database.createIndex("audit_events_actor_idx", on: "audit_events", columns: ["actor_user_id", "at"])
    }
}
