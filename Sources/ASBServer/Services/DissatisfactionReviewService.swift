import ASBCore
import Fluent
import Foundation
import Vapor

/// Dissatisfaction reviews (SS-MON-3): opened when a survey is answered 1 or 2 overall; a team
/// leader records findings and improvement actions with owners and due dates, and closes the
/// review once every action is done.
struct DissatisfactionReviewService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    static let actionsNotDone = RuleViolation(code: "dissatisfaction.actionsOpen", clause: "SS-MON-3",
                                              reason: "A dissatisfaction review closes only when it has findings and every improvement action is done.")

    /// Opens the review of an unhappy survey, inside the survey's transaction.
    static func open(for survey: SatisfactionSurvey, now: Date, on db: any Database) async throws {
        let review = DissatisfactionReview()
        review.id = OrderedID.next(at: now)
        review.$survey.id = try survey.requireID()
        review.$asbCase.id = survey.$asbCase.id
        review.status = "open"
        review.createdAt = now
        try await review.create(on: db)
    }

    private func teamLeader(_ actor: Actor) throws -> User {
        guard let user = actor.user, user.role == .teamLeader else { throw AppError.forbidden("Dissatisfaction reviews are for team leaders.") }
        return user
    }

    func list(by actor: Actor) async throws -> [DissatisfactionReview] {
        _ = try teamLeader(actor)
        return try await DissatisfactionReview.query(on: db).with(\.$asbCase).with(\.$survey).with(\.$actions) { $0.with(\.$owner) }
            .sort(\.$status, .descending).sort(\.$createdAt).limit(200).all()
    }

    func find(_ id: UUID, by actor: Actor) async throws -> DissatisfactionReview {
        _ = try teamLeader(actor)
        guard let review = try await DissatisfactionReview.query(on: db).filter(\.$id == id).with(\.$asbCase).with(\.$survey)
            .with(\.$actions, { $0.with(\.$owner) }).first() else { throw AppError.notFound("There is no such review.") }
        return review
    }

    struct NewAction {
        var what: String
        var ownerID: UUID?
        var dueOn: String?
    }

    /// Records the findings and adds improvement actions.
    func record(_ id: UUID, findings: String?, actions: [NewAction], by actor: Actor) async throws {
        let user = try teamLeader(actor)
        let review = try await find(id, by: actor)
        guard review.status == "open" else { throw AppError.duplicate("This review is closed.") }
        var errors: [FieldError] = []
        let text = findings?.trimmingWhitespace() ?? review.findings ?? ""
        if text.isEmpty { errors.append(FieldError("findings", "Write what the review found.")) }
        var valid: [(String, UUID, LocalDate)] = []
        for (index, action) in actions.enumerated() {
            let what = action.what.trimmingWhitespace()
            guard !what.isEmpty else { continue }
            var owner: UUID?
            if let id = action.ownerID, try await User.find(id, on: db)?.active == true { owner = id } else {
                errors.append(FieldError("actions.\(index).ownerId", "Choose who owns this action."))
            }
            let due = action.dueOn.flatMap(LocalDate.init(iso:))
            if due == nil { errors.append(FieldError("actions.\(index).dueOn", "Give the date it is due.")) }
            if let owner, let due { valid.append((what, owner, due)) }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let now = env.clock.now()
        let added = valid
        try await env.writes.run(on: db) { db in
            review.findings = text
            try await review.save(on: db)
            for (what, owner, due) in added {
                let action = DissatisfactionAction()
                action.id = OrderedID.next(at: now)
                action.$review.id = try review.requireID()
                action.what = what
                action.$owner.id = owner
                action.dueOn = due.description
                try await action.create(on: db)
            }
            try await AuditLog.record(.dissatisfactionReviewUpdated, by: .staff(user), entityType: "case", entityID: review.asbCase.reference,
                                      caseID: review.$asbCase.id, changes: ["actions": String(added.count)], at: now,
                                      requestID: requestID, on: db)
        }
    }

    func markDone(_ actionID: UUID, in id: UUID, by actor: Actor) async throws {
        _ = try teamLeader(actor)
        let review = try await find(id, by: actor)
        guard let action = review.actions.first(where: { $0.id == actionID }) else { throw AppError.notFound("There is no such action.") }
        action.doneOn = LondonTime.localDateTime(for: env.clock.now()).date.description
        try await action.save(on: db)
    }

    /// Closes the review: refused until it has findings and every action is done.
    func close(_ id: UUID, by actor: Actor) async throws {
        let user = try teamLeader(actor)
        let review = try await find(id, by: actor)
        guard review.status == "open" else { return }
        guard review.findings != nil, review.actions.allSatisfy({ $0.doneOn != nil }) else { throw Self.actionsNotDone }
        let now = env.clock.now()
        review.status = "closed"
        review.closedAt = now
        review.$closedBy.id = user.id
        try await env.writes.run(on: db) { db in
            try await review.save(on: db)
            try await CaseEvent(caseID: review.$asbCase.id, at: now, kind: .surveyAnswered,
                                summary: "Dissatisfaction review closed: \(review.actions.count) improvement action\(review.actions.count == 1 ? "" : "s") done",
                                actorID: user.id).create(on: db)
        }
    }
}
