import ASBCore
import Fluent
import FluentSQL
import Foundation

/// Two copies on each milestone that make the figures and queues SQL over an index at any size:
/// `elapsed`, the working time it took to meet (until now worked out for every met milestone on
/// every statistics request), and `case_closed_at`, so the pending-deadline queues skip closed
/// cases' milestones through the index instead of reading past them. Both are filled in here for
/// existing rows; `elapsed` with the calendar as it stands now.
struct UpdateMilestoneAddElapsedAndCaseClosed: AsyncMigration {
    let calendarRegion: CalendarRegion

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        try await database.schema("case_milestones").field("elapsed", .double).update()
        try await database.schema("case_milestones").field("case_closed_at", .datetime).update()
        // The queues' and reminders' index: pending milestones of open cases, by due time.
        try await database.dropIndex("case_milestones_pending_idx")
        try await database.createIndex("case_milestones_open_idx", on: "case_milestones", columns: ["met_at", "case_closed_at", "due_at"])
        try await Self.fillIn(on: database, calendar: try await CalendarService.load(calendarRegion, on: database))
    }

    /// Fills both columns in where they are missing: `case_closed_at` from each closed case, and
    /// `elapsed` of each met milestone with `calendar`.
    static func fillIn(on database: any Database, calendar: WorkingCalendar) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            UPDATE case_milestones SET case_closed_at = (SELECT closed_at FROM cases WHERE cases.id = case_milestones.case_id)
            WHERE case_closed_at IS NULL AND case_id IN (SELECT id FROM cases WHERE closed_at IS NOT NULL)
            """).run()
        struct Row: Decodable { var id: UUID; var rule: String; var met_at: Date; var received_at: Date }
        var after: UUID?
        while true {
            let page: SQLQueryString = after.map { "AND m.id > \(bind: $0)" } ?? ""
            let rows = try await sql.raw("""
                SELECT m.id AS id, m.rule AS rule, m.met_at AS met_at, c.received_at AS received_at
                FROM case_milestones m JOIN cases c ON c.id = m.case_id
                WHERE m.met_at IS NOT NULL AND m.elapsed IS NULL \(page)
                ORDER BY m.id LIMIT 2000
                """).all(decoding: Row.self)
            guard let last = rows.last else { return }
            try await database.transaction { db in
                guard let sql = db as? any SQLDatabase else { return }
                for row in rows {
                    guard let rule = DeadlineRule(storageValue: row.rule) else { continue }
                    let elapsed = ServiceClock.elapsed(from: row.received_at, to: row.met_at, rule: rule, calendar: calendar)
                    try await sql.raw("UPDATE case_milestones SET elapsed = \(bind: elapsed) WHERE id = \(bind: row.id)").run()
                }
            }
            after = last.id
        }
    }

    func revert(on database: any Database) async throws {
        try await database.dropIndex("case_milestones_open_idx")
        try await database.createIndex("case_milestones_pending_idx", on: "case_milestones", columns: ["met_at", "due_at"])
        try await database.schema("case_milestones").deleteField("case_closed_at").update()
        try await database.schema("case_milestones").deleteField("elapsed").update()
    }
}
