import Fluent

struct CreateThrottleEvent: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("throttle_events")
            .id()
            .field("scope", .string, .required)
            .field("key_hash", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await database.createIndex("throttle_events_key_idx", on: "throttle_events", columns: ["scope", "key_hash", "at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("throttle_events").delete()
    }
}
