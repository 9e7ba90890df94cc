import ASBCore
import Fluent
import FluentSQL
import SQLKit
import Foundation
import Vapor

/// The figures (SS-MON-1..5): SQL aggregates over index-backed columns, the same on SQLite and
/// PostgreSQL, for a month, a quarter or a financial year, in UK dates. Cases are counted in the
/// period they were received (closures in the period they closed); reports recorded for
/// information (not ASB) are counted apart and left out of every other case figure. The API,
/// `asb stats`, the published page and the dashboard all read them from here.
struct StatisticsService {
    let app: Application
    let db: any Database

    /// Milestones due, met, breached and still pending, for a priority or a group of cases.
    struct Compliance: Sendable, Equatable, Codable {
        /// Priority 1 to 3.
        var priority: Int
        /// `Milestone`: `response`, `acknowledgement` or `investigationStart`.
        var milestone: String
        var due: Int
        var met: Int
        var breached: Int
        var pending: Int
    }

    /// Compliance over all milestones for one officer or neighbourhood.
    struct GroupCompliance: Sendable, Equatable, Codable {
        var name: String
        var due: Int
        var met: Int
        var breached: Int
        var pending: Int
        var decided: Int { met + breached }
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

    struct Caseload: Sendable, Equatable, Codable {
        /// The day at whose end the open cases are counted: the period's last day, or today (counted
        /// now) while the period runs.
        var asAt: String
        var open: Int
        /// `CaseloadAgeBand` → open cases of that age.
        var byAge: [String: Int]
    }

    /// Calendar days from receipt to closure of the cases closed in the period.
    struct Duration: Sendable, Equatable, Codable {
        var closed: Int
        var meanDays: Double?
        var medianDays: Double?
    }

    struct Answered: Sendable, Equatable, Codable {
        var answered: Int
        /// Answered 4 or 5 (fairly or very satisfied); for `wouldReportAgain`, answered yes.
        var positive: Int
    }

    /// Closure surveys answered in the period (transactional, not the regulator's perception TP12).
    struct Satisfaction: Sendable, Equatable, Codable {
        var overall: Answered
        var keptInformed: Answered
        var easeOfReporting: Answered
        var listenedTo: Answered
        var wouldReportAgain: Answered
        var dissatisfactionReviewsOpened: Int
        var dissatisfactionReviewsClosed: Int
    }

    /// Complaints received in the period, with how many met the Complaint Handling Code's times.
    struct Complaints: Sendable, Equatable, Codable {
        var received: Int
        var acknowledged: Int
        var acknowledgedOnTime: Int
        var answered: Int
        var answeredOnTime: Int
        /// `FeedbackOutcome` → complaints answered with it.
        var byOutcome: [String: Int]
        var compliments: Int
    }

    /// Internal case reviews completed in the period (SS-MON-2).
    struct InternalReviews: Sendable, Equatable, Codable {
        var completed: Int
        /// Checklist question id → answer (`yes`, `no`, `notApplicable`) → count.
        var answers: [String: [String: Int]]
    }

    /// NM01 for a financial year.
    struct NM01: Sendable, Equatable, Codable {
        var homes: Int?
        var asbCases: Int
        var hateCases: Int
        /// Reports recorded for information (not ASB), not counted.
        var excludedNotASB: Int
        var asbPerThousandHomes: Double?
        var hatePerThousandHomes: Double?
    }

    struct PeriodFigures: Sendable, Equatable, Codable {
        var period: String
        /// `month`, `quarter` or `financialYear`.
        var kind: String
        var from: String
        var to: String
        /// Everything received, ASB or not.
        var reportsReceived: Int
        /// ASB cases (reports recorded for information left out), and those that are hate cases.
        var newCases: Int
        var hateCases: Int
        var notASB: Int
        var byChannel: [String: Int]
        var byLimb: [String: Int]
        var byCategory: [String: Int]
        var byHateStrand: [String: Int]
        var byNeighbourhood: [String: Int]
        var byLeadAgency: [String: Int]
        var repeatVictims: Int
        var compliance: [Compliance]
        var complianceByOfficer: [GroupCompliance]
        var complianceByNeighbourhood: [GroupCompliance]
        var timing: [Timing]
        var openCaseload: Caseload
        var enforcementByType: [String: Int]
        var closedByReason: [String: Int]
        var caseDuration: Duration
        var satisfaction: Satisfaction
        var complaints: Complaints
        var internalReviews: InternalReviews
        var nm01: NM01?
    }

    /// Where the lead agency is the landlord itself.
    static let landlordLead = "Landlord"
    static let noNeighbourhood = "No neighbourhood"
    static let notAllocated = "Not allocated"

    private var sql: any SQLDatabase {
        get throws {
            guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "Statistics need an SQL database") }
            return sql
        }
    }

    private struct Keyed: Decodable { var k: String?; var n: Int }

    private static func dictionary(_ rows: [Keyed], missing: String) -> [String: Int] {
        Dictionary(rows.map { ($0.k ?? missing, $0.n) }, uniquingKeysWith: +)
    }

    func figures(for period: ReportingPeriod, now: Date) async throws -> PeriodFigures {
        let from = LondonTime.startOfDay(period.start), to = LondonTime.startOfDay(period.end)
        let sql = try self.sql
        let calendar = try await CalendarService(app: app, db: db, requestID: nil).calendar()
        // The period's ASB cases, by receipt.
        let inPeriod: SQLQueryString = "c.received_at >= \(bind: from) AND c.received_at < \(bind: to) AND c.not_asb = \(bind: false)"

        struct Totals: Decodable { var n: Int; var not_asb: Int?; var hate: Int? }
        let totals = try await sql.raw("""
            SELECT COUNT(*) AS n, SUM(CASE WHEN not_asb THEN 1 ELSE 0 END) AS not_asb,
                   SUM(CASE WHEN hate AND NOT not_asb THEN 1 ELSE 0 END) AS hate
            FROM cases WHERE received_at >= \(bind: from) AND received_at < \(bind: to)
            """).first(decoding: Totals.self)
        let reportsReceived = totals?.n ?? 0, notASB = totals?.not_asb ?? 0
        let channels = try await sql.raw("SELECT c.channel AS k, COUNT(*) AS n FROM cases c WHERE \(inPeriod) GROUP BY c.channel")
            .all(decoding: Keyed.self)
        let neighbourhoods = try await sql.raw("""
            SELECT g.name AS k, COUNT(*) AS n FROM cases c LEFT JOIN neighbourhoods g ON g.id = c.neighbourhood_id
            WHERE \(inPeriod) GROUP BY g.name
            """).all(decoding: Keyed.self)
        let leads = try await sql.raw("""
            SELECT g.name AS k, COUNT(*) AS n FROM cases c LEFT JOIN partner_agencies g ON g.id = c.lead_agency_id
            WHERE \(inPeriod) GROUP BY g.name
            """).all(decoding: Keyed.self)
        let closures = try await sql.raw("""
            SELECT closure_reason AS k, COUNT(*) AS n FROM cases
            WHERE closed_at >= \(bind: from) AND closed_at < \(bind: to) AND closure_reason IS NOT NULL AND not_asb = \(bind: false)
            GROUP BY closure_reason
            """).all(decoding: Keyed.self)
        let enforcement = try await sql.raw("""
            SELECT type AS k, COUNT(*) AS n FROM enforcement_actions
            WHERE \(ident: "on") >= \(bind: period.start.description) AND \(ident: "on") < \(bind: period.end.description)
              AND status IN (\(bind: EnforcementStatus.inProgress.rawValue), \(bind: EnforcementStatus.completed.rawValue))
            GROUP BY type
            """).all(decoding: Keyed.self)

        // Lists on each case (categories, strands, limbs), counted by the database: a JSON array
        // in SQLite, a text[] in PostgreSQL.
        struct ListCount: Decodable { var list: String; var k: String; var n: Int }
        let postgres = sql.dialect.name == "postgresql"
        func elements(_ column: String) -> SQLQueryString {
            postgres ? "unnest(c.\(ident: column)) AS u(k)" : "json_each(c.\(ident: column)) AS u"
        }
        let element: SQLQueryString = postgres ? "u.k" : "u.value"
        let listCounts = try await sql.raw("""
            SELECT 'categories' AS list, \(element) AS k, COUNT(*) AS n FROM cases c, \(elements("categories")) WHERE \(inPeriod) GROUP BY \(element)
            UNION ALL
            SELECT 'hate_strands' AS list, \(element) AS k, COUNT(*) AS n FROM cases c, \(elements("hate_strands")) WHERE \(inPeriod) GROUP BY \(element)
            UNION ALL
            SELECT 'asb_limbs' AS list, \(element) AS k, COUNT(*) AS n FROM cases c, \(elements("asb_limbs")) WHERE \(inPeriod) GROUP BY \(element)
            """).all(decoding: ListCount.self)
        func counts(of list: String) -> [String: Int] {
            Dictionary(listCounts.filter { $0.list == list }.map { ($0.k, $0.n) }, uniquingKeysWith: +)
        }
        let byCategory = counts(of: "categories"), byStrand = counts(of: "hate_strands"), byLimb = counts(of: "asb_limbs")

        let year: NM01?
        if period.kind == .financialYear {
            let homes = try await HomesService(app: app, db: db, requestID: nil).homes(inYearStartingIn: period.start.year)
            let cases = reportsReceived - notASB, hate = totals?.hate ?? 0
            year = NM01(homes: homes, asbCases: cases, hateCases: hate, excludedNotASB: notASB,
                        asbPerThousandHomes: TenantSatisfactionMeasures.perThousandHomes(cases, homes: homes),
                        hatePerThousandHomes: TenantSatisfactionMeasures.perThousandHomes(hate, homes: homes))
        } else {
            year = nil
        }
        return PeriodFigures(
            period: period.label, kind: period.kind.rawValue, from: period.start.description, to: period.end.adding(days: -1).description,
            reportsReceived: reportsReceived, newCases: reportsReceived - notASB, hateCases: totals?.hate ?? 0, notASB: notASB,
            byChannel: Self.dictionary(channels, missing: "unknown"), byLimb: byLimb, byCategory: byCategory, byHateStrand: byStrand,
            byNeighbourhood: Self.dictionary(neighbourhoods, missing: Self.noNeighbourhood),
            byLeadAgency: Self.dictionary(leads, missing: Self.landlordLead),
            repeatVictims: try await repeatVictims(from: from, to: to),
            compliance: try await compliance(from: from, to: to, now: now),
            complianceByOfficer: try await compliance(by: .officer, from: from, to: to, now: now),
            complianceByNeighbourhood: try await compliance(by: .neighbourhood, from: from, to: to, now: now),
            timing: try await timing(from: from, to: to),
            openCaseload: try await caseload(endOf: period, now: now),
            enforcementByType: Self.dictionary(enforcement, missing: "unknown"),
            closedByReason: Self.dictionary(closures, missing: "unknown"),
            caseDuration: try await duration(from: from, to: to),
            satisfaction: try await satisfaction(from: from, to: to),
            complaints: try await complaints(from: from, to: to, calendar: calendar),
            internalReviews: try await internalReviews(from: from, to: to),
            nm01: year)
    }

    // MARK: Response times

    private struct ComplianceRow: Decodable { var priority: Int?; var milestone: String?; var name: String?; var due: Int; var met: Int?; var breached: Int? }

    /// Met: done by the due time. Breached: done late, or not done and the due time has passed.
    private func counts(now: Date) -> SQLQueryString {
        """
        COUNT(*) AS due,
        SUM(CASE WHEN m.met_at IS NOT NULL AND m.met_at <= m.due_at THEN 1 ELSE 0 END) AS met,
        SUM(CASE WHEN (m.met_at IS NOT NULL AND m.met_at > m.due_at) OR (m.met_at IS NULL AND m.due_at < \(bind: now)) THEN 1 ELSE 0 END) AS breached
        """
    }

    private func compliance(from: Date, to: Date, now: Date) async throws -> [Compliance] {
        let rows = try await sql.raw("""
            SELECT m.priority AS priority, m.milestone AS milestone, \(counts(now: now))
            FROM case_milestones m JOIN cases c ON c.id = m.case_id
            WHERE c.received_at >= \(bind: from) AND c.received_at < \(bind: to) AND c.not_asb = \(bind: false)
            GROUP BY m.priority, m.milestone ORDER BY m.priority, m.milestone
            """).all(decoding: ComplianceRow.self)
        return rows.map { row in
            let met = row.met ?? 0, breached = row.breached ?? 0
            return Compliance(priority: row.priority ?? 0, milestone: row.milestone ?? "", due: row.due, met: met, breached: breached,
                              pending: row.due - met - breached)
        }
    }

    enum Grouping { case officer, neighbourhood }

    /// Every milestone of the period's cases, per allocated officer or per neighbourhood.
    func compliance(by grouping: Grouping, from: Date, to: Date, now: Date) async throws -> [GroupCompliance] {
        let (join, name): (SQLQueryString, SQLQueryString) = switch grouping {
        case .officer: ("LEFT JOIN users g ON g.id = c.allocated_officer_id", "g.display_name")
        case .neighbourhood: ("LEFT JOIN neighbourhoods g ON g.id = c.neighbourhood_id", "g.name")
        }
        let rows = try await sql.raw("""
            SELECT \(name) AS name, \(counts(now: now))
            FROM case_milestones m JOIN cases c ON c.id = m.case_id \(join)
            WHERE c.received_at >= \(bind: from) AND c.received_at < \(bind: to) AND c.not_asb = \(bind: false)
            GROUP BY \(name)
            """).all(decoding: ComplianceRow.self)
        // Sorted here: the databases order a missing name (NULL) differently.
        return rows.map { row in
            let met = row.met ?? 0, breached = row.breached ?? 0
            return GroupCompliance(name: row.name ?? (grouping == .officer ? Self.notAllocated : Self.noNeighbourhood),
                                   due: row.due, met: met, breached: breached, pending: row.due - met - breached)
        }.sorted { $0.name < $1.name }
    }

    /// Median and 90th percentile time to each met milestone of the period's cases, per priority,
    /// in working time (`Percentiles`' nearest rank, worked out by the database from the time
    /// stored when each milestone was met).
    private func timing(from: Date, to: Date) async throws -> [Timing] {
        struct Row: Decodable { var priority: Int; var milestone: String; var rule: String; var n: Int; var rn: Int; var elapsed: Double }
        let rows = try await sql.raw("""
            SELECT priority, milestone, rule, n, rn, elapsed FROM (
                SELECT m.priority AS priority, m.milestone AS milestone, m.rule AS rule, m.elapsed AS elapsed,
                       ROW_NUMBER() OVER (PARTITION BY m.priority, m.milestone ORDER BY m.elapsed) AS rn,
                       COUNT(*) OVER (PARTITION BY m.priority, m.milestone) AS n
                FROM case_milestones m JOIN cases c ON c.id = m.case_id
                WHERE c.received_at >= \(bind: from) AND c.received_at < \(bind: to) AND c.not_asb = \(bind: false)
                  AND m.elapsed IS NOT NULL
            ) ranked
            WHERE rn = (n * 50 + 99) / 100 OR rn = (n * 90 + 99) / 100
            """).all(decoding: Row.self)
        // The rank of percentile p of n values is ⌈p·n/100⌉, as in `Percentiles.value`.
        func rank(_ p: Int, of n: Int) -> Int { max(1, (n * p + 99) / 100) }
        let groups = Dictionary(grouping: rows) { "\($0.priority):\($0.milestone)" }
        return groups.values.compactMap { group -> Timing? in
            guard let first = group.first, let median = group.first(where: { $0.rn == rank(50, of: $0.n) }),
                  let p90 = group.first(where: { $0.rn == rank(90, of: $0.n) }), let rule = DeadlineRule(storageValue: median.rule)
            else { return nil }
            let unit = if case .workingHours = rule { "workingHours" } else { "workingDays" }
            return Timing(priority: first.priority, milestone: first.milestone, unit: unit, count: first.n,
                          median: median.elapsed, p90: p90.elapsed)
        }.sorted { ($0.priority, $0.milestone) < ($1.priority, $1.milestone) }
    }

    // MARK: Caseload, repeats and duration

    /// ASB cases open at the end of the period (received by then, not closed by then), or now
    /// while the period runs, by age.
    private func caseload(endOf period: ReportingPeriod, now: Date) async throws -> Caseload {
        let end = LondonTime.startOfDay(period.end)
        let (instant, day) = end <= now ? (end, period.end.adding(days: -1)) : (now, LondonTime.localDateTime(for: now).date)
        // Counted by the database: each band is a range of receipt days (`CaseloadAgeBand.lastReceiptDay`).
        let older = CaseloadAgeBand.allCases.filter { $0.months > 0 }
        let columns = SQLKit.SQLList(older.map { band -> SQLQueryString in
            let limit = LondonTime.startOfDay(band.lastReceiptDay(asAt: day).adding(days: 1))
            return "SUM(CASE WHEN received_at < \(bind: limit) THEN 1 ELSE 0 END) AS \(ident: band.rawValue)"
        })
        guard let row = try await sql.raw("""
            SELECT COUNT(*) AS open, \(columns) FROM cases
            WHERE received_at < \(bind: instant) AND (closed_at IS NULL OR closed_at >= \(bind: instant)) AND not_asb = \(bind: false)
            """).first()
        else { return Caseload(asAt: day.description, open: 0, byAge: [:]) }
        let open = try row.decode(column: "open", as: Int.self)
        // Cases at least as old as each band, youngest band first; a band's own count is the difference.
        var atLeast = [open]
        for band in older { atLeast.append(try row.decode(column: band.rawValue, as: Int?.self) ?? 0) }
        var bands: [String: Int] = [:]
        for (index, band) in CaseloadAgeBand.allCases.enumerated() {
            let count = atLeast[index] - (index + 1 < atLeast.count ? atLeast[index + 1] : 0)
            if count > 0 { bands[band.rawValue] = count }
        }
        return Caseload(asAt: day.description, open: open, byAge: bands)
    }

    /// People on the reporter or victim side of the period's cases who were on that side of an
    /// earlier case received within the twelve months before (`RepeatFlags.followsEarlierCase`).
    private func repeatVictims(from: Date, to: Date) async throws -> Int {
        struct Row: Decodable { var party_id: UUID; var case_id: UUID; var received_at: Date }
        let victimSide: SQLQueryString = "p.role IN (\(bind: PartyRole.reporter.rawValue), \(bind: PartyRole.victim.rawValue))"
        let current = try await sql.raw("""
            SELECT p.party_id AS party_id, c.id AS case_id, c.received_at AS received_at
            FROM case_parties p JOIN cases c ON c.id = p.case_id
            WHERE c.received_at >= \(bind: from) AND c.received_at < \(bind: to) AND c.not_asb = \(bind: false) AND \(victimSide)
            """).all(decoding: Row.self)
        guard !current.isEmpty else { return 0 }
        let parties = Array(Set(current.map(\.party_id)))
        // Everything that could be an earlier case: the same people, received up to 13 months before the period.
        let earliest = from.addingTimeInterval(-400 * 86_400)
        var history: [UUID: [(caseID: UUID, receivedAt: Date)]] = [:]
        for start in stride(from: 0, to: parties.count, by: 500) {
            let chunk = parties[start..<min(start + 500, parties.count)]
            let rows = try await sql.raw("""
                SELECT p.party_id AS party_id, c.id AS case_id, c.received_at AS received_at
                FROM case_parties p JOIN cases c ON c.id = p.case_id
                WHERE p.party_id IN (\(binds: Array(chunk))) AND c.received_at >= \(bind: earliest) AND c.received_at < \(bind: to)
                  AND c.not_asb = \(bind: false) AND \(victimSide)
                """).all(decoding: Row.self)
            for row in rows { history[row.party_id, default: []].append((row.case_id, row.received_at)) }
        }
        var repeats: Set<UUID> = []
        for row in current where !repeats.contains(row.party_id) {
            let others = (history[row.party_id] ?? []).filter { $0.caseID != row.case_id }.map(\.receivedAt)
            if RepeatFlags.followsEarlierCase(receivedAt: row.received_at, earlierCasesReceivedAt: others) { repeats.insert(row.party_id) }
        }
        return repeats.count
    }

    private func duration(from: Date, to: Date) async throws -> Duration {
        struct Row: Decodable { var received_at: Date; var closed_at: Date }
        let rows = try await sql.raw("""
            SELECT received_at, closed_at FROM cases
            WHERE closed_at >= \(bind: from) AND closed_at < \(bind: to) AND not_asb = \(bind: false)
            """).all(decoding: Row.self)
        let days = rows.map { row in
            Double(LondonTime.localDateTime(for: row.received_at).date.days(until: LondonTime.localDateTime(for: row.closed_at).date))
        }
        return Duration(closed: rows.count, meanDays: Percentiles.mean(days).map { ($0 * 10).rounded() / 10 }, medianDays: Percentiles.median(days))
    }

    // MARK: Satisfaction, complaints, reviews

    private func satisfaction(from: Date, to: Date) async throws -> Satisfaction {
        struct Row: Decodable {
            var overall: Int; var overall_positive: Int?
            var informed: Int; var informed_positive: Int?
            var ease: Int; var ease_positive: Int?
            var listened: Int; var listened_positive: Int?
            var again: Int; var again_yes: Int?
        }
        let row = try await sql.raw("""
            SELECT COUNT(overall) AS overall, SUM(CASE WHEN overall >= 4 THEN 1 ELSE 0 END) AS overall_positive,
                   COUNT(kept_informed) AS informed, SUM(CASE WHEN kept_informed >= 4 THEN 1 ELSE 0 END) AS informed_positive,
                   COUNT(ease_of_reporting) AS ease, SUM(CASE WHEN ease_of_reporting >= 4 THEN 1 ELSE 0 END) AS ease_positive,
                   COUNT(listened_to) AS listened, SUM(CASE WHEN listened_to >= 4 THEN 1 ELSE 0 END) AS listened_positive,
                   COUNT(would_report_again) AS again, SUM(CASE WHEN would_report_again THEN 1 ELSE 0 END) AS again_yes
            FROM satisfaction_surveys
            WHERE status = 'answered' AND answered_at >= \(bind: from) AND answered_at < \(bind: to)
            """).first(decoding: Row.self)
        struct Reviews: Decodable { var opened: Int?; var closed: Int? }
        let reviews = try await sql.raw("""
            SELECT SUM(CASE WHEN created_at >= \(bind: from) AND created_at < \(bind: to) THEN 1 ELSE 0 END) AS opened,
                   SUM(CASE WHEN closed_at >= \(bind: from) AND closed_at < \(bind: to) THEN 1 ELSE 0 END) AS closed
            FROM dissatisfaction_reviews
            WHERE (created_at >= \(bind: from) AND created_at < \(bind: to)) OR (closed_at >= \(bind: from) AND closed_at < \(bind: to))
            """).first(decoding: Reviews.self)
        return Satisfaction(
            overall: .init(answered: row?.overall ?? 0, positive: row?.overall_positive ?? 0),
            keptInformed: .init(answered: row?.informed ?? 0, positive: row?.informed_positive ?? 0),
            easeOfReporting: .init(answered: row?.ease ?? 0, positive: row?.ease_positive ?? 0),
            listenedTo: .init(answered: row?.listened ?? 0, positive: row?.listened_positive ?? 0),
            wouldReportAgain: .init(answered: row?.again ?? 0, positive: row?.again_yes ?? 0),
            dissatisfactionReviewsOpened: reviews?.opened ?? 0, dissatisfactionReviewsClosed: reviews?.closed ?? 0)
    }

    private func complaints(from: Date, to: Date, calendar: WorkingCalendar) async throws -> Complaints {
        let rows = try await Feedback.query(on: db).filter(\.$receivedAt >= from).filter(\.$receivedAt < to)
            .field(\.$id).field(\.$kind).field(\.$receivedAt).field(\.$acknowledgedAt).field(\.$closedAt).field(\.$outcome).all()
        var result = Complaints(received: 0, acknowledged: 0, acknowledgedOnTime: 0, answered: 0, answeredOnTime: 0, byOutcome: [:], compliments: 0)
        for row in rows {
            guard row.kind == .complaint else {
                result.compliments += 1
                continue
            }
            result.received += 1
            guard let acknowledged = row.acknowledgedAt else { continue }
            result.acknowledged += 1
            if ComplaintTimeliness.acknowledgedOnTime(receivedAt: row.receivedAt, acknowledgedAt: acknowledged, calendar: calendar) {
                result.acknowledgedOnTime += 1
            }
            guard let closed = row.closedAt else { continue }
            result.answered += 1
            if ComplaintTimeliness.respondedOnTime(acknowledgedAt: acknowledged, closedAt: closed, calendar: calendar) { result.answeredOnTime += 1 }
            if let outcome = row.outcome { result.byOutcome[outcome.rawValue, default: 0] += 1 }
        }
        return result
    }

    private func internalReviews(from: Date, to: Date) async throws -> InternalReviews {
        let rows = try await InternalCaseReview.query(on: db).filter(\.$completedAt >= from).filter(\.$completedAt < to)
            .filter(\.$status == "done").field(\.$id).field(\.$checklist).all()
        var answers: [String: [String: Int]] = [:]
        for row in rows {
            let checklist = (try? JSONDecoder().decode([String: String].self, from: Data((row.checklist ?? "{}").utf8))) ?? [:]
            for (question, answer) in checklist { answers[question, default: [:]][answer, default: 0] += 1 }
        }
        return InternalReviews(completed: rows.count, answers: answers)
    }

    // MARK: Periods

    /// New ASB cases in each of the last `count` calendar months up to the one containing `now`,
    /// oldest first: `("Nov 26", 12)`.
    func newCasesByMonth(now: Date, count: Int = 12) async throws -> [(label: String, value: Int)] {
        let today = LondonTime.localDateTime(for: now).date
        var months: [LocalDate] = [today.firstOfMonth]
        while months.count < count { months.insert(months[0].firstOfPreviousMonth, at: 0) }
        var result: [(label: String, value: Int)] = []
        for first in months {
            let n = try await ASBCase.query(on: db).filter(\.$receivedAt >= LondonTime.startOfDay(first))
                .filter(\.$receivedAt < LondonTime.startOfDay(first.firstOfNextMonth)).filter(\.$notASB == false).count()
            result.append((ReportingPeriod.month(of: first).shortLabel, n))
        }
        return result
    }

    /// How a financial year is broken down.
    enum Breakdown: String, Sendable { case quarters, months }

    /// The quarters (or months) of a financial year, then the year itself.
    func year(startingIn startYear: Int, by breakdown: Breakdown = .quarters, now: Date) async throws -> [PeriodFigures] {
        let year = ReportingPeriod.financialYear(startingIn: startYear)
        let parts: [ReportingPeriod] = switch breakdown {
        case .quarters: (1...4).map { ReportingPeriod.quarter($0, ofYearStartingIn: startYear) }
        case .months: ReportingPeriod.months(of: year)
        }
        var result: [PeriodFigures] = []
        for period in parts + [year] { result.append(try await figures(for: period, now: now)) }
        return result
    }

    /// "2026/27" → 2026.
    static func startYear(of label: String) -> Int? {
        let parts = label.split(separator: "/")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let first = Int(parts[0]), let second = Int(parts[1]),
              (1970...2100).contains(first), second == (first + 1) % 100 else { return nil }
        return first
    }

    /// As published: the last four quarters (the one running now last) and the last complete
    /// financial year, the one NM01 is reported for.
    func published(now: Date) async throws -> [PeriodFigures] {
        let today = LondonTime.localDateTime(for: now).date
        let lastYear = ReportingPeriod.financialYear(startingIn: ReportingPeriod.financialYear(containing: today).start.year - 1)
        var result: [PeriodFigures] = []
        for period in ReportingPeriod.quarters(endingAt: today) + [lastYear] {
            result.append(try await figures(for: period, now: now))
        }
        return result
    }
}
