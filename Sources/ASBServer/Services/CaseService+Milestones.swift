import ASBCore
import Fluent
import Foundation

extension CaseService {
    /// Records a service milestone as met (SS-RT-2..4). Intake may record an acknowledgement;
    /// the response and the investigation start are casework for the allocated officer or a team leader.
    func recordMilestone(_ milestone: Milestone, on reference: String, metAt rawMetAt: Date?, note rawNote: String?,
                         by actor: Actor) async throws -> [CaseMilestone] {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role.may(.recordReport) else { throw AppError.forbidden() }
        let asbCase = try await findReadable(reference, by: actor)
        if milestone != .acknowledgement {
            guard CaseAccess.canUpdate(role: user.role, relation: try await relation(of: asbCase, to: user),
                                       caseIsAllocated: asbCase.$allocatedOfficer.id != nil)
            else { throw AppError.forbidden("Only the allocated officer or a team leader records this milestone.") }
        }
        let now = env.clock.now()
        let metAt = rawMetAt ?? now
        var errors: [FieldError] = []
        if metAt > now.addingTimeInterval(60) { errors.append(FieldError("metAt", "This cannot be in the future.")) }
        if metAt < asbCase.receivedAt { errors.append(FieldError("metAt", "This cannot be before the case was reported.")) }
        if let rawNote, rawNote.count > 2000 { errors.append(FieldError("note", "Keep the note to 2,000 characters.")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let note = rawNote?.trimmingWhitespace()
        let calendar = try await CalendarService(app: app, db: db, requestID: requestID).calendar()
        try await env.writes.run(on: db) { db in
            _ = try await CaseClock(db: db, requestID: requestID)
                .recordMet(milestone, at: metAt, note: (note ?? "").isEmpty ? nil : note, on: asbCase, by: actor,
                           calendar: calendar, now: now)
        }
        return try await CaseClock(db: db, requestID: requestID).deadlines(of: try asbCase.requireID())
    }
}
