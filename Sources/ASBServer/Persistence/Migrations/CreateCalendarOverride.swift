import Fluent

/// The admin's changes to the computed calendar, and holidays imported from a GOV.UK list.
struct CreateCalendarOverride: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("calendar_overrides")
            .id()
            .field("region", .string, .required)
            .field("kind", .string, .required)
            .field("date", .string, .required)
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .field("created_by_id", .uuid, .references("users", "id"))
            .unique(on: "region", "kind", "date")
            .create()
        try await database.schema("calendar_imported_holidays")
            .id()
            .field("region", .string, .required)
            .field("year", .int, .required)
            .field("date", .string, .required)
            .field("name", .string, .required)
            .unique(on: "region", "date")
            .create()
        try await database.createIndex("calendar_imported_year_idx", on: "calendar_imported_holidays", columns: ["region", "year"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("calendar_imported_holidays").delete()
        try await database.schema("calendar_overrides").delete()
    }
}
