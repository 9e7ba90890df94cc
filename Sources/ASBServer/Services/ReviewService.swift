import ASBCore
import Fluent
import SQLKit
import Foundation
import Vapor

/// Case review meetings at any point of a case (SS-PRG-4). A meeting's actions join the action
/// plan; its next review date schedules the next meeting.
struct ReviewService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    func list(of reference: String, by actor: Actor) async throws -> [ReviewMeeting] {
        try await list(of: CaseService(app: app, db: db, requestID: requestID).readable(reference, by: actor))
    }

    func list(of readable: ReadableCase) async throws -> [ReviewMeeting] {
        try readable.requireLandlordStaff()
        let asbCase = readable.asbCase
        let meetings = try await ReviewMeeting.stored(
            "WHERE case_id = \(bind: asbCase.requireID()) ORDER BY scheduled_for DESC, id DESC LIMIT 100", on: db)
        try await meetings.loadParents(\.$createdBy, on: db)
        return meetings
    }

    func schedule(on reference: String, for rawDate: String, attendees: [String], agencyIDs: [UUID],
                  by actor: Actor) async throws -> [ReviewMeeting] {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        try CaseLifecycle.checkCasework(.scheduleReview, on: asbCase.status)
        var errors: [FieldError] = []
        let date = LocalDate(iso: rawDate)
        if date == nil { errors.append(FieldError("scheduledFor", "Enter the date as YYYY-MM-DD.")) }
        errors += try await validate(attendees: attendees, agencyIDs: agencyIDs)
        guard errors.isEmpty, let date else { throw ValidationFailure(errors) }
        let now = env.clock.now()
        let caseID = try asbCase.requireID()
        try await env.writes.run(on: db) { db in
            try await Self.schedule(caseID: caseID, reference: asbCase.reference, on: date, attendees: attendees,
                                    agencyIDs: agencyIDs, user: user, actor: actor, now: now, requestID: requestID, db: db)
        }
        return try await list(of: reference, by: actor)
    }

    struct Record {
        var heldOn: String?
        var attendees: [String]
        var agencyIDs: [UUID]
        var summary: String
        var decisions: String?
        var nextReviewOn: String?
        var actions: [ActionPlanService.NewAction]
    }

    /// Records a scheduled meeting as held: who came, what was said and decided, the actions that
    /// join the plan, and when the case is next reviewed.
    func recordHeld(on reference: String, meeting meetingID: UUID, _ record: Record, by actor: Actor) async throws -> [ReviewMeeting] {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        let caseID = try asbCase.requireID()
        guard let meeting = try await ReviewMeeting.query(on: db).filter(\.$id == meetingID).filter(\.$asbCase.$id == caseID).first()
        else { throw AppError.notFound("No such review meeting on this case.") }
        guard meeting.status == .scheduled else {
            throw RuleViolation(code: "review.notScheduled", clause: "SS-PRG-4", reason: "This meeting is already \(meeting.status.rawValue).")
        }
        let now = env.clock.now()
        let today = LondonTime.localDateTime(for: now).date
        var errors: [FieldError] = []
        var heldOn = today
        if let raw = record.heldOn {
            if let date = LocalDate(iso: raw), date <= today { heldOn = date } else {
                errors.append(FieldError("heldOn", "Enter the date it was held, not in the future, as YYYY-MM-DD."))
            }
        }
        var next: LocalDate?
        if let raw = record.nextReviewOn {
            if let date = LocalDate(iso: raw), date > heldOn { next = date } else {
                errors.append(FieldError("nextReviewOn", "The next review is a date after this meeting, as YYYY-MM-DD."))
            }
        }
        let summary = record.summary.trimmingWhitespace()
        if summary.isEmpty || summary.count > 5000 { errors.append(FieldError("summary", "Summarise the meeting (up to 5,000 characters).")) }
        if (record.decisions?.count ?? 0) > 5000 { errors.append(FieldError("decisions", "Keep the decisions to 5,000 characters.")) }
        if record.attendees.isEmpty && record.agencyIDs.isEmpty { errors.append(FieldError("attendees", "Say who attended.")) }
        errors += try await validate(attendees: record.attendees, agencyIDs: record.agencyIDs)
        let plans = ActionPlanService(app: app, db: db, requestID: requestID)
        errors += try await plans.validate(record.actions, agreedOn: heldOn, caseID: caseID)
        guard errors.isEmpty else { throw ValidationFailure(errors) }

        let nextDate = next
        let held = heldOn
        try await env.writes.run(on: db) { db in
            // Actions decided at the meeting join the action plan (SS-NXT-2).
            if !record.actions.isEmpty {
                try await ActionPlanService(app: app, db: db, requestID: requestID)
                    .append(record.actions, to: caseID, agreedOn: held, howAgreed: .meeting,
                            note: "Actions from the case review meeting of \(held).", by: actor, on: db)
            }
            meeting.status = .held
            meeting.heldOn = held.description
            meeting.attendees = record.attendees.map { $0.trimmingWhitespace() }
            meeting.agencyIDs = record.agencyIDs.map(\.text)
            meeting.summary = summary
            meeting.decisions = record.decisions?.trimmingWhitespace()
            meeting.nextReviewOn = nextDate?.description
            meeting.updatedAt = now
            try await meeting.save(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .reviewHeld,
                                summary: "Case review meeting held on \(held)" + (record.actions.isEmpty ? "" : "; \(record.actions.count) actions added to the plan") + (nextDate.map { "; next review \($0)" } ?? ""),
                                actorID: user.id).create(on: db)
            try await AuditLog.record(.reviewHeld, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["meetingId": meetingID.text, "actions": String(record.actions.count)],
                                      at: now, requestID: requestID, on: db)
            if let nextDate {
                try await Self.schedule(caseID: caseID, reference: asbCase.reference, on: nextDate, attendees: meeting.attendees,
                                        agencyIDs: record.agencyIDs, user: user, actor: actor, now: now, requestID: requestID, db: db)
            }
        }
        return try await list(of: reference, by: actor)
    }

    private static func schedule(caseID: UUID, reference: String, on date: LocalDate, attendees: [String], agencyIDs: [UUID],
                                 user: User, actor: Actor, now: Date, requestID: String?, db: any Database) async throws {
        let meeting = ReviewMeeting()
        meeting.id = OrderedID.next(at: now)
        meeting.$asbCase.id = caseID
        meeting.status = .scheduled
        meeting.scheduledFor = date.description
        meeting.attendees = attendees.map { $0.trimmingWhitespace() }
        meeting.agencyIDs = agencyIDs.map(\.text)
        meeting.$createdBy.id = user.id
        meeting.createdAt = now
        meeting.updatedAt = now
        try await meeting.create(on: db)
        try await CaseEvent(caseID: caseID, at: now, kind: .reviewScheduled, summary: "Case review meeting scheduled for \(date)",
                            actorID: user.id).create(on: db)
        try await AuditLog.record(.reviewScheduled, by: actor, entityType: "case", entityID: reference, caseID: caseID,
                                  changes: ["scheduledFor": date.description], at: now, requestID: requestID, on: db)
    }

    private func validate(attendees: [String], agencyIDs: [UUID]) async throws -> [FieldError] {
        var errors: [FieldError] = []
        if attendees.count > 50 || attendees.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty || $0.count > 200 }) {
            errors.append(FieldError("attendees", "List up to 50 attendees, each up to 200 characters."))
        }
        if !agencyIDs.isEmpty {
            let known = try await PartnerAgency.query(on: db).filter(\.$id ~~ agencyIDs).count()
            if known != Set(agencyIDs).count { errors.append(FieldError("agencyIds", "Choose agencies from the directory.")) }
        }
        return errors
    }
}
