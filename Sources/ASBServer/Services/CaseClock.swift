import ASBCore
import Fluent
import SQLKit
import Foundation

/// Keeps each case's service deadlines (SS-RT-2..4) in step with its priority, and records
/// when milestones are met. All deadlines run from the first report's receipt.
struct CaseClock {
    let db: any Database
    let requestID: String?

    /// Sets the case's priority and recomputes its deadlines from the first receipt with
    /// `calendar`. Milestones already met stay met; pending ones that the new priority does not
    /// have are dropped. Returns a sentence for the timeline when anything changed.
    @discardableResult
    func apply(priority: Priority, source: PrioritySource, to asbCase: ASBCase, calendar: WorkingCalendar,
               now: Date, actor: Actor) async throws -> String? {
        let caseID = try asbCase.requireID()
        let existing = try await CaseMilestone.query(on: db).filter(\.$asbCase.$id == caseID).all()
        let change = Self.reconcile(priority: priority, source: source, of: asbCase, existing: existing, calendar: calendar, now: now)
        for row in change.saved { try await row.save(on: db) }
        for row in change.deleted { try await row.delete(on: db) }
        return change.summary
    }

    /// What `apply` changes, without the database: the case's priority and source are set; the
    /// rows to save (new or changed milestones), the rows to delete, and the timeline sentence.
    static func reconcile(priority: Priority, source: PrioritySource, of asbCase: ASBCase, existing: [CaseMilestone],
                          calendar: WorkingCalendar, now: Date) -> (saved: [CaseMilestone], deleted: [CaseMilestone], summary: String?) {
        let previous = asbCase.priority
        asbCase.priority = priority
        asbCase.prioritySource = source
        let schedule = ServiceClock.deadlines(receivedAt: asbCase.receivedAt, priority: priority, calendar: calendar)
        var changed: [String] = []
        var saved: [CaseMilestone] = []
        for deadline in schedule {
            let found = existing.first { $0.milestone == deadline.milestone }
            if let found, found.dueAt == deadline.dueAt, found.priority == priority { continue }
            let row = found ?? CaseMilestone()
            if found == nil {
                row.id = OrderedID.next(at: now)
                row.$asbCase.id = asbCase.id!
                row.milestone = deadline.milestone
                row.caseClosedAt = asbCase.closedAt
                row.createdAt = now
            } else if row.dueAt != deadline.dueAt {
                // A new due time is a new promise: a breach of the old one is not this one's.
                row.breachRecordedAt = nil
            }
            row.priority = priority
            row.rule = deadline.rule.storageValue
            row.explanation = deadline.explanation
            row.dueAt = deadline.dueAt
            saved.append(row)
            changed.append("\(deadline.milestone.displayName) due \(Self.describe(deadline.dueAt))")
        }
        let scheduled = Set(schedule.map(\.milestone))
        var deleted: [CaseMilestone] = []
        // In the milestones' own order, not the order the database returned the rows in (which
        // PostgreSQL does not keep): the sentence is the same however the rows were read.
        let order = Dictionary(uniqueKeysWithValues: Milestone.allCases.enumerated().map { ($1, $0) })
        for row in existing.sorted(by: { order[$0.milestone, default: 0] < order[$1.milestone, default: 0] })
        where !scheduled.contains(row.milestone) && row.metAt == nil {
            deleted.append(row)
            changed.append("\(row.milestone.displayName) no longer due")
        }
        guard previous != priority || !changed.isEmpty else { return (saved, deleted, nil) }
        let from = previous.map { "priority \($0.rawValue)" } ?? "no priority"
        return (saved, deleted,
                "\(from.capitalisedFirst) → priority \(priority.rawValue) (\(source.rawValue)): " + changed.joined(separator: "; "))
    }

    /// Copies a case's closure time to its milestones (nil when it reopens): the queues of pending
    /// deadlines leave closed cases out through an index.
    static func caseClosed(_ caseID: UUID, at closedAt: Date?, on db: any Database) async throws {
        try await CaseMilestone.query(on: db).filter(\.$asbCase.$id == caseID).set(\.$caseClosedAt, to: closedAt).update()
    }

    /// The case's deadlines, earliest first.
    func deadlines(of caseID: UUID) async throws -> [CaseMilestone] {
        try await CaseMilestone.stored("WHERE case_id = \(bind: caseID) ORDER BY due_at LIMIT 20", on: db)
    }

    /// Records that a milestone was met at `metAt`. Refused when the case's schedule has no such
    /// milestone, or it is already met.
    func recordMet(_ milestone: Milestone, at metAt: Date, note: String?, on asbCase: ASBCase, by actor: Actor,
                   calendar: WorkingCalendar, now: Date) async throws -> CaseMilestone {
        let caseID = try asbCase.requireID()
        guard let row = try await CaseMilestone.query(on: db).filter(\.$asbCase.$id == caseID)
            .filter(\.$milestone == milestone).first()
        else {
            throw RuleViolation(code: "milestone.notScheduled", clause: ServiceClock.clause(for: asbCase.priority ?? .p3),
                                reason: "This case has no \(milestone.displayName.lowercased()) deadline at priority \(asbCase.priority?.rawValue ?? 3).")
        }
        if let met = row.metAt {
            throw RuleViolation(code: "milestone.alreadyMet", clause: nil,
                                reason: "\(milestone.displayName) was already recorded at \(Self.describe(met)).")
        }
        let rows = try Self.met(row, at: metAt, note: note, of: asbCase, by: actor, calendar: calendar, now: now, requestID: requestID)
        try await row.save(on: db)
        for event in rows.events { try await event.create(on: db) }
        for entry in rows.audit { try await entry.create(on: db) }
        return row
    }

    /// Marks `row` met at `metAt` (unsaved), with the working time it took, and gives the timeline
    /// and audit entries that go with it: a breach first when it was met late and no breach was
    /// recorded yet.
    static func met(_ row: CaseMilestone, at metAt: Date, note: String?, of asbCase: ASBCase, by actor: Actor,
                    calendar: WorkingCalendar, now: Date, requestID: String?) throws -> (events: [CaseEvent], audit: [AuditEvent]) {
        let caseID = try asbCase.requireID()
        let milestone = row.milestone
        row.metAt = metAt
        row.elapsed = DeadlineRule(storageValue: row.rule)
            .map { ServiceClock.elapsed(from: asbCase.receivedAt, to: metAt, rule: $0, calendar: calendar) }
        row.$metBy.id = actor.userID
        row.metNote = note
        let state = row.state(now: now)
        var events: [CaseEvent] = []
        var audit: [AuditEvent] = []
        if state == .breached && row.breachRecordedAt == nil {
            row.breachRecordedAt = now
            let breach = try BreachScanner.events(for: row, of: asbCase, now: now)
            events.append(breach.event)
            audit.append(breach.audit)
        }
        events.append(CaseEvent(caseID: caseID, at: now, kind: .milestoneMet,
                                summary: "\(milestone.displayName) recorded for \(Self.describe(metAt))"
                                    + (state == .breached ? ", after it was due (\(Self.describe(row.dueAt)))" : ", on time"),
                                actorID: actor.userID))
        audit.append(try AuditLog.event(.milestoneMet, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                        changes: ["milestone": milestone.rawValue, "state": state.rawValue],
                                        at: now, requestID: requestID))
        return (events, audit)
    }

    /// A due time as people say it: `end of Wed 9 Dec 2026` for a deadline at midnight (the end of
    /// the Nth working day), otherwise `Tue 24 Nov 2026 10:15 GMT`.
    static func describeDue(_ date: Date) -> String {
        let local = LondonTime.localDateTime(for: date)
        guard local.secondsIntoDay == 0 else { return describe(date) }
        let day = local.date.adding(days: -1)
        return "end of \(day.weekday.shortName) \(day.day) \(monthNames[day.month - 1]) \(day.year)"
    }

    /// `Tue 24 Nov 2026 10:15 GMT`, in UK time.
    static func describe(_ date: Date) -> String {
        let local = LondonTime.localDateTime(for: date)
        let time = (local.hour < 10 ? "0" : "") + String(local.hour) + ":" + (local.minute < 10 ? "0" : "") + String(local.minute)
        return "\(local.date.weekday.shortName) \(local.date.day) \(monthNames[local.date.month - 1]) \(local.date.year) \(time) \(LondonTime.abbreviation(at: date))"
    }

    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

extension String {
    var capitalisedFirst: String { prefix(1).uppercased() + dropFirst() }
}
