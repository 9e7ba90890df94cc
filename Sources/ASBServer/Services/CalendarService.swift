import ASBCore
import Fluent
import Foundation
import Vapor

/// The working calendar as the landlord runs it: the region's rules, the admin's overrides and
/// any imported GOV.UK list. Every deadline is computed with it.
struct CalendarService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    /// The calendar of a region (the configured one by default). Cached in the process for a
    /// minute; a change made here clears the cache at once, one made by another instance shows
    /// within the minute.
    func calendar(region: CalendarRegion? = nil) async throws -> WorkingCalendar {
        try await Self.calendar(region: region, env: env, on: db)
    }

    /// `calendar(region:)` for code that holds the environment rather than the application.
    static func calendar(region: CalendarRegion? = nil, env: ASBEnvironment, on db: any Database) async throws -> WorkingCalendar {
        let region = region ?? env.config.calendarRegion
        let now = env.clock.now()
        if let cached = env.calendars.get(region, now: now) { return cached }
        let calendar = try await load(region, on: db)
        env.calendars.put(calendar, for: region, now: now)
        return calendar
    }

    /// A region's calendar as stored, uncached: for migrations, which run before the application's environment.
    static func load(_ region: CalendarRegion, on db: any Database) async throws -> WorkingCalendar {
        let overrides = try await CalendarOverride.query(on: db).filter(\.$region == region).limit(10_000).all()
        let imported = try await ImportedHoliday.query(on: db).filter(\.$region == region).limit(100_000).all()
        var additions: [BankHoliday] = []
        var removals: Set<LocalDate> = []
        for override in overrides {
            guard let date = LocalDate(iso: override.date) else { continue }
            switch override.kind {
            case .closureDay: additions.append(BankHoliday(date: date, name: override.name, kind: .closureDay))
            case .extraHoliday: additions.append(BankHoliday(date: date, name: override.name, kind: .bankHoliday))
            case .removedHoliday: removals.insert(date)
            }
        }
        var years: [Int: [BankHoliday]] = [:]
        for holiday in imported {
            guard let date = LocalDate(iso: holiday.date) else { continue }
            years[holiday.year, default: []].append(BankHoliday(date: date, name: holiday.name))
        }
        return WorkingCalendar(region: region, additions: additions, removals: removals, importedYears: years)
    }

    func holidays(year: Int, region: CalendarRegion? = nil) async throws -> [BankHoliday] {
        guard BankHolidays.supportedYears.contains(year) else {
            throw AppError.badRequest("year must be from \(BankHolidays.supportedYears.lowerBound) to \(BankHolidays.supportedYears.upperBound).")
        }
        return try await calendar(region: region).holidays(in: year)
    }

    func overrides() async throws -> [CalendarOverride] {
        try await CalendarOverride.query(on: db).sort(\.$date).sort(\.$region).limit(10_000).all()
    }

    func addOverride(kind: CalendarOverride.Kind, date rawDate: String, name rawName: String?, region: CalendarRegion?,
                     by actor: Actor) async throws -> CalendarOverride {
        let region = region ?? env.config.calendarRegion
        var errors: [FieldError] = []
        let date = LocalDate(iso: rawDate)
        if date == nil || !BankHolidays.supportedYears.contains(date!.year) {
            errors.append(FieldError("date", "Enter a date from 1970 to 2100 as YYYY-MM-DD."))
        }
        let name = (rawName ?? "").trimmingWhitespace()
        if kind != .removedHoliday && (name.isEmpty || name.count > 200) {
            errors.append(FieldError("name", "Say what the day is, e.g. \"Office closed for staff training\" (up to 200 characters)."))
        }
        guard errors.isEmpty, let date else { throw ValidationFailure(errors) }
        let current = try await calendar(region: region)
        switch kind {
        case .removedHoliday:
            guard current.holidays(on: date).contains(where: { $0.kind == .bankHoliday }) else {
                throw ValidationFailure([FieldError("date", "\(date) is not a bank holiday in \(region.displayName).")])
            }
        case .closureDay, .extraHoliday:
            guard current.isWorkingDay(date) else {
                throw ValidationFailure([FieldError("date", "\(date) is already a non-working day.")])
            }
        }
        if try await CalendarOverride.query(on: db).filter(\.$region == region).filter(\.$kind == kind)
            .filter(\.$date == date.description).count() > 0 {
            throw AppError.duplicate("That change to \(date) is already recorded.")
        }
        let override = CalendarOverride()
        override.region = region
        override.kind = kind
        override.date = date.description
        override.name = kind == .removedHoliday ? (name.isEmpty ? "Holiday removed" : name) : name
        override.createdAt = env.clock.now()
        override.$createdBy.id = actor.userID
        try await override.create(on: db)
        env.calendars.clear()
        try await AuditLog.record(.calendarChange, by: actor, entityType: "calendar", entityID: try override.requireID().text,
                                  changes: ["kind": kind.rawValue, "date": date.description, "region": region.rawValue],
                                  at: env.clock.now(), requestID: requestID, on: db)
        return override
    }

    func deleteOverride(_ id: UUID, by actor: Actor) async throws {
        guard let override = try await CalendarOverride.find(id, on: db) else { throw AppError.notFound("No such calendar change.") }
        try await override.delete(on: db)
        env.calendars.clear()
        try await AuditLog.record(.calendarChange, by: actor, entityType: "calendar", entityID: id.text,
                                  changes: ["removed": override.kind.rawValue, "date": override.date],
                                  at: env.clock.now(), requestID: requestID, on: db)
    }

    /// Applies a GOV.UK bank-holidays file: for each region and year it covers, its list replaces
    /// the computed holidays. Returns the years imported per region.
    func importGovUK(_ data: Data, by actor: Actor) async throws -> [CalendarRegion: ClosedRange<Int>] {
        let file = try GovUKBankHolidays.decode(from: data)
        let imported = try await env.writes.run(on: db) { db in
            var imported: [CalendarRegion: ClosedRange<Int>] = [:]
            for region in CalendarRegion.allCases {
                let years = file.importedYears(for: region)
                guard let first = years.keys.min(), let last = years.keys.max() else { continue }
                try await ImportedHoliday.query(on: db).filter(\.$region == region)
                    .filter(\.$year >= first).filter(\.$year <= last).delete()
                for (year, holidays) in years {
                    for holiday in holidays {
                        let row = ImportedHoliday()
                        row.region = region
                        row.year = year
                        row.date = holiday.date.description
                        row.name = holiday.name
                        try await row.create(on: db)
                    }
                }
                imported[region] = first...last
            }
            return imported
        }
        env.calendars.clear()
        for (region, years) in imported {
            try await AuditLog.record(.calendarChange, by: actor, entityType: "calendar", entityID: region.rawValue,
                                      changes: ["imported": "\(years.lowerBound)-\(years.upperBound)"],
                                      at: env.clock.now(), requestID: requestID, on: db)
        }
        return imported
    }
}

/// Calendars by region, kept for a minute.
typealias CalendarCache = ExpiringCache<CalendarRegion, WorkingCalendar>
