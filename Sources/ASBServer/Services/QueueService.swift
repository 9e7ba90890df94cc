import ASBCore
import Fluent
import FluentSQL
import Foundation

/// The work queues (DESIGN.md): triage, deadlines due soon, and overdue. Officers see their own
/// cases, team leaders the team's, intake the triage queue.
struct QueueService {
    let db: any Database

    enum Name: String { case triage, dueSoon, overdue, contactDue, reviewsDue, closureReviewDue, caseReviewThreshold }

    struct Item {
        var asbCase: ASBCase
        var milestone: CaseMilestone?
        var nextContactOn: String? = nil
        var reviewOn: String? = nil
    }

    /// How far ahead "due soon" looks, in working hours.
    static let dueSoonWorkingHours = 8

    /// One page of a queue, most urgent first, or least urgent first with `leastUrgentFirst`.
    func page(_ name: Name, for user: User, calendar: WorkingCalendar, now: Date, cursor rawCursor: String?,
              limit: Int, leastUrgentFirst: Bool = false) async throws -> CaseService.Page<Item> {
        try Self.authorize(name, for: user)
        let after: DatabaseQuery.Filter.Method = leastUrgentFirst ? .lessThan : .greaterThan
        let direction: DatabaseQuery.Sort.Direction = leastUrgentFirst ? .descending : .ascending
        let cursor = try Cursor.decode(rawCursor)

        switch name {
        case .contactDue:
            let query = contactDue(for: user, now: now)
            if let cursor, let text = cursor.text {
                query.group(.or) { or in
                    or.filter(\.$nextContactDue, after, text)
                    or.group(.and) { $0.filter(\.$nextContactDue == text).filter(\.$id, after, cursor.id) }
                }
            }
            let rows = try await query.sort(\.$nextContactDue, direction).sort(\.$id, direction).limit(limit + 1).all()
            let page = Array(rows.prefix(limit))
            let cases = try page.map { try $0.joined(ASBCase.self) }
            try await attachOfficers(to: cases)
            let items = zip(cases, page).map { Item(asbCase: $0, milestone: nil, nextContactOn: $1.nextContactDue) }
            let next = rows.count > limit ? page.last.map { Cursor(text: $0.nextContactDue, id: $0.id!).encoded() } : nil
            return .init(items: items, nextCursor: next)

        case .caseReviewThreshold:
            // One query a step, merged here: each walks its step's index in order and stops at the
            // page's end, where one query for all three steps would sort every case that ever met
            // the threshold.
            var rows: [ASBCase] = []
            for status in Self.openCaseReviewSteps {
                let query = caseReview(status, for: user).with(\.$allocatedOfficer)
                if let cursor, let date = cursor.date {
                    query.group(.or) { or in
                        or.filter(\.$caseReviewDueAt, after, date)
                        or.group(.and) { $0.filter(\.$caseReviewDueAt == date).filter(\.$id, after, cursor.id) }
                    }
                }
                rows += try await query.sort(\.$caseReviewDueAt, direction).sort(\.$id, direction).limit(limit + 1).all()
            }
            // The databases' order: by due time, then by id (upper-case text in SQLite, bytes in
            // PostgreSQL: the same order as the upper-case string).
            func precedes(_ a: ASBCase, _ b: ASBCase) -> Bool {
                let x = (a.caseReviewDueAt ?? .distantPast, a.id?.uuidString ?? ""), y = (b.caseReviewDueAt ?? .distantPast, b.id?.uuidString ?? "")
                return leastUrgentFirst ? x > y : x < y
            }
            rows.sort(by: precedes)
            let cases = Array(rows.prefix(limit))
            let next = rows.count > limit ? cases.last.flatMap { c in c.caseReviewDueAt.map { Cursor(date: $0, id: c.id!).encoded() } } : nil
            return .init(items: cases.map { Item(asbCase: $0, milestone: nil) }, nextCursor: next)

        case .closureReviewDue:
            let query = closureReviewDue(for: user, now: now).with(\.$allocatedOfficer)
            if let cursor, let date = cursor.date {
                query.group(.or) { or in
                    or.filter(\.$lastIncidentAt, after, date)
                    or.group(.and) { $0.filter(\.$lastIncidentAt == date).filter(\.$id, after, cursor.id) }
                }
            }
            let rows = try await query.sort(\.$lastIncidentAt, direction).sort(\.$id, direction).limit(limit + 1).all()
            let cases = Array(rows.prefix(limit))
            let next = rows.count > limit ? cases.last.map { Cursor(date: $0.lastIncidentAt, id: $0.id!).encoded() } : nil
            return .init(items: cases.map { Item(asbCase: $0, milestone: nil) }, nextCursor: next)

        case .reviewsDue:
            let query = reviewsDue(for: user, now: now)
            if let cursor, let text = cursor.text {
                query.group(.or) { or in
                    or.filter(\.$scheduledFor, after, text)
                    or.group(.and) { $0.filter(\.$scheduledFor == text).filter(\.$id, after, cursor.id) }
                }
            }
            let rows = try await query.sort(\.$scheduledFor, direction).sort(\.$id, direction).limit(limit + 1).all()
            let page = Array(rows.prefix(limit))
            let cases = try page.map { try $0.joined(ASBCase.self) }
            try await attachOfficers(to: cases)
            let items = zip(cases, page).map { Item(asbCase: $0, milestone: nil, reviewOn: $1.scheduledFor) }
            let next = rows.count > limit ? page.last.map { Cursor(text: $0.scheduledFor, id: $0.id!).encoded() } : nil
            return .init(items: items, nextCursor: next)

        case .triage:
            let query = triage(for: user).with(\.$allocatedOfficer)
            if let cursor, let date = cursor.date {
                query.group(.or) { or in
                    or.filter(\.$receivedAt, after, date)
                    or.group(.and) { $0.filter(\.$receivedAt == date).filter(\.$id, after, cursor.id) }
                }
            }
            // Oldest first: the longer a report waits for assessment, the more urgent it is.
            let rows = try await query.sort(\.$receivedAt, direction).sort(\.$id, direction).limit(limit + 1).all()
            let cases = Array(rows.prefix(limit))
            let ids = cases.compactMap(\.id)
            // These cases' few milestones by case alone, pending ones picked and sorted here: given
            // `met_at IS NULL` or a sort, the database may walk every pending milestone instead.
            let pending = ids.isEmpty ? [] : try await CaseMilestone.query(on: db)
                .filter(\.$asbCase.$id ~~ ids).all().filter { $0.metAt == nil }.sorted { $0.dueAt < $1.dueAt }
            let items = cases.map { c in Item(asbCase: c, milestone: pending.first { $0.$asbCase.id == c.id }, nextContactOn: nil) }
            let next = rows.count > limit ? cases.last.map { Cursor(date: $0.receivedAt, id: $0.id!).encoded() } : nil
            return .init(items: items, nextCursor: next)

        case .dueSoon, .overdue:
            let query = deadlines(name, for: user, calendar: calendar, now: now)
            if let cursor, let date = cursor.date {
                query.group(.or) { or in
                    or.filter(\.$dueAt, after, date)
                    or.group(.and) { $0.filter(\.$dueAt == date).filter(\.$id, after, cursor.id) }
                }
            }
            let rows = try await query.sort(\.$dueAt, direction).sort(\.$id, direction).limit(limit + 1).all()
            let page = Array(rows.prefix(limit))
            let cases = try page.map { try $0.joined(ASBCase.self) }
            try await attachOfficers(to: cases)
            let items = zip(cases, page).map { Item(asbCase: $0, milestone: $1, nextContactOn: nil) }
            let next = rows.count > limit ? page.last.map { Cursor(date: $0.dueAt, id: $0.id!).encoded() } : nil
            return .init(items: items, nextCursor: next)
        }
    }

    /// How many items a queue holds, counting no further than `limit`: the same filters as
    /// `page`, reading only the ids of at most `limit` rows, so a count costs what a short page
    /// costs however long the queue is (the home page says "50 or more" past its limit).
    func count(_ name: Name, for user: User, calendar: WorkingCalendar, now: Date, upTo limit: Int) async throws -> Int {
        try Self.authorize(name, for: user)
        switch name {
        case .contactDue: return try await contactDue(for: user, now: now).count(upTo: limit)
        case .caseReviewThreshold:
            var count = 0
            for status in Self.openCaseReviewSteps where count < limit {
                count += try await caseReview(status, for: user).count(upTo: limit - count)
            }
            return count
        case .closureReviewDue: return try await closureReviewDue(for: user, now: now).count(upTo: limit)
        case .reviewsDue: return try await reviewsDue(for: user, now: now).count(upTo: limit)
        case .triage: return try await triage(for: user).count(upTo: limit)
        case .dueSoon, .overdue:
            return try await deadlines(name, for: user, calendar: calendar, now: now).count(upTo: limit)
        }
    }

    // MARK: What each queue holds (shared by `page` and `count`)

    private static func authorize(_ name: Name, for user: User) throws {
        switch user.role {
        case .teamLeader, .officer: break
        case .intake where name == .triage: break
        default: throw AppError.forbidden("Your role has no \(name.rawValue) queue.")
        }
    }

    /// Officers see their own cases; team leaders and intake see the team's.
    private static func ownCasesOnly(_ user: User) -> Bool { user.role == .officer }

    /// The ASB Case Review steps that leave a case in the queue, the most pressing first.
    private static let openCaseReviewSteps: [CaseReviewStatus] = [.thresholdMet, .applied, .outcomeDue]

    /// Active plans with the reporter whose next contact is today or earlier, on open cases.
    private func contactDue(for user: User, now: Date) -> QueryBuilder<ContactPlan> {
        let today = LondonTime.localDateTime(for: now).date.description
        let query = ContactPlan.query(on: db)
            .join(ASBCase.self, on: \ContactPlan.$asbCase.$id == \ASBCase.$id)
            .filter(\.$active == true).filter(\.$forReporter == true).filter(\.$nextContactDue <= today)
            .filter(ASBCase.self, \.$status != .closed)
        if Self.ownCasesOnly(user) { query.filter(ASBCase.self, \.$allocatedOfficer.$id == user.id) }
        return query
    }

    /// Cases at one open step of the ASB Case Review.
    private func caseReview(_ status: CaseReviewStatus, for user: User) -> QueryBuilder<ASBCase> {
        let query = ASBCase.query(on: db).filter(\.$caseReviewStatus == status)
        if Self.ownCasesOnly(user) { query.filter(\.$allocatedOfficer.$id == user.id) }
        return query
    }

    /// Open cases with no new incident for 60 days or more.
    private func closureReviewDue(for user: User, now: Date) -> QueryBuilder<ASBCase> {
        let today = LondonTime.localDateTime(for: now).date
        let cutoff = LondonTime.startOfDay(today.adding(days: -(ClosureRules.noNewReportsDays - 1)))
        let query = ASBCase.query(on: db).filter(\.$status == .open).filter(\.$lastIncidentAt < cutoff)
        if Self.ownCasesOnly(user) { query.filter(\.$allocatedOfficer.$id == user.id) }
        return query
    }

    /// Meetings scheduled for today or earlier that nobody has recorded yet.
    private func reviewsDue(for user: User, now: Date) -> QueryBuilder<ReviewMeeting> {
        let today = LondonTime.localDateTime(for: now).date.description
        let query = ReviewMeeting.query(on: db)
            .join(ASBCase.self, on: \ReviewMeeting.$asbCase.$id == \ASBCase.$id)
            .filter(\.$status == .scheduled).filter(\.$scheduledFor <= today)
        if Self.ownCasesOnly(user) { query.filter(ASBCase.self, \.$allocatedOfficer.$id == user.id) }
        return query
    }

    /// Reports not yet assessed and allocated.
    private func triage(for user: User) -> QueryBuilder<ASBCase> {
        let query = ASBCase.query(on: db).filter(\.$status == .received)
        if Self.ownCasesOnly(user) { query.filter(\.$allocatedOfficer.$id == user.id) }
        return query
    }

    /// Unmet deadlines of open cases: passed (`overdue`) or within the next working hours (`dueSoon`).
    private func deadlines(_ name: Name, for user: User, calendar: WorkingCalendar, now: Date) -> QueryBuilder<CaseMilestone> {
        let query = CaseMilestone.query(on: db)
            .join(ASBCase.self, on: \CaseMilestone.$asbCase.$id == \ASBCase.$id)
            .filter(\.$metAt == nil)
            .filter(\.$caseClosedAt == nil)
            .filter(ASBCase.self, \.$status != .closed)
        if name == .overdue {
            query.filter(\.$dueAt < now)
        } else {
            let horizon = ServiceClock.dueAt(receivedAt: now, rule: .workingHours(Self.dueSoonWorkingHours), calendar: calendar)
            query.filter(\.$dueAt >= now).filter(\.$dueAt <= horizon)
        }
        if Self.ownCasesOnly(user) { query.filter(ASBCase.self, \.$allocatedOfficer.$id == user.id) }
        return query
    }
}

extension QueueService {
    /// Loads the allocated officers of joined cases in one query.
    func attachOfficers(to cases: [ASBCase]) async throws {
        let officerIDs = Set(cases.compactMap { $0.$allocatedOfficer.id })
        let officers = officerIDs.isEmpty ? [] : try await User.query(on: db).filter(\.$id ~~ officerIDs).all()
        for c in cases {
            c.$allocatedOfficer.value = officers.first { $0.id == c.$allocatedOfficer.id }
        }
    }
}

/// Records every breached deadline once, as a timeline event and an audit event. Safe to run on
/// several server instances at once: each breach is claimed with a conditional update first.
struct BreachScanner {
    let env: ASBEnvironment
    let db: any Database
    var writes: WriteTransactions { env.writes }

    /// Scans everything due before `now`; returns how many breaches it recorded. When its task
    /// is cancelled (the server stopping) it stops before the next breach: each is recorded in a
    /// transaction of its own, and the next scan records the rest.
    func scan(now: Date, batchSize: Int = 200) async throws -> Int {
        var recorded = 0
        while !Task.isCancelled {
            let due = try await CaseMilestone.query(on: db)
                .filter(\.$metAt == nil).filter(\.$breachRecordedAt == nil).filter(\.$dueAt < now)
                .sort(\.$dueAt).limit(batchSize).all()
            for milestone in due {
                if Task.isCancelled { return recorded }
                if try await record(milestone, now: now) { recorded += 1 }
            }
            if due.count < batchSize { return recorded }
        }
        return recorded
    }

    private func record(_ milestone: CaseMilestone, now: Date) async throws -> Bool {
        guard let id = milestone.id else { return false }
        return try await writes.run(on: db) { db in
            // One atomic claim: of several instances scanning at once, exactly one records it.
            guard let sql = db as? any SQLDatabase else { return false }
            let claimed = try await sql.raw("""
                UPDATE case_milestones SET breach_recorded_at = \(bind: now)
                WHERE id = \(bind: id) AND breach_recorded_at IS NULL AND met_at IS NULL RETURNING id
                """).all()
            guard claimed.count == 1 else { return false }
            guard let asbCase = try await ASBCase.find(milestone.$asbCase.id, on: db) else { return false }
            try await BreachScanner.recordEvents(for: milestone, of: asbCase, now: now, on: db)
            let outbox = Outbox(env: env, db: db)
            try await outbox.toStaff(.milestoneBreached, try await outbox.caseStaff(asbCase), about: asbCase, dedupe: id.uuidString, now: now) {
                $0.milestone = milestone.milestone.displayName
                $0.due = CaseClock.describeDue(milestone.dueAt)
            }
            return true
        }
    }

    /// The timeline and audit entries of one breach.
    static func recordEvents(for milestone: CaseMilestone, of asbCase: ASBCase, now: Date, on db: any Database) async throws {
        let rows = try events(for: milestone, of: asbCase, now: now)
        try await rows.event.create(on: db)
        try await rows.audit.create(on: db)
    }

    /// The timeline and audit entries of a breach, unsaved.
    static func events(for milestone: CaseMilestone, of asbCase: ASBCase, now: Date) throws -> (event: CaseEvent, audit: AuditEvent) {
        let caseID = try asbCase.requireID()
        let event = CaseEvent(caseID: caseID, at: now, kind: .milestoneBreached,
                              summary: "\(milestone.milestone.displayName) deadline missed: it was due \(CaseClock.describe(milestone.dueAt))",
                              actorID: nil)
        let audit = try AuditLog.event(.milestoneBreached, by: .system, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                       changes: ["milestone": milestone.milestone.rawValue, "dueAt": milestone.dueAt.formatted(.iso8601)],
                                       at: now, requestID: nil)
        return (event, audit)
    }
}
