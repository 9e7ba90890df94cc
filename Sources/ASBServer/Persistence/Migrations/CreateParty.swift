import Fluent

struct CreateParty: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("parties")
            .id()
            .field("name", .string)
            .field("name_key", .string)
            .field("email", .string)
            .field("phone", .string)
            .field("address", .string)
            .field("address_key", .string)
            .field("postcode", .string)
            .field("preferred_contact_method", .string)
            .field("preferred_contact_times", .string)
            .field("language", .string)
            .field("interpreter_needed", .bool, .required)
            .field("support_notes", .string)
            .field("consent_to_share", .bool)
            .field("consent_recorded_at", .datetime)
            .field("tenancy_reference", .string)
            .field("support_needs", .array(of: .string), .required)
            .field("property_id", .uuid, .references("properties", "id"))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.createIndex("parties_name_idx", on: "parties", columns: ["name_key"])
        try await database.createIndex("parties_postcode_idx", on: "parties", columns: ["postcode"])
        try await database.createIndex("parties_tenancy_idx", on: "parties", columns: ["tenancy_reference"])
        try await database.createIndex("parties_address_idx", on: "parties", columns: ["address_key"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("parties").delete()
    }
}
