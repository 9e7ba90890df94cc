import ASBCore
import Fluent
import Foundation
import Vapor

/// The homes count of each reporting year (NM01): set by an admin through the API, the admin
/// page or `asb config set homes`, and read by the statistics.
struct HomesService {
    let app: Application
    let db: any Database
    let requestID: String?

    static let range = 1...10_000_000

    struct Entry: Sendable, Equatable, Codable {
        /// `2026/27`.
        var year: String
        var homes: Int
        var updatedAt: Date
    }

    func all() async throws -> [Entry] {
        try await HomesCount.query(on: db).sort(\.$yearStart, .descending).limit(200).all().map(Self.entry)
    }

    func homes(inYearStartingIn startYear: Int) async throws -> Int? {
        try await HomesCount.query(on: db).filter(\.$yearStart == startYear).first()?.homes
    }

    /// Sets (or replaces) the count for `year` (`2026/27`); every change is audited.
    func set(year: String, homes: Int, by actor: Actor) async throws -> Entry {
        var errors: [FieldError] = []
        let startYear = StatisticsService.startYear(of: year)
        if startYear == nil { errors.append(FieldError("year", "Enter a financial year like 2026/27.")) }
        if !Self.range.contains(homes) { errors.append(FieldError("homes", "Enter the number of homes, from 1 to 10,000,000.")) }
        guard errors.isEmpty, let startYear else { throw ValidationFailure(errors) }
        let now = app.asb.clock.now()
        let row = try await HomesCount.query(on: db).filter(\.$yearStart == startYear).first() ?? HomesCount()
        let previous = row.id == nil ? nil : row.homes
        row.yearStart = startYear
        row.homes = homes
        row.$updatedBy.id = actor.userID
        row.updatedAt = now
        try await row.save(on: db)
        try await AuditLog.record(.homesSet, by: actor, entityType: "homes", entityID: ReportingPeriod.yearLabel(startYear),
                                  changes: ["homes": String(homes), "previous": previous.map(String.init) ?? "none"],
                                  at: now, requestID: requestID, on: db)
        return Self.entry(row)
    }

    private static func entry(_ row: HomesCount) -> Entry {
        Entry(year: ReportingPeriod.yearLabel(row.yearStart), homes: row.homes, updatedAt: row.updatedAt)
    }
}
