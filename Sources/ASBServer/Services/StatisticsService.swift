import ASBCore
import Fluent
import FluentSQL
import Foundation
import Vapor

/// The published figures (SS-MON-1, SS-MON-4): SQL aggregates over index-backed columns, the same
/// on SQLite and PostgreSQL. Every count is of cases received (or closed, for outcomes) in the
/// period, in UK dates.
struct StatisticsService {
    let app: Application
    let db: any Database

    struct Compliance: Sendable, Equatable, Codable {
        var priority: Int
        var milestone: String
        var due: Int
        var met: Int
        var breached: Int
        var pending: Int
    }

    /// How long met milestones took, in their rule's working time.
    struct Timing: Sendable, Equatable, Codable {
        var priority: Int
        var milestone: String
        /// `workingHours` or `workingDays`.
        var unit: String
        var count: Int
        var median: Double
        var p90: Double
    }

    struct PeriodFigures: Sendable, Equatable, Codable {
        var period: String
        var from: String
        var to: String
        var newCases: Int
        var hateCases: Int
        var notASB: Int
        var byChannel: [String: Int]
        var compliance: [Compliance]
        var timing: [Timing]
        var byCategory: [String: Int]
        var byHateStrand: [String: Int]
        var closedByReason: [String: Int]
        var surveysAnswered: Int
        var surveysSatisfied: Int
        var complaints: Int
        var compliments: Int
    }

    private var sql: any SQLDatabase {
        get throws {
            guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "Statistics need an SQL database") }
            return sql
        }
    }

    func figures(for period: ReportingPeriod, now: Date) async throws -> PeriodFigures {
        let from = LondonTime.startOfDay(period.start), to = LondonTime.startOfDay(period.end)
        let sql = try self.sql
        struct Row: Decodable { var n: Int?; var hate: Int?; var not_asb: Int? }
        let totals = try await sql.raw("""
            SELECT COUNT(*) AS n, SUM(CASE WHEN hate THEN 1 ELSE 0 END) AS hate, SUM(CASE WHEN not_asb THEN 1 ELSE 0 END) AS not_asb
            FROM cases WHERE received_at >= \(bind: from) AND received_at < \(bind: to)
            """).first(decoding: Row.self)
        struct Keyed: Decodable { var k: String; var n: Int }
        let channels = try await sql.raw("""
            SELECT channel AS k, COUNT(*) AS n FROM cases WHERE received_at >= \(bind: from) AND received_at < \(bind: to) GROUP BY channel
            """).all(decoding: Keyed.self)
        struct ComplianceRow: Decodable { var priority: Int; var milestone: String; var due: Int; var met: Int?; var breached: Int? }
        let compliance = try await sql.raw("""
            SELECT m.priority AS priority, m.milestone AS milestone, COUNT(*) AS due,
                   SUM(CASE WHEN m.met_at IS NOT NULL AND m.met_at <= m.due_at THEN 1 ELSE 0 END) AS met,
                   SUM(CASE WHEN (m.met_at IS NOT NULL AND m.met_at > m.due_at) OR (m.met_at IS NULL AND m.due_at < \(bind: now))
                            THEN 1 ELSE 0 END) AS breached
            FROM case_milestones m JOIN cases c ON c.id = m.case_id
            WHERE c.received_at >= \(bind: from) AND c.received_at < \(bind: to) AND c.not_asb = \(bind: false)
            GROUP BY m.priority, m.milestone ORDER BY m.priority, m.milestone
            """).all(decoding: ComplianceRow.self)
        let closures = try await sql.raw("""
            SELECT closure_reason AS k, COUNT(*) AS n FROM cases
            WHERE closed_at >= \(bind: from) AND closed_at < \(bind: to) AND closure_reason IS NOT NULL GROUP BY closure_reason
            """).all(decoding: Keyed.self)
        struct SurveyRow: Decodable { var n: Int?; var satisfied: Int? }
        let surveys = try await sql.raw("""
            SELECT COUNT(*) AS n, SUM(CASE WHEN overall >= 4 THEN 1 ELSE 0 END) AS satisfied FROM satisfaction_surveys
            WHERE status = 'answered' AND answered_at >= \(bind: from) AND answered_at < \(bind: to)
            """).first(decoding: SurveyRow.self)
        let feedback = try await sql.raw("""
            SELECT kind AS k, COUNT(*) AS n FROM feedback WHERE received_at >= \(bind: from) AND received_at < \(bind: to) GROUP BY kind
            """).all(decoding: Keyed.self)
        let byKind = Dictionary(feedback.map { ($0.k, $0.n) }, uniquingKeysWith: +)
        // Categories and strands are lists on each case: counted here, over the period's cases only.
        let received = try await ASBCase.query(on: db).filter(\.$receivedAt >= from).filter(\.$receivedAt < to)
            .filter(\.$notASB == false).field(\.$id).field(\.$categories).field(\.$hateStrands).field(\.$receivedAt).field(\.$priority)
            .limit(100_000).all()
        var byCategory: [String: Int] = [:], byStrand: [String: Int] = [:]
        for c in received {
            for category in c.categories { byCategory[category.rawValue, default: 0] += 1 }
            for strand in c.hateStrands { byStrand[strand.rawValue, default: 0] += 1 }
        }
        let timing = try await timing(caseIDs: received.compactMap(\.id), receivedAt: Dictionary(received.compactMap { c in c.id.map { ($0, c.receivedAt) } },
                                                                                                    uniquingKeysWith: { a, _ in a }))
        return PeriodFigures(
            period: period.label, from: period.start.description, to: period.end.adding(days: -1).description,
            newCases: totals?.n ?? 0, hateCases: totals?.hate ?? 0, notASB: totals?.not_asb ?? 0,
            byChannel: Dictionary(channels.map { ($0.k, $0.n) }, uniquingKeysWith: +),
            compliance: compliance.map { row in
                let met = row.met ?? 0, breached = row.breached ?? 0
                return Compliance(priority: row.priority, milestone: row.milestone, due: row.due, met: met, breached: breached,
                                  pending: row.due - met - breached)
            },
            timing: timing, byCategory: byCategory, byHateStrand: byStrand,
            closedByReason: Dictionary(closures.map { ($0.k, $0.n) }, uniquingKeysWith: +),
            surveysAnswered: surveys?.n ?? 0, surveysSatisfied: surveys?.satisfied ?? 0,
            complaints: byKind["complaint"] ?? 0, compliments: byKind["compliment"] ?? 0)
    }

    /// Median and 90th percentile time to each met milestone, per priority, in working time.
    private func timing(caseIDs: [UUID], receivedAt: [UUID: Date]) async throws -> [Timing] {
        guard !caseIDs.isEmpty else { return [] }
        let calendar = try await CalendarService(app: app, db: db, requestID: nil).calendar()
        var groups: [String: (priority: Priority, milestone: Milestone, rule: DeadlineRule, values: [Double])] = [:]
        for chunk in stride(from: 0, to: caseIDs.count, by: 500).map({ Array(caseIDs[$0..<min($0 + 500, caseIDs.count)]) }) {
            let rows = try await CaseMilestone.query(on: db).filter(\.$asbCase.$id ~~ chunk).filter(\.$metAt != nil).all()
            for row in rows {
                guard let metAt = row.metAt, let received = receivedAt[row.$asbCase.id],
                      let rule = DeadlineRule(storageValue: row.rule) else { continue }
                let key = "\(row.priority.rawValue):\(row.milestone.rawValue)"
                groups[key, default: (row.priority, row.milestone, rule, [])].values
                    .append(ServiceClock.elapsed(from: received, to: metAt, rule: rule, calendar: calendar))
            }
        }
        return groups.values.sorted { ($0.priority, $0.milestone.rawValue) < ($1.priority, $1.milestone.rawValue) }.map { g in
            let unit = if case .workingHours = g.rule { "workingHours" } else { "workingDays" }
            return Timing(priority: g.priority.rawValue, milestone: g.milestone.rawValue, unit: unit, count: g.values.count,
                          median: Percentiles.median(g.values) ?? 0, p90: Percentiles.value(90, of: g.values) ?? 0)
        }
    }

    /// New cases (not counting reports recorded for information) in each of the last `count`
    /// calendar months up to the one containing `now`, oldest first: `("Nov 2026", 12)`.
    func newCasesByMonth(now: Date, count: Int = 12) async throws -> [(label: String, value: Int)] {
        let today = LondonTime.localDateTime(for: now).date
        var months: [LocalDate] = [today.firstOfMonth]
        while months.count < count { months.insert(months[0].firstOfPreviousMonth, at: 0) }
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var result: [(label: String, value: Int)] = []
        for first in months {
            let n = try await ASBCase.query(on: db).filter(\.$receivedAt >= LondonTime.startOfDay(first))
                .filter(\.$receivedAt < LondonTime.startOfDay(first.firstOfNextMonth)).filter(\.$notASB == false).count()
            result.append(("\(names[first.month - 1]) \(String(first.year).suffix(2))", n))
        }
        return result
    }

    /// Deadlines met and decided (met or breached) per officer or per neighbourhood, for the cases
    /// received in `period` (for staff: not published).
    struct GroupCompliance: Sendable, Equatable {
        var name: String
        var met: Int
        var decided: Int
    }

    enum Grouping { case officer, neighbourhood }

    func compliance(by grouping: Grouping, in period: ReportingPeriod, now: Date) async throws -> [GroupCompliance] {
        let from = LondonTime.startOfDay(period.start), to = LondonTime.startOfDay(period.end)
        let sql = try self.sql
        struct Row: Decodable { var name: String?; var met: Int?; var decided: Int? }
        let (join, name): (SQLQueryString, SQLQueryString) = switch grouping {
        case .officer: ("LEFT JOIN users g ON g.id = c.allocated_officer_id", "g.display_name")
        case .neighbourhood: ("LEFT JOIN neighbourhoods g ON g.id = c.neighbourhood_id", "g.name")
        }
        let rows = try await sql.raw("""
            SELECT \(name) AS name,
                   SUM(CASE WHEN m.met_at IS NOT NULL AND m.met_at <= m.due_at THEN 1 ELSE 0 END) AS met,
                   SUM(CASE WHEN m.met_at IS NOT NULL OR m.due_at < \(bind: now) THEN 1 ELSE 0 END) AS decided
            FROM case_milestones m JOIN cases c ON c.id = m.case_id \(join)
            WHERE c.received_at >= \(bind: from) AND c.received_at < \(bind: to) AND c.not_asb = \(bind: false)
            GROUP BY \(name) ORDER BY \(name)
            """).all(decoding: Row.self)
        return rows.map { GroupCompliance(name: $0.name ?? (grouping == .officer ? "Not allocated" : "No neighbourhood"),
                                          met: $0.met ?? 0, decided: $0.decided ?? 0) }
    }

    /// The four quarters of a financial year and the year itself.
    func year(startingIn startYear: Int, now: Date) async throws -> [PeriodFigures] {
        var result: [PeriodFigures] = []
        for period in (1...4).map({ ReportingPeriod.quarter($0, ofYearStartingIn: startYear) }) + [ReportingPeriod.financialYear(startingIn: startYear)] {
            result.append(try await figures(for: period, now: now))
        }
        return result
    }

    /// "2026/27" → 2026.
    static func startYear(of label: String) -> Int? {
        let parts = label.split(separator: "/")
        guard parts.count == 2, let first = Int(parts[0]), let second = Int(parts[1]), (1970...2100).contains(first),
              second == (first + 1) % 100 else { return nil }
        return first
    }

    /// The last four quarters and the current financial year, as published.
    func published(now: Date) async throws -> [PeriodFigures] {
        let today = LondonTime.localDateTime(for: now).date
        var result: [PeriodFigures] = []
        for period in ReportingPeriod.quarters(endingAt: today) + [ReportingPeriod.financialYear(containing: today)] {
            result.append(try await figures(for: period, now: now))
        }
        return result
    }
}
