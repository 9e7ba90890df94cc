import ASBCore
import Fluent
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
        let previous = asbCase.priority
        asbCase.priority = priority
        asbCase.prioritySource = source

        let existing = try await CaseMilestone.query(on: db).filter(\.$asbCase.$id == caseID).all()
        let schedule = ServiceClock.deadlines(receivedAt: asbCase.receivedAt, priority: priority, calendar: calendar)
        var changed: [String] = []
        for deadline in schedule {
            let row = existing.first { $0.milestone == deadline.milestone } ?? CaseMilestone()
            let isNew = row.id == nil
            if !isNew, row.dueAt == deadline.dueAt, row.priority == priority { continue }
            if isNew {
                row.$asbCase.id = caseID
                row.milestone = deadline.milestone
                row.createdAt = now
            } else if row.dueAt != deadline.dueAt {
                // A new due time is a new promise: a breach of the old one is not this one's.
                row.breachRecordedAt = nil
            }
            row.priority = priority
            row.rule = deadline.rule.storageValue
            row.explanation = deadline.explanation
            row.dueAt = deadline.dueAt
            try await row.save(on: db)
            changed.append("\(deadline.milestone.displayName) due \(Self.describe(deadline.dueAt))")
        }
        let scheduled = Set(schedule.map(\.milestone))
        for row in existing where !scheduled.contains(row.milestone) && row.metAt == nil {
            try await row.delete(on: db)
            changed.append("\(row.milestone.displayName) no longer due")
        }
        guard previous != priority || !changed.isEmpty else { return nil }
        let from = previous.map { "priority \($0.rawValue)" } ?? "no priority"
        return "\(from.capitalisedFirst) → priority \(priority.rawValue) (\(source.rawValue)): " + changed.joined(separator: "; ")
    }

    /// The case's deadlines, earliest first.
    func deadlines(of caseID: UUID) async throws -> [CaseMilestone] {
        try await CaseMilestone.query(on: db).filter(\.$asbCase.$id == caseID).sort(\.$dueAt).limit(20).all()
    }

    /// Records that a milestone was met at `metAt`. Refused when the case's schedule has no such
    /// milestone, or it is already met.
    func recordMet(_ milestone: Milestone, at metAt: Date, note: String?, on asbCase: ASBCase, by actor: Actor,
                   now: Date) async throws -> CaseMilestone {
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
        row.metAt = metAt
        row.$metBy.id = actor.userID
        row.metNote = note
        let state = row.state(now: now)
        let breachUnrecorded = state == .breached && row.breachRecordedAt == nil
        if breachUnrecorded { row.breachRecordedAt = now }
        try await row.save(on: db)
        if breachUnrecorded { try await BreachScanner.recordEvents(for: row, of: asbCase, now: now, on: db) }
        try await CaseEvent(caseID: caseID, at: now, kind: .milestoneMet,
                            summary: "\(milestone.displayName) recorded for \(Self.describe(metAt))"
                                + (state == .breached ? ", after it was due (\(Self.describe(row.dueAt)))" : ", on time"),
                            actorID: actor.userID).create(on: db)
        try await AuditLog.record(.milestoneMet, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                  changes: ["milestone": milestone.rawValue, "state": state.rawValue],
                                  at: now, requestID: requestID, on: db)
        return row
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
        let time = String(format: "%02d:%02d", local.hour, local.minute)
        return "\(local.date.weekday.shortName) \(local.date.day) \(monthNames[local.date.month - 1]) \(local.date.year) \(time) \(LondonTime.abbreviation(at: date))"
    }

    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

extension String {
    var capitalisedFirst: String { prefix(1).uppercased() + dropFirst() }
}
