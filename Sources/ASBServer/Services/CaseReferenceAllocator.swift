import ASBCore
import Fluent
import FluentSQL
import Foundation

/// Issues the next case numbers of a year. One atomic upsert inside the caller's transaction: on
/// PostgreSQL the counter row stays locked until that transaction ends, on SQLite the write lock
/// does the same, so concurrent intakes never share a number and a rolled-back intake leaves no gap.
enum CaseReferenceAllocator {
    /// Takes the next `count` numbers of a year at once (intake writes many cases to a
    /// transaction) and answers the first of them; the others follow it.
    static func take(_ count: Int, year: Int, on db: any Database) async throws -> CaseReference {
        precondition(count > 0)
        guard let sql = db as? any SQLDatabase else { throw AppError.badRequest("The database does not speak SQL") }
        let row = try await sql.raw("""
            INSERT INTO case_reference_counters (year, last_number) VALUES (\(bind: year), \(bind: count))
            ON CONFLICT (year) DO UPDATE SET last_number = case_reference_counters.last_number + \(bind: count)
            RETURNING last_number
            """).first()
        guard let row else { throw AppError.badRequest("The case counter did not answer") }
        let last = try row.decode(column: "last_number", as: Int.self)
        return CaseReference(year: year, number: last - count + 1)
    }

    /// The reference year: the calendar year in the UK when the case is recorded.
    static func year(of date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        return calendar.component(.year, from: date)
    }
}
