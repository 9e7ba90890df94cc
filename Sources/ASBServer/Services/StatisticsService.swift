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

        static func + (lhs: Answered, rhs: Answered) -> Answered {
            Answered(answered: lhs.answered + rhs.answered, positive: lhs.positive + rhs.positive)
        }
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

        /// The answers and reviews of two spans added up.
        static func + (lhs: Satisfaction, rhs: Satisfaction) -> Satisfaction {
            Satisfaction(overall: lhs.overall + rhs.overall, keptInformed: lhs.keptInformed + rhs.keptInformed,
                         easeOfReporting: lhs.easeOfReporting + rhs.easeOfReporting, listenedTo: lhs.listenedTo + rhs.listenedTo,
                         wouldReportAgain: lhs.wouldReportAgain + rhs.wouldReportAgain,
                         dissatisfactionReviewsOpened: lhs.dissatisfactionReviewsOpened + rhs.dissatisfactionReviewsOpened,
                         dissatisfactionReviewsClosed: lhs.dissatisfactionReviewsClosed + rhs.dissatisfactionReviewsClosed)
        }
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


    /// Counts of a key in one span (`PeriodSpans`).
    private struct SpanKeyed: Decodable { var s: Int; var k: String?; var n: Int }

    func figures(for period: ReportingPeriod, now: Date) async throws -> PeriodFigures {
        try await figures(for: [period], now: now)[0]
    }

    /// The figures of several periods (a year and its quarters, the published quarters and year),
    /// each table read once for all of them: what adds up is counted per span of time
    /// (`PeriodSpans`) and summed for each period; medians, repeat victims and the open caseload are
    /// worked out for each period from the same reads.
    func figures(for periods: [ReportingPeriod], now: Date) async throws -> [PeriodFigures] {
        guard !periods.isEmpty else { return [] }
        let sql = try db.sql
        let calendar = try await CalendarService(app: app, db: db, requestID: nil).calendar()
        let scope = Scope(periods, postgres: sql.dialect.name == "postgresql")
        // The four longest reads first, each in a task of its own: on PostgreSQL they run on
        // connections of their own beside the reads below (a year by month took a second on one
        // core of two). On an SQLite file the two longest (milestones, repeat victims: half the
        // time) run on the report reader's connection beside the request's own, where the rest
        // queue (`SQLiteReportReader`).
        let beside = StatisticsService(app: app, db: app.asb.reportReader?.database(logging: db) ?? db)
        async let milestoneRows = beside.milestones(scope, now: now)
        async let caseloadRows = caseload(scope, now: now)
        async let repeatRows = beside.repeatVictims(scope)
        async let durationRows = duration(scope)

        // The periods' ASB cases, by receipt.
        let received = scope.span(of: "c.received_at")
        let inScope: SQLQueryString = "\(scope.within("c.received_at")) AND c.not_asb = \(bind: false)"

        // One read of the periods' cases gives the totals and the counts by channel, neighbourhood
        // and lead agency (their names looked up apart: a few rows each).
        struct CaseGroup: Decodable {
            var s: Int; var not_asb: Bool; var hate: Bool; var channel: String?; var neighbourhood_id: UUID?; var lead_agency_id: UUID?; var n: Int
        }
        let caseGroups = try await db.sql.raw("""
            SELECT \(received) AS s, c.not_asb AS not_asb, c.hate AS hate, c.channel AS channel, c.neighbourhood_id AS neighbourhood_id,
                   c.lead_agency_id AS lead_agency_id, COUNT(*) AS n
            FROM cases c WHERE \(scope.within("c.received_at")) GROUP BY 1, 2, 3, 4, 5, 6
            """).all(decoding: CaseGroup.self)
        let placeNames = Dictionary(try await Neighbourhood.query(on: db).all().compactMap { place in place.id.map { ($0, place.name) } },
                                    uniquingKeysWith: { first, _ in first })
        let agencyNames = Dictionary(try await PartnerAgency.query(on: db).all().compactMap { agency in agency.id.map { ($0, agency.name) } },
                                     uniquingKeysWith: { first, _ in first })
        struct Total { var n = 0, notASB = 0, hate = 0 }
        let totals = scope.totals(caseGroups, span: \.s, zero: Total()) { total, row in
            total.n += row.n
            if row.not_asb { total.notASB += row.n } else if row.hate { total.hate += row.n }
        } merge: { Total(n: $0.n + $1.n, notASB: $0.notASB + $1.notASB, hate: $0.hate + $1.hate) }
        let asbGroups = caseGroups.filter { !$0.not_asb }
        let byChannel = scope.keyed(asbGroups.map { SpanKeyed(s: $0.s, k: $0.channel, n: $0.n) }, missing: "unknown")
        let byPlace = scope.keyed(asbGroups.map { SpanKeyed(s: $0.s, k: $0.neighbourhood_id.flatMap { placeNames[$0] }, n: $0.n) },
                                  missing: Self.noNeighbourhood)
        let byLead = scope.keyed(asbGroups.map { SpanKeyed(s: $0.s, k: $0.lead_agency_id.flatMap { agencyNames[$0] }, n: $0.n) },
                                 missing: Self.landlordLead)
        let closures = try await db.sql.raw("""
            SELECT \(scope.span(of: "closed_at")) AS s, closure_reason AS k, COUNT(*) AS n FROM cases
            WHERE \(scope.within("closed_at")) AND closure_reason IS NOT NULL AND not_asb = \(bind: false)
            GROUP BY 1, 2
            """).all(decoding: SpanKeyed.self)
        let on: SQLQueryString = "\(ident: "on")"
        let enforcement = try await db.sql.raw("""
            SELECT \(scope.span(ofDay: on)) AS s, type AS k, COUNT(*) AS n FROM enforcement_actions
            WHERE \(scope.within(day: on))
              AND status IN (\(bind: EnforcementStatus.inProgress.rawValue), \(bind: EnforcementStatus.completed.rawValue))
            GROUP BY 1, 2
            """).all(decoding: SpanKeyed.self)

        // Lists on each case (categories, strands, limbs: a JSON array in SQLite, a text[] in
        // PostgreSQL): the cases counted per span and combination of the three, which are few, and
        // each element counted here. One pass over the cases; a pass per list cost twice as much.
        struct ListGroup: Decodable { var s: Int; var categories: [String]; var hate_strands: [String]; var asb_limbs: [String]; var n: Int }
        let listGroups = try await db.sql.raw("""
            SELECT \(received) AS s, c.categories AS categories, c.hate_strands AS hate_strands, c.asb_limbs AS asb_limbs, COUNT(*) AS n
            FROM cases c WHERE \(inScope) GROUP BY 1, 2, 3, 4
            """).all(decoding: ListGroup.self)
        func counts(of list: KeyPath<ListGroup, [String]>) -> [[String: Int]] {
            scope.keyed(listGroups.flatMap { group in group[keyPath: list].map { SpanKeyed(s: group.s, k: $0, n: group.n) } }, missing: "")
        }
        let byCategory = counts(of: \.categories), byStrand = counts(of: \.hate_strands), byLimb = counts(of: \.asb_limbs)

        let milestones = try await milestoneRows
        let officerIDs = Array(Set(milestones.groups.compactMap(\.officer)))
        let officerNames = officerIDs.isEmpty ? [:] : Dictionary(
            try await User.query(on: db).filter(\.$id ~~ officerIDs).field(\.$id).field(\.$displayName).all()
                .compactMap { user in user.id.map { ($0, user.displayName) } }, uniquingKeysWith: { first, _ in first })
        let compliance = Self.compliance(milestones.groups, scope)
        let byOfficer = Self.compliance(milestones.groups, scope, groupedBy: { $0.officer.flatMap { officerNames[$0] } ?? Self.notAllocated })
        let byNeighbourhood = Self.compliance(milestones.groups, scope, groupedBy: { $0.place.flatMap { placeNames[$0] } ?? Self.noNeighbourhood })
        let timing = Self.timing(milestones.times, scope)
        let caseload = try await caseloadRows
        let repeats = try await repeatRows
        let durations = try await durationRows
        let satisfaction = try await self.satisfaction(scope)
        let complaints = try await self.complaints(scope, calendar: calendar)
        let reviews = try await internalReviews(scope)
        let byClosure = scope.keyed(closures, missing: "unknown")
        let byEnforcement = scope.keyed(enforcement, missing: "unknown")

        var result: [PeriodFigures] = []
        for (index, period) in periods.enumerated() {
            let total = totals[index], newCases = total.n - total.notASB
            var year: NM01?
            if period.kind == .financialYear {
                let homes = try await HomesService(app: app, db: db, requestID: nil).homes(inYearStartingIn: period.start.year)
                year = NM01(homes: homes, asbCases: newCases, hateCases: total.hate, excludedNotASB: total.notASB,
                            asbPerThousandHomes: TenantSatisfactionMeasures.perThousandHomes(newCases, homes: homes),
                            hatePerThousandHomes: TenantSatisfactionMeasures.perThousandHomes(total.hate, homes: homes))
            }
            result.append(PeriodFigures(
                period: period.label, kind: period.kind.rawValue, from: period.start.description, to: period.end.adding(days: -1).description,
                reportsReceived: total.n, newCases: newCases, hateCases: total.hate, notASB: total.notASB,
                byChannel: byChannel[index], byLimb: byLimb[index], byCategory: byCategory[index], byHateStrand: byStrand[index],
                byNeighbourhood: byPlace[index], byLeadAgency: byLead[index], repeatVictims: repeats[index],
                compliance: compliance[index], complianceByOfficer: byOfficer[index], complianceByNeighbourhood: byNeighbourhood[index],
                timing: timing[index], openCaseload: caseload[index], enforcementByType: byEnforcement[index],
                closedByReason: byClosure[index], caseDuration: durations[index], satisfaction: satisfaction[index],
                complaints: complaints[index], internalReviews: reviews[index], nm01: year))
        }
        return result
    }

    /// The periods asked for, cut into spans (`PeriodSpans`), and the SQL that puts a row in its span.
    private struct Scope {
        let periods: [ReportingPeriod]
        let spans: PeriodSpans
        /// The spans' bounds as instants: midnight, UK time.
        let instants: [Date]
        let postgres: Bool

        init(_ periods: [ReportingPeriod], postgres: Bool) {
            self.periods = periods
            spans = PeriodSpans(periods)
            instants = spans.bounds.map { LondonTime.startOfDay($0) }
            self.postgres = postgres
        }

        /// The first bound and the last (excluded), as instants.
        var start: Date { instants[0] }
        var end: Date { instants[instants.count - 1] }

        /// Period `index` as instants, its end excluded.
        func range(of index: Int) -> Range<Date> {
            LondonTime.startOfDay(periods[index].start)..<LondonTime.startOfDay(periods[index].end)
        }

        /// An instant column within the first and last bound.
        func within(_ column: SQLQueryString) -> SQLQueryString {
            "\(column) >= \(bind: start) AND \(column) < \(bind: end)"
        }

        /// The span of an instant column within the bounds.
        func span(of column: SQLQueryString) -> SQLQueryString {
            Self.span(of: column, below: instants.dropFirst().map { $0 })
        }

        /// A day column (`YYYY-MM-DD` text) within the first and last bound.
        func within(day column: SQLQueryString) -> SQLQueryString {
            "\(column) >= \(bind: spans.bounds[0].description) AND \(column) < \(bind: spans.bounds[spans.bounds.count - 1].description)"
        }

        func span(ofDay column: SQLQueryString) -> SQLQueryString {
            Self.span(of: column, below: spans.bounds.dropFirst().map(\.description))
        }

        private static func span(of column: SQLQueryString, below bounds: [any Encodable & Sendable]) -> SQLQueryString {
            let cases = bounds.enumerated().map { index, bound -> SQLQueryString in "WHEN \(column) < \(bind: bound) THEN \(literal: index)" }
            return "CASE \(cases.joined(separator: " ")) END"
        }

        /// A number column as text that reads back to the same `Double`: `%!.17g` in SQLite,
        /// PostgreSQL's shortest exact form; NULL stays NULL. Groups hand back their values this
        /// way (`joined`) where decoding a row per value would cost more than the query.
        func exactText(_ column: SQLQueryString) -> SQLQueryString {
            postgres ? "(\(column))::text" : "CASE WHEN \(column) IS NOT NULL THEN printf('%!.17g', \(column)) END"
        }

        /// An instant column as whole seconds since 1970 (rounded down: a UK date starts on a
        /// whole second, so the date is the same), as text: an integer is written far more
        /// cheaply than an exact fraction.
        func wholeSeconds(_ column: SQLQueryString) -> SQLQueryString {
            postgres ? "floor(extract(epoch FROM \(column)))::bigint::text" : "CAST(CAST(\(column) AS INTEGER) AS TEXT)"
        }

        /// A group's texts, comma-separated (NULLs left out).
        func joined(_ text: SQLQueryString) -> SQLQueryString {
            postgres ? "string_agg(\(text), ',')" : "group_concat(\(text), ',')"
        }

        /// Each period's total of rows counted per span.
        func totals<Row, Value>(_ rows: [Row], span: KeyPath<Row, Int>, zero: Value, add: (inout Value, Row) -> Void,
                                merge: (Value, Value) -> Value) -> [Value] {
            var perSpan = Array(repeating: zero, count: spans.count)
            for row in rows where perSpan.indices.contains(row[keyPath: span]) { add(&perSpan[row[keyPath: span]], row) }
            return spans.totals(perSpan, zero: zero, merge)
        }

        /// Each period's counts by key.
        func keyed(_ rows: [SpanKeyed], missing: String) -> [[String: Int]] {
            totals(rows, span: \.s, zero: [:]) { $0[$1.k ?? missing, default: 0] += $1.n } merge: { $0.merging($1, uniquingKeysWith: +) }
        }

        /// Rows of each period, by an instant of theirs.
        func split<Row>(_ rows: [Row], by instant: (Row) -> Date) -> [[Row]] {
            periods.indices.map { index in
                let range = range(of: index)
                return rows.filter { range.contains(instant($0)) }
            }
        }
    }

    // MARK: Response times

    /// Milestones of the periods' cases counted per span, priority, milestone, allocated officer
    /// and neighbourhood (compliance overall, by officer and by neighbourhood).
    private struct MilestoneGroup {
        var s: Int; var priority: Int?; var milestone: String?; var officer: UUID?; var place: UUID?
        var due: Int; var met: Int; var breached: Int
    }

    /// The working time each met milestone took, per span, priority, milestone and rule.
    private struct MilestoneTimes: Decodable {
        var s: Int; var priority: Int?; var milestone: String?; var rule: String?
        /// The `elapsed` of the met milestones, comma-separated, as text that reads back to the
        /// same `Double` (`Scope.exactText`); nil if none.
        var times: String?
    }

    /// Milestones due, met and breached.
    private struct Tally: Sendable {
        var due = 0, met = 0, breached = 0
        static func + (lhs: Tally, rhs: Tally) -> Tally { Tally(due: lhs.due + rhs.due, met: lhs.met + rhs.met, breached: lhs.breached + rhs.breached) }
        static func += (lhs: inout Tally, rhs: Tally) { lhs = lhs + rhs }
    }

    /// Met: done by the due time. Breached: done late, or not done and the due time has passed.
    ///
    /// One read: the milestones are counted per span, priority, milestone, rule, officer and
    /// neighbourhood, and those counts handed back as one text per span, priority, milestone
    /// and rule (`officer place due met breached`, comma-separated), with the times: decoding
    /// a row per officer and neighbourhood (22,000 rows for a year by month at 1,000,000 cases)
    /// took a third as long as the query.
    private func milestones(_ scope: Scope, now: Date) async throws -> (groups: [MilestoneGroup], times: [MilestoneTimes]) {
        struct Row: Decodable {
            var s: Int; var priority: Int?; var milestone: String?; var rule: String?; var counts: String; var times: String?
        }
        func text(_ column: SQLQueryString) -> SQLQueryString { "COALESCE(CAST(\(column) AS TEXT), '')" }
        let counts: SQLQueryString = "\(text("officer")) || ' ' || \(text("place")) || ' ' || \(text("due")) || ' ' || \(text("met")) || ' ' || \(text("breached"))"
        let rows = try await db.sql.raw("""
            SELECT s, priority, milestone, rule, \(scope.joined(counts)) AS counts, \(scope.joined("times")) AS times FROM (
                SELECT \(scope.span(of: "c.received_at")) AS s, m.priority AS priority, m.milestone AS milestone, m.rule AS rule,
                       c.allocated_officer_id AS officer, c.neighbourhood_id AS place, COUNT(*) AS due,
                       COUNT(*) FILTER (WHERE m.met_at IS NOT NULL AND m.met_at <= m.due_at) AS met,
                       COUNT(*) FILTER (WHERE (m.met_at IS NOT NULL AND m.met_at > m.due_at) OR (m.met_at IS NULL AND m.due_at < \(bind: now))) AS breached,
                       \(scope.joined(scope.exactText("m.elapsed"))) AS times
                FROM case_milestones m JOIN cases c ON c.id = m.case_id
                WHERE \(scope.within("c.received_at")) AND c.not_asb = \(bind: false)
                GROUP BY 1, 2, 3, 4, 5, 6
            ) g
            GROUP BY 1, 2, 3, 4
            """).all(decoding: Row.self)
        var groups: [MilestoneGroup] = []
        for row in rows {
            for entry in row.counts.split(separator: ",") {
                let fields = entry.split(separator: " ", omittingEmptySubsequences: false)
                guard fields.count == 5, let due = Int(fields[2]), let met = Int(fields[3]), let breached = Int(fields[4]) else {
                    throw Abort(.internalServerError, reason: "Unexpected milestone counts: \(entry)")
                }
                groups.append(MilestoneGroup(s: row.s, priority: row.priority, milestone: row.milestone,
                                             officer: UUID(uuidString: String(fields[0])), place: UUID(uuidString: String(fields[1])),
                                             due: due, met: met, breached: breached))
            }
        }
        return (groups, rows.map { MilestoneTimes(s: $0.s, priority: $0.priority, milestone: $0.milestone, rule: $0.rule, times: $0.times) })
    }

    /// Each period's milestones tallied by a key of each group.
    private static func tallies<Key: Hashable>(_ groups: [MilestoneGroup], _ scope: Scope, by key: (MilestoneGroup) -> Key) -> [[Key: Tally]] {
        scope.totals(groups, span: \.s, zero: [Key: Tally]()) { tallies, group in
            tallies[key(group), default: Tally()] += Tally(due: group.due, met: group.met, breached: group.breached)
        } merge: { $0.merging($1, uniquingKeysWith: +) }
    }

    private static func compliance(_ groups: [MilestoneGroup], _ scope: Scope) -> [[Compliance]] {
        struct Key: Hashable { var priority: Int; var milestone: String }
        return tallies(groups, scope) { Key(priority: $0.priority ?? 0, milestone: $0.milestone ?? "") }.map { tally in
            tally.map { key, value in
                Compliance(priority: key.priority, milestone: key.milestone, due: value.due, met: value.met, breached: value.breached,
                           pending: value.due - value.met - value.breached)
            }.sorted { ($0.priority, $0.milestone) < ($1.priority, $1.milestone) }
        }
    }

    /// Every milestone of each period's cases, per allocated officer or per neighbourhood (by name).
    private static func compliance(_ groups: [MilestoneGroup], _ scope: Scope, groupedBy name: (MilestoneGroup) -> String) -> [[GroupCompliance]] {
        tallies(groups, scope, by: name).map { tally in
            tally.map { name, value in
                GroupCompliance(name: name, due: value.due, met: value.met, breached: value.breached, pending: value.due - value.met - value.breached)
            }.sorted { $0.name < $1.name }
        }
    }

    /// Median and 90th percentile time to each met milestone of each period's cases, per
    /// priority and unit of working time (`Percentiles`' nearest rank over the time stored when
    /// each milestone was met; a median of hours and days together would mean nothing), from the
    /// milestones' read. Ranking every row in SQL instead (a window over each period) read a
    /// year's milestones twice and cost more than the rest of the figures together.
    private static func timing(_ groups: [MilestoneTimes], _ scope: Scope) -> [[Timing]] {
        struct Key: Hashable { var priority: Int; var milestone: String; var unit: String }
        let lists = scope.totals(groups, span: \.s, zero: [Key: [Double]]()) { lists, group in
            guard let times = group.times, let priority = group.priority, let milestone = group.milestone,
                  let rule = group.rule.flatMap(DeadlineRule.init(storageValue:)) else { return }
            let unit = if case .workingHours = rule { "workingHours" } else { "workingDays" }
            lists[Key(priority: priority, milestone: milestone, unit: unit), default: []]
                .append(contentsOf: times.split(separator: ",").compactMap { Double($0) })
        } merge: { $0.merging($1, uniquingKeysWith: +) }
        return lists.map { list in
            list.compactMap { key, values -> Timing? in
                let sorted = values.sorted()
                guard let median = Percentiles.value(50, ofSorted: sorted), let p90 = Percentiles.value(90, ofSorted: sorted) else { return nil }
                return Timing(priority: key.priority, milestone: key.milestone, unit: key.unit, count: sorted.count, median: median, p90: p90)
            }.sorted { ($0.priority, $0.milestone, $0.unit) < ($1.priority, $1.milestone, $1.unit) }
        }
    }

    // MARK: Caseload, repeats and duration

    /// ASB cases open at the end of each period (received by then, not closed by then), or now
    /// while the period runs, by age: one read for every period's end, each end counted once
    /// (a year ends with its last quarter or month).
    private func caseload(_ scope: Scope, now: Date) async throws -> [Caseload] {
        struct End: Equatable { var instant: Date; var day: LocalDate }
        var ends: [End] = []
        let endOfPeriod = scope.periods.map { period -> Int in
            let instant = LondonTime.startOfDay(period.end)
            let end = instant <= now ? End(instant: instant, day: period.end.adding(days: -1))
                : End(instant: now, day: LondonTime.localDateTime(for: now).date)
            if let index = ends.firstIndex(of: end) { return index }
            ends.append(end)
            return ends.count - 1
        }
        // Counted by the database: each band is a range of receipt days (`CaseloadAgeBand.lastReceiptDay`).
        let older = CaseloadAgeBand.allCases.filter { $0.months > 0 }
        let open: (Date) -> SQLQueryString = { instant in "(closed_at IS NULL OR closed_at >= \(bind: instant))" }
        var columns: [SQLQueryString] = []
        for (index, end) in ends.enumerated() {
            columns.append("COUNT(*) FILTER (WHERE received_at < \(bind: end.instant) AND \(open(end.instant))) AS \(ident: "o\(index)")")
            for band in older {
                let limit = LondonTime.startOfDay(band.lastReceiptDay(asAt: end.day).adding(days: 1))
                columns.append("COUNT(*) FILTER (WHERE received_at < \(bind: limit) AND \(open(end.instant))) AS \(ident: "o\(index)_\(band.rawValue)")")
            }
        }
        let first = ends.map(\.instant).min() ?? now, last = ends.map(\.instant).max() ?? now
        // Found through the closure index (cases still open, or closed after the earliest end): far
        // fewer than all cases received before the latest end. SQLite is told not to use the
        // receipt index (`+`); PostgreSQL's planner has statistics.
        let receivedAt: SQLQueryString = scope.postgres ? "received_at" : "+received_at"
        let row = try await db.sql.raw("""
            SELECT \(columns.joined(separator: ", ")) FROM cases
            WHERE \(receivedAt) < \(bind: last) AND \(open(first)) AND not_asb = \(bind: false)
            """).first()
        return try endOfPeriod.map { index in
            let end = ends[index]
            let count = try row?.decode(column: "o\(index)", as: Int?.self) ?? 0
            // Cases at least as old as each band, youngest band first; a band's own count is the difference.
            var atLeast = [count]
            for band in older { atLeast.append(try row?.decode(column: "o\(index)_\(band.rawValue)", as: Int?.self) ?? 0) }
            var bands: [String: Int] = [:]
            for (position, band) in CaseloadAgeBand.allCases.enumerated() {
                let inBand = atLeast[position] - (position + 1 < atLeast.count ? atLeast[position + 1] : 0)
                if inBand > 0 { bands[band.rawValue] = inBand }
            }
            return Caseload(asAt: end.day.description, open: count, byAge: bands)
        }
    }

    /// People on the reporter or victim side of each period's cases who were on that side of an
    /// earlier case received within the twelve months before (`RepeatFlags.followsEarlierCase`).
    private func repeatVictims(_ scope: Scope) async throws -> [Int] {
        struct Row: Decodable { var party_id: UUID; var case_id: UUID; var received_at: Date }
        func victimSide(_ parties: String) -> SQLQueryString {
            "\(ident: parties).role IN (\(bind: PartyRole.reporter.rawValue), \(bind: PartyRole.victim.rawValue))"
        }
        // The cases of everyone on that side of a case in the periods, received up to 13 months
        // before the first period: the periods' own cases and everything that could be an earlier
        // one. Only people linked to another case can be repeats, so only theirs are read (most
        // people are on one case: reading everyone's cost a fifth of the year's figures), found
        // through the links' index (`party_id, case_id`).
        let earliest = scope.start.addingTimeInterval(-400 * 86_400)
        let rows = try await db.sql.raw("""
            SELECT p.party_id AS party_id, c.id AS case_id, c.received_at AS received_at
            FROM case_parties p JOIN cases c ON c.id = p.case_id
            WHERE c.received_at >= \(bind: earliest) AND c.received_at < \(bind: scope.end) AND c.not_asb = \(bind: false) AND \(victimSide("p"))
              AND p.party_id IN (
                SELECT q.party_id FROM case_parties q JOIN cases d ON d.id = q.case_id
                WHERE \(scope.within("d.received_at")) AND d.not_asb = \(bind: false) AND \(victimSide("q"))
                  AND EXISTS (SELECT 1 FROM case_parties r WHERE r.party_id = q.party_id AND r.case_id <> q.case_id))
            """).all(decoding: Row.self)
        var history: [UUID: [Row]] = [:]
        for row in rows { history[row.party_id, default: []].append(row) }
        return scope.split(rows, by: \.received_at).map { current in
            var repeats: Set<UUID> = []
            for row in current where !repeats.contains(row.party_id) {
                let others = (history[row.party_id] ?? []).filter { $0.case_id != row.case_id }.map(\.received_at)
                if RepeatFlags.followsEarlierCase(receivedAt: row.received_at, earlierCasesReceivedAt: others) { repeats.insert(row.party_id) }
            }
            return repeats.count
        }
    }

    /// Calendar days (UK dates) from receipt to closure of each period's closed ASB cases.
    ///
    /// Each span's receipt and closure instants come back as one text (whole seconds since 1970,
    /// `Scope.wholeSeconds`): decoding a row per case cost a third of a second a year.
    private func duration(_ scope: Scope) async throws -> [Duration] {
        struct Row: Decodable { var s: Int; var instants: String }
        let pairs = scope.joined("\(scope.wholeSeconds("received_at")) || ' ' || \(scope.wholeSeconds("closed_at"))")
        let rows = try await db.sql.raw("""
            SELECT \(scope.span(of: "closed_at")) AS s, \(pairs) AS instants FROM cases
            WHERE \(scope.within("closed_at")) AND not_asb = \(bind: false) GROUP BY 1
            """).all(decoding: Row.self)
        let days = scope.totals(rows, span: \.s, zero: [Double]()) { days, row in
            // "received closed,received closed,…", read byte by byte: splitting the text into
            // substrings cost more than the query.
            var received = 0, number = 0
            func add(closed: Int) {
                let from = LondonTime.localDateTime(for: Date(timeIntervalSince1970: Double(received))).date
                let to = LondonTime.localDateTime(for: Date(timeIntervalSince1970: Double(closed))).date
                days.append(Double(from.days(until: to)))
            }
            for byte in row.instants.utf8 {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): number = number * 10 + Int(byte - UInt8(ascii: "0"))
                case UInt8(ascii: " "): received = number; number = 0
                case UInt8(ascii: ","): add(closed: number); number = 0
                default: break
                }
            }
            if !row.instants.isEmpty { add(closed: number) }
        } merge: { $0 + $1 }
        return days.map { days in
            Duration(closed: days.count, meanDays: Percentiles.mean(days).map { ($0 * 10).rounded() / 10 }, medianDays: Percentiles.median(days))
        }
    }

    // MARK: Satisfaction, complaints, reviews

    private func satisfaction(_ scope: Scope) async throws -> [Satisfaction] {
        struct Row: Decodable {
            var s: Int
            var overall: Int; var overall_positive: Int?
            var informed: Int; var informed_positive: Int?
            var ease: Int; var ease_positive: Int?
            var listened: Int; var listened_positive: Int?
            var again: Int; var again_yes: Int?
        }
        // By the answer index: SQLite, without statistics, would take the status index and read
        // every answered survey of every year (`+` keeps it off that index).
        let status: SQLQueryString = scope.postgres ? "status" : "+status"
        let rows = try await db.sql.raw("""
            SELECT \(scope.span(of: "answered_at")) AS s,
                   COUNT(overall) AS overall, COUNT(*) FILTER (WHERE overall >= 4) AS overall_positive,
                   COUNT(kept_informed) AS informed, COUNT(*) FILTER (WHERE kept_informed >= 4) AS informed_positive,
                   COUNT(ease_of_reporting) AS ease, COUNT(*) FILTER (WHERE ease_of_reporting >= 4) AS ease_positive,
                   COUNT(listened_to) AS listened, COUNT(*) FILTER (WHERE listened_to >= 4) AS listened_positive,
                   COUNT(would_report_again) AS again, COUNT(*) FILTER (WHERE would_report_again) AS again_yes
            FROM satisfaction_surveys
            WHERE \(status) = 'answered' AND \(scope.within("answered_at"))
            GROUP BY 1
            """).all(decoding: Row.self)
        let reviews = try await db.sql.raw("""
            SELECT \(scope.span(of: "created_at")) AS s, 'opened' AS k, COUNT(*) AS n FROM dissatisfaction_reviews
            WHERE \(scope.within("created_at")) GROUP BY 1
            UNION ALL
            SELECT \(scope.span(of: "closed_at")) AS s, 'closed' AS k, COUNT(*) AS n FROM dissatisfaction_reviews
            WHERE \(scope.within("closed_at")) GROUP BY 1
            """).all(decoding: SpanKeyed.self)
        let reviewCounts = scope.keyed(reviews, missing: "")
        func answered(_ answered: Int, _ positive: Int?) -> Answered { Answered(answered: answered, positive: positive ?? 0) }
        let none = Answered(answered: 0, positive: 0)
        let zero = Satisfaction(overall: none, keptInformed: none, easeOfReporting: none, listenedTo: none, wouldReportAgain: none,
                                dissatisfactionReviewsOpened: 0, dissatisfactionReviewsClosed: 0)
        let answers = scope.totals(rows, span: \.s, zero: zero) { total, row in
            total = total + Satisfaction(
                overall: answered(row.overall, row.overall_positive), keptInformed: answered(row.informed, row.informed_positive),
                easeOfReporting: answered(row.ease, row.ease_positive), listenedTo: answered(row.listened, row.listened_positive),
                wouldReportAgain: answered(row.again, row.again_yes), dissatisfactionReviewsOpened: 0, dissatisfactionReviewsClosed: 0)
        } merge: { $0 + $1 }
        return zip(answers, reviewCounts).map { answer, reviews in
            var answer = answer
            answer.dissatisfactionReviewsOpened = reviews["opened"] ?? 0
            answer.dissatisfactionReviewsClosed = reviews["closed"] ?? 0
            return answer
        }
    }

    private func complaints(_ scope: Scope, calendar: WorkingCalendar) async throws -> [Complaints] {
        let rows = try await Feedback.query(on: db).filter(\.$receivedAt >= scope.start).filter(\.$receivedAt < scope.end)
            .field(\.$id).field(\.$kind).field(\.$receivedAt).field(\.$acknowledgedAt).field(\.$closedAt).field(\.$outcome).all()
        return scope.split(rows, by: \.receivedAt).map { rows in
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
    }

    private func internalReviews(_ scope: Scope) async throws -> [InternalReviews] {
        let rows = try await InternalCaseReview.query(on: db).filter(\.$completedAt >= scope.start).filter(\.$completedAt < scope.end)
            .filter(\.$status == "done").field(\.$id).field(\.$completedAt).field(\.$checklist).all()
        return scope.split(rows, by: { $0.completedAt ?? .distantPast }).map { rows in
            var answers: [String: [String: Int]] = [:]
            for row in rows {
                let checklist = (try? JSONDecoder().decode([String: String].self, from: Data((row.checklist ?? "{}").utf8))) ?? [:]
                for (question, answer) in checklist { answers[question, default: [:]][answer, default: 0] += 1 }
            }
            return InternalReviews(completed: rows.count, answers: answers)
        }
    }

    // MARK: Periods

    /// New ASB cases in each of the last `count` calendar months up to the one containing `now`,
    /// oldest first: `("Nov 26", 12)`.
    func newCasesByMonth(now: Date, count: Int = 12) async throws -> [(label: String, value: Int)] {
        let today = LondonTime.localDateTime(for: now).date
        var months: [ReportingPeriod] = [.month(of: today)]
        while months.count < count { months.insert(.month(of: months[0].start.firstOfPreviousMonth), at: 0) }
        let scope = Scope(months, postgres: try db.sql.dialect.name == "postgresql")
        struct Row: Decodable { var s: Int; var n: Int }
        let rows = try await db.sql.raw("""
            SELECT \(scope.span(of: "c.received_at")) AS s, COUNT(*) AS n FROM cases c
            WHERE \(scope.within("c.received_at")) AND c.not_asb = \(bind: false) GROUP BY 1
            """).all(decoding: Row.self)
        let counts = scope.totals(rows, span: \.s, zero: 0) { $0 += $1.n } merge: { $0 + $1 }
        return zip(months, counts).map { ($0.shortLabel, $1) }
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
        return try await figures(for: parts + [year], now: now)
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
        return try await figures(for: ReportingPeriod.quarters(endingAt: today) + [lastYear], now: now)
    }
}
