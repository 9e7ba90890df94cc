import ASBCore
import Fluent
import FluentSQL
import Foundation
import SQLKit
import Vapor

/// The work queues (DESIGN.md): triage, deadlines due soon, and overdue. Officers see their own
/// cases, team leaders the team's, intake the triage queue.
struct QueueService {
    let db: any Database

    enum Name: String { case triage, dueSoon, overdue, contactDue, reviewsDue, closureReviewDue, caseReviewThreshold }

    struct Item {
        var asbCase: CaseListing
        var milestone: PendingDeadline? = nil
        var nextContactOn: String? = nil
        var reviewOn: String? = nil
    }

    /// An unmet deadline as a queue shows it.
    struct PendingDeadline: Sendable, Equatable {
        var milestone: Milestone
        var dueAt: Date

        func state(now: Date) -> MilestoneState { MilestoneState.state(dueAt: dueAt, metAt: nil, now: now) }
    }

    /// How far ahead "due soon" looks, in working hours.
    static let dueSoonWorkingHours = 8

    /// One page of a queue, most urgent first, or least urgent first with `leastUrgentFirst`.
    ///
    /// Read with plain SQL into `CaseListing`s (see there why not Fluent models), each query
    /// walking one index in order from the cursor and stopping at the page's end.
    func page(_ name: Name, for user: User, calendar: WorkingCalendar, now: Date, cursor rawCursor: String?,
              limit: Int, leastUrgentFirst: Bool = false) async throws -> CaseService.Page<Item> {
        try Self.authorize(name, for: user)
        let cursor = try Cursor.decode(rawCursor)
        let direction: SQLQueryString = leastUrgentFirst ? "DESC" : "ASC"
        var fetched: [(item: Item, cursor: Cursor)] = []
        let selections = try selections(name, for: user, calendar: calendar, now: now)
        for selection in selections {
            var conditions = selection.conditions
            if let cursor, let value: any Encodable & Sendable = selection.keyIsDate ? cursor.date : cursor.text {
                conditions.append(.after(selection.key, value, then: selection.id, cursor.id, descending: leastUrgentFirst))
            }
            let rows = try await read("""
                SELECT \(CaseListing.columns), \(unsafeRaw: selection.id) AS item_id, \(unsafeRaw: selection.key) AS item_key\(selection.columns)
                FROM \(selection.from) \(CaseListing.joins) WHERE \(conditions.joined(separator: " AND ")) \
                ORDER BY \(unsafeRaw: selection.key) \(direction), \(unsafeRaw: selection.id) \(direction) LIMIT \(literal: limit + 1)
                """, for: user)
            for row in rows {
                let id = try row.decode(column: "item_id", as: UUID.self)
                let cursor = selection.keyIsDate
                    ? Cursor(date: try row.decode(column: "item_key", as: Date.self), id: id)
                    : Cursor(text: try row.decode(column: "item_key", as: String.self), id: id)
                fetched.append((try Self.item(name, row), cursor))
            }
        }
        if selections.count > 1 {
            // Several queries (the Case Review's steps), merged in the databases' order: by key, then
            // by id (upper-case text in SQLite, bytes in PostgreSQL: the upper-case string's order).
            func order(_ c: Cursor) -> (Date, String, String) { (c.date ?? .distantPast, c.text ?? "", c.id.text) }
            fetched.sort { leastUrgentFirst ? order($0.cursor) > order($1.cursor) : order($0.cursor) < order($1.cursor) }
        }
        var items = fetched.prefix(limit).map(\.item)
        if name == .triage {
            let pending = try await firstPendingDeadlines(of: items.map(\.asbCase.id))
            for index in items.indices { items[index].milestone = pending[items[index].asbCase.id] }
        }
        return .init(items: items, nextCursor: fetched.count > limit ? fetched[limit - 1].cursor.encoded() : nil)
    }

    /// How many items a queue holds, counting no further than `limit`: the same rows as `page`,
    /// at most `limit` of them read, so a count costs what a short page costs however long the
    /// queue is (the home page says "50 or more" past its limit). They are read in the page's
    /// order, so the database walks the page's index: without it PostgreSQL gathered the overdue
    /// deadlines with parallel workers (6–8 ms, against 0.3 ms) at 1,000,000 cases.
    func count(_ name: Name, for user: User, calendar: WorkingCalendar, now: Date, upTo limit: Int) async throws -> Int {
        try Self.authorize(name, for: user)
        var count = 0
        for selection in try selections(name, for: user, calendar: calendar, now: now) where count < limit {
            let row = try await read("""
                SELECT COUNT(*) AS n FROM (SELECT 1 FROM \(selection.from) WHERE \(selection.conditions.joined(separator: " AND ")) \
                ORDER BY \(unsafeRaw: selection.key), \(unsafeRaw: selection.id) LIMIT \(literal: limit - count)) AS counted
                """, for: user).first
            count += try row?.decode(column: "n", as: Int.self) ?? 0
        }
        return count
    }

    /// A queue's read. Over everyone's cases it is prepared on PostgreSQL (`PreparedReads`): each
    /// queue's generic plan, checked with EXPLAIN ANALYZE at 1,000,000 cases, ran as fast as a
    /// plan made for the values, and planning was most of PostgreSQL's work on the home page. An
    /// officer's queue, narrowed to their cases, is planned for the officer every time: a generic
    /// plan cannot know how many cases an officer holds (for the case list narrowed to one
    /// officer, "My cases", it walked an index of every case: 235 ms, against 0.02 ms planned for
    /// the officer; that list is never prepared there). On SQLite both are kept prepared
    /// (`PreparedReads.all(_:on:genericPlan:)` says why that is safe there).
    private func read(_ query: SQLQueryString, for user: User) async throws -> [any SQLRow] {
        try await PreparedReads.all(query, on: db, genericPlan: user.role != .officer)
    }

    // MARK: What each queue holds (shared by `page` and `count`)

    /// The rows of one query of a queue: the tables (`cases c` among them), the conditions, the
    /// column it is sorted by (`key`, a date or a `YYYY-MM-DD` text) and the id that breaks ties.
    private struct Selection {
        var from: SQLQueryString
        var conditions: [SQLQueryString]
        var key: String
        var keyIsDate = true
        var id: String
        /// More columns the queue's items show, each after a comma.
        var columns: SQLQueryString = ""
    }

    /// The query (or, for the ASB Case Review, one per open step: each walks its step's index in
    /// order and stops at the page's end, where one query for all three would sort every case
    /// that ever met the threshold) of a queue.
    private func selections(_ name: Name, for user: User, calendar: WorkingCalendar, now: Date) throws -> [Selection] {
        let own: [SQLQueryString] = user.role == .officer ? ["c.allocated_officer_id = \(bind: try user.requireID())"] : []
        let today = LondonTime.localDateTime(for: now).date
        let notClosed: SQLQueryString = "c.status <> \(bind: CaseStatus.closed.rawValue)"
        switch name {
        case .triage:
            // Reports not yet assessed and allocated, oldest first: the longer a report waits, the
            // more urgent it is.
            return [Selection(from: "cases c", conditions: ["c.status = \(bind: CaseStatus.received.rawValue)"] + own,
                              key: "c.received_at", id: "c.id")]
        case .dueSoon, .overdue:
            // Unmet deadlines of open cases: passed, or within the next working hours.
            let due: [SQLQueryString]
            if name == .overdue {
                due = ["d.due_at < \(bind: now)"]
            } else {
                let horizon = ServiceClock.dueAt(receivedAt: now, rule: .workingHours(Self.dueSoonWorkingHours), calendar: calendar)
                due = ["d.due_at >= \(bind: now)", "d.due_at <= \(bind: horizon)"]
            }
            return [Selection(from: "case_milestones d JOIN cases c ON c.id = d.case_id",
                              conditions: ["d.met_at IS NULL", "d.case_closed_at IS NULL", notClosed] + due + own,
                              key: "d.due_at", id: "d.id", columns: ", d.milestone AS item_milestone")]
        case .contactDue:
            // Active plans with the reporter whose next contact is today or earlier, on open cases.
            return [Selection(from: "contact_plans p JOIN cases c ON c.id = p.case_id",
                              conditions: ["p.active = \(bind: true)", "p.for_reporter = \(bind: true)",
                                           "p.next_contact_due <= \(bind: today.description)", notClosed] + own,
                              key: "p.next_contact_due", keyIsDate: false, id: "p.id")]
        case .reviewsDue:
            // Meetings scheduled for today or earlier that nobody has recorded yet.
            return [Selection(from: "review_meetings m JOIN cases c ON c.id = m.case_id",
                              conditions: ["m.status = \(bind: ReviewMeeting.Status.scheduled.rawValue)",
                                           "m.scheduled_for <= \(bind: today.description)"] + own,
                              key: "m.scheduled_for", keyIsDate: false, id: "m.id")]
        case .closureReviewDue:
            // Open cases whose last incident was before the day 59 days ago: no new report for 60 days.
            let cutoff = LondonTime.startOfDay(today.adding(days: -(ClosureRules.noNewReportsDays - 1)))
            return [Selection(from: "cases c", conditions: ["c.status = \(bind: CaseStatus.open.rawValue)", "c.last_incident_at < \(bind: cutoff)"] + own,
                              key: "c.last_incident_at", id: "c.id")]
        case .caseReviewThreshold:
            // The ASB Case Review's steps that leave a case in the queue, the most pressing first.
            return [CaseReviewStatus.thresholdMet, .applied, .outcomeDue].map { status in
                Selection(from: "cases c", conditions: ["c.case_review_status = \(bind: status.rawValue)"] + own,
                          key: "c.case_review_due_at", id: "c.id")
            }
        }
    }

    /// One row of a queue's query as an item.
    private static func item(_ name: Name, _ row: any SQLRow) throws -> Item {
        var item = Item(asbCase: try CaseListing(row: row))
        switch name {
        case .dueSoon, .overdue:
            item.milestone = PendingDeadline(milestone: try row.decodeRaw(column: "item_milestone", as: Milestone.self),
                                             dueAt: try row.decode(column: "item_key", as: Date.self))
        case .contactDue: item.nextContactOn = try row.decode(column: "item_key", as: String.self)
        case .reviewsDue: item.reviewOn = try row.decode(column: "item_key", as: String.self)
        case .triage, .closureReviewDue, .caseReviewThreshold: break
        }
        return item
    }

    private static func authorize(_ name: Name, for user: User) throws {
        switch user.role {
        case .teamLeader, .officer: break
        case .intake where name == .triage: break
        default: throw AppError.forbidden("Your role has no \(name.rawValue) queue.")
        }
    }

    /// Each case's earliest unmet deadline (the triage queue shows it). The cases' few milestones
    /// are read by case alone and the pending ones picked here: given `met_at IS NULL` or a sort,
    /// the database may walk every pending milestone instead.
    private func firstPendingDeadlines(of caseIDs: [UUID]) async throws -> [UUID: PendingDeadline] {
        guard !caseIDs.isEmpty else { return [:] }
        let rows = try await PreparedReads.all("""
            SELECT case_id, milestone, due_at, met_at FROM case_milestones WHERE case_id IN (\(binds: caseIDs))
            """, on: db)
        var first: [UUID: PendingDeadline] = [:]
        for row in rows where try row.decodeNil(column: "met_at") {
            let deadline = PendingDeadline(milestone: try row.decodeRaw(column: "milestone", as: Milestone.self),
                                           dueAt: try row.decode(column: "due_at", as: Date.self))
            let caseID = try row.decode(column: "case_id", as: UUID.self)
            if first[caseID].map({ deadline.dueAt < $0.dueAt }) ?? true { first[caseID] = deadline }
        }
        return first
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
            let claimed = try await db.sql.raw("""
                UPDATE case_milestones SET breach_recorded_at = \(bind: now)
                WHERE id = \(bind: id) AND breach_recorded_at IS NULL AND met_at IS NULL RETURNING id
                """).all()
            guard claimed.count == 1 else { return false }
            guard let asbCase = try await ASBCase.find(milestone.$asbCase.id, on: db) else { return false }
            try await BreachScanner.recordEvents(for: milestone, of: asbCase, now: now, on: db)
            let outbox = Outbox(env: env, db: db)
            try await outbox.toStaff(.milestoneBreached, try await outbox.caseStaff(asbCase), about: asbCase, dedupe: id.text, now: now) {
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
