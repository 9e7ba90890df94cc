import ASBCore
import Fluent
import Foundation
import Vapor

/// Complaints and compliments (SS-MON-5): recorded from the website by anyone, or by staff from
/// any channel; complaints acknowledged, investigated and closed with an outcome and improvement
/// actions; compliments passed to the officer they name.
struct FeedbackService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    func record(_ raw: FeedbackDraft, channel: ReportChannel, receivedAt: Date? = nil, by actor: Actor) async throws -> Feedback {
        if actor.user == nil, channel != .web { throw AppError.forbidden("Only staff record feedback from other channels.") }
        if let user = actor.user, !user.role.may(.recordReport) { throw AppError.forbidden() }
        let draft = try FeedbackRules.validate(raw)
        let now = env.clock.now()
        var caseID: UUID?
        if let reference = draft.caseReference {
            guard let found = try await ASBCase.query(on: db).filter(\.$reference == reference).first() else {
                throw ValidationFailure([FieldError("caseReference", "There is no case with that reference. Check it, or leave it empty.")])
            }
            caseID = found.id
        }
        let feedback = Feedback()
        feedback.id = OrderedID.next(at: now)
        feedback.kind = draft.kind ?? .complaint
        feedback.channel = channel
        feedback.$asbCase.id = caseID
        feedback.receivedAt = min(receivedAt ?? now, now)
        feedback.name = draft.name
        feedback.email = draft.email
        feedback.phone = draft.phone
        feedback.text = draft.text
        feedback.officerName = draft.officerName
        feedback.status = .received
        feedback.$recordedBy.id = actor.userID
        try await env.writes.run(on: db) { db in
            try await feedback.create(on: db)
            try await AuditLog.record(.feedbackRecorded, by: actor, entityType: "feedback", entityID: feedback.shortReference,
                                      caseID: feedback.$asbCase.id, changes: ["kind": feedback.kind.rawValue, "channel": channel.rawValue],
                                      at: now, requestID: requestID, on: db)
        }
        return feedback
    }

    func list(open: Bool, by actor: Actor) async throws -> [Feedback] {
        guard let user = actor.user, user.role.may(.updateCase) else { throw AppError.forbidden() }
        let query = Feedback.query(on: db).with(\.$asbCase).with(\.$investigator)
        if open { query.filter(\.$status != .closed) } else { query.filter(\.$status == .closed) }
        return try await query.sort(\.$receivedAt).limit(200).all()
    }

    func find(_ id: UUID, by actor: Actor) async throws -> Feedback {
        guard let user = actor.user, user.role.may(.updateCase) else { throw AppError.forbidden() }
        guard let feedback = try await Feedback.query(on: db).filter(\.$id == id).with(\.$asbCase).with(\.$investigator).first() else {
            throw AppError.notFound("There is no such complaint or compliment.")
        }
        return feedback
    }

    /// `find` for showing it to someone: the read is audited (it holds the person's name, contact
    /// details and words).
    func read(_ id: UUID, by actor: Actor) async throws -> Feedback {
        let feedback = try await find(id, by: actor)
        try await AuditLog.recordRead(.feedbackRead, by: actor, entityType: "feedback", entityID: feedback.shortReference,
                                      caseID: feedback.$asbCase.id, at: env.clock.now(), requestID: requestID, env: env, on: db)
        return feedback
    }

    struct Step {
        var to: FeedbackStatus
        var investigatorID: UUID?
        var outcome: FeedbackOutcome?
        var improvementActions: String?
    }

    /// Moves a complaint on (acknowledged, investigating, closed with an outcome) or closes a
    /// compliment once passed on. Team leaders only.
    func advance(_ id: UUID, _ step: Step, by actor: Actor) async throws -> Feedback {
        guard let user = actor.user, user.role == .teamLeader else { throw AppError.forbidden("Only a team leader handles complaints and compliments.") }
        let feedback = try await find(id, by: actor)
        guard FeedbackRules.canMove(feedback.kind, from: feedback.status, to: step.to) else {
            throw RuleViolation.feedbackStep(kind: feedback.kind.displayName.lowercased(), from: feedback.status.displayName.lowercased(),
                                             to: step.to.displayName.lowercased())
        }
        var errors: [FieldError] = []
        if step.to == .investigating, step.investigatorID == nil { errors.append(FieldError("investigatorId", "Choose who investigates.")) }
        if step.to == .closed, feedback.kind == .complaint {
            if step.outcome == nil { errors.append(FieldError("outcome", "Choose the outcome.")) }
            if step.outcome != .notUpheld, (step.improvementActions ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                errors.append(FieldError("improvementActions", "Say what will change because of this complaint."))
            }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let now = env.clock.now()
        feedback.status = step.to
        switch step.to {
        case .acknowledged: feedback.acknowledgedAt = now
        case .investigating: feedback.$investigator.id = step.investigatorID
        case .closed:
            feedback.closedAt = now
            feedback.outcome = feedback.kind == .complaint ? step.outcome : nil
            feedback.improvementActions = step.improvementActions?.trimmingWhitespace()
        case .received: break
        }
        try await env.writes.run(on: db) { db in
            try await feedback.save(on: db)
            try await AuditLog.record(.feedbackUpdated, by: actor, entityType: "feedback", entityID: feedback.shortReference,
                                      caseID: feedback.$asbCase.id, changes: ["status": step.to.rawValue], at: now,
                                      requestID: requestID, on: db)
        }
        return feedback
    }
}
