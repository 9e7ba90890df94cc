import Fluent

/// The directory of partner agencies (SS-PRG-3), maintained by an admin.
struct CreatePartnerAgency: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("partner_agencies")
            .id()
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("email", .string)
            .field("phone", .string)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("partner_agencies").delete()
    }
}

/// The agencies a landlord works with everywhere in England and Wales; an admin adds local ones.
struct SeedPartnerAgencies: AsyncMigration {
    static let agencies: [(name: String, kind: PartnerAgency.Kind)] = [
        ("Police", .police),
        ("Environmental Health (noise)", .environmentalHealth),
        ("Adult Social Care", .adultSocialCare),
        ("Children's Services", .childrensServices),
        ("Mental Health Services", .mentalHealth),
        ("Community Safety Partnership", .communitySafetyPartnership),
        ("Victim Support", .victimSupport),
        ("Mediation Service", .mediation),
        ("Fire and Rescue", .fireAndRescue),
    ]

    func prepare(on database: any Database) async throws {
        for (name, kind) in Self.agencies {
            let agency = PartnerAgency()
            agency.name = name
            agency.kind = kind
            agency.active = true
            agency.createdAt = .init(timeIntervalSince1970: 1_764_547_200) // 2025-12-01, a fixed seed date
            try await agency.create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await PartnerAgency.query(on: database).filter(\.$name ~~ Self.agencies.map(\.name)).delete()
    }
}
