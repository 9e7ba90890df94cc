import ASBCore
import Fluent
import SQLKit
import Foundation
import Vapor

/// The case's action plan, agreed with the reporter with joint responsibilities (SS-NXT-2).
/// Each agreement is a new revision; the earlier ones stay as history. Adherence counts the
/// reporter's actions not done by their due date (the evidence for SS-CLS-1's third reason).
struct ActionPlanService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    struct View {
        var current: ActionPlan?
        var revisions: [ActionPlan]
        var adherence: Adherence
        var today: LocalDate
    }

    struct NewAction {
        var what: String
        var owner: ActionOwnerKind
        var ownerUserID: UUID?
        var ownerAgencyID: UUID?
        var ownerPartyID: UUID?
        var dueOn: String?
        var status: ActionStatus?
        var completedOn: String?
        var completionNote: String?
    }

    func view(of reference: String, by actor: Actor) async throws -> View {
        try await view(of: CaseService(app: app, db: db, requestID: requestID).readable(reference, by: actor))
    }

    func view(of readable: ReadableCase) async throws -> View {
        let user = readable.user
        let caseID = try readable.asbCase.requireID()
        if user.role == .partner {
            let referrals = try await ReferralService.liveReferrals(of: caseID, for: user, on: db)
            guard ReferralRules.visibleFields(for: referrals.map { Set($0.sharedFields) }).contains(.actionPlan) else {
                throw AppError.forbidden("The action plan is not shared with your agency.")
            }
        }
        return try await load(caseID)
    }

    func load(_ caseID: UUID) async throws -> View {
        let plans = try await ActionPlan.stored("WHERE case_id = \(bind: caseID) ORDER BY revision DESC LIMIT 50", on: db)
        let allActions = try await plans.loadChildren(\.$actions, orderBy: "position", on: db)
        try await allActions.loadParents(\.$ownerUser, on: db)
        try await allActions.loadParents(\.$ownerAgency, on: db)
        try await allActions.loadParents(\.$ownerParty, on: db)
        try await plans.loadParents(\.$createdBy, on: db)
        let current = plans.first { $0.current }
        let today = LondonTime.localDateTime(for: env.clock.now()).date
        let actions = (current?.actions ?? []).sorted { $0.position < $1.position }
        return View(current: current, revisions: plans, adherence: ActionPlanRules.adherence(of: actions.map(\.planned), today: today),
                    today: today)
    }

    /// Records a new agreement: its actions replace the current plan's, which stays as a revision.
    func agree(on reference: String, agreedOn rawAgreedOn: String?, howAgreed: ContactChannel, notes: String?,
               actions: [NewAction], by actor: Actor) async throws -> View {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        try CaseLifecycle.checkCasework(.agreeActionPlan, on: asbCase.status)
        let caseID = try asbCase.requireID()
        let now = env.clock.now()
        let today = LondonTime.localDateTime(for: now).date
        var errors: [FieldError] = []
        var agreedOn = today
        if let rawAgreedOn {
            if let date = LocalDate(iso: rawAgreedOn), date <= today { agreedOn = date } else {
                errors.append(FieldError("agreedOn", "Enter the date it was agreed, not in the future, as YYYY-MM-DD."))
            }
        }
        if actions.isEmpty { errors.append(FieldError("actions", "A plan needs at least one action.")) }
        errors += try await validate(actions, agreedOn: agreedOn, caseID: caseID)
        guard errors.isEmpty else { throw ValidationFailure(errors) }

        let agreed = agreedOn
        try await env.writes.run(on: db) { db in
            let last = try await ActionPlan.query(on: db).filter(\.$asbCase.$id == caseID).sort(\.$revision, .descending).first()
            try await ActionPlan.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$current == true)
                .set(\.$current, to: false).update()
            let plan = ActionPlan()
            plan.id = OrderedID.next(at: now)
            plan.$asbCase.id = caseID
            plan.revision = (last?.revision ?? 0) + 1
            plan.agreedOn = agreed.description
            plan.howAgreed = howAgreed
            let trimmedNotes = notes?.trimmingWhitespace()
            plan.notes = (trimmedNotes ?? "").isEmpty ? nil : trimmedNotes
            plan.current = true
            plan.$createdBy.id = user.id
            plan.createdAt = now
            try await plan.create(on: db)
            try await Self.insert(actions, into: plan.requireID(), from: 0, now: now, on: db)
            let reporterActions = actions.filter { $0.owner == .reporter }.count
            try await CaseEvent(caseID: caseID, at: now, kind: .actionPlanAgreed,
                                summary: "Action plan \(plan.revision == 1 ? "agreed" : "revised (revision \(plan.revision))") by \(howAgreed.rawValue) on \(agreed): \(actions.count) actions, \(reporterActions) for the reporter",
                                actorID: user.id).create(on: db)
            try await AuditLog.record(.actionPlanAgreed, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["revision": String(plan.revision), "actions": String(actions.count)],
                                      at: now, requestID: requestID, on: db)
            func listed(_ owners: Set<ActionOwnerKind>) -> [MessageFacts.Action] {
                actions.filter { owners.contains($0.owner) && $0.status != .cancelled }.map {
                    MessageFacts.Action(what: $0.what, dueOn: $0.dueOn.flatMap(LocalDate.init(iso:))?.longDescription)
                }
            }
            try await Outbox(env: env, db: db).toReporter(.actionPlanAgreed, of: asbCase, dedupe: "\(caseID):\(plan.revision)", now: now) {
                $0.reporterActions = listed([.reporter])
                $0.landlordActions = listed([.landlord, .partnerAgency])
            }
        }
        return try await load(caseID)
    }

    /// Adds actions agreed elsewhere (a case review meeting) to the current plan, or starts a plan
    /// with them when there is none. Only the new actions are checked.
    func append(_ actions: [NewAction], to caseID: UUID, agreedOn: LocalDate, howAgreed: ContactChannel, note: String,
                by actor: Actor, on db: any Database) async throws {
        let now = env.clock.now()
        if let current = try await ActionPlan.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$current == true).first() {
            let count = try await PlanAction.query(on: db).filter(\.$plan.$id == current.requireID()).count()
            try await Self.insert(actions, into: current.requireID(), from: count, now: now, on: db)
        } else {
            let plan = ActionPlan()
            plan.id = OrderedID.next(at: now)
            plan.$asbCase.id = caseID
            plan.revision = 1
            plan.agreedOn = agreedOn.description
            plan.howAgreed = howAgreed
            plan.notes = note
            plan.current = true
            plan.$createdBy.id = actor.userID
            plan.createdAt = now
            try await plan.create(on: db)
            try await Self.insert(actions, into: plan.requireID(), from: 0, now: now, on: db)
        }
    }

    /// Every problem with a list of new actions, named `actions.<index>.<field>`.
    func validate(_ actions: [NewAction], agreedOn: LocalDate, caseID: UUID) async throws -> [FieldError] {
        var errors: [FieldError] = []
        if actions.count > 100 { errors.append(FieldError("actions", "Keep a plan to 100 actions.")) }
        let partyIDs = Set(try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).all().map { $0.$party.id })
        for (index, action) in actions.enumerated() {
            let due = action.dueOn.flatMap { LocalDate(iso: $0) }
            if action.dueOn != nil && due == nil { errors.append(FieldError("actions.\(index).dueOn", "Enter the date as YYYY-MM-DD.")) }
            errors += ActionPlanRules.validate(what: action.what, owner: action.owner, dueOn: due, agreedOn: agreedOn)
                .map { FieldError("actions.\(index).\($0.field)", $0.message) }
            switch action.owner {
            case .landlord:
                if let id = action.ownerUserID {
                    let officer = try await User.find(id, on: db)
                    if officer?.active != true || ![Role.officer, .teamLeader].contains(officer?.role) {
                        errors.append(FieldError("actions.\(index).ownerUserId", "Choose an active officer or team leader."))
                    }
                }
            case .partnerAgency:
                if try await action.ownerAgencyID.asyncMap({ try await PartnerAgency.find($0, on: db) }) == nil {
                    errors.append(FieldError("actions.\(index).ownerAgencyId", "Choose the agency from the directory."))
                }
            case .otherParty:
                if action.ownerPartyID.map({ !partyIDs.contains($0) }) ?? true {
                    errors.append(FieldError("actions.\(index).ownerPartyId", "Choose someone on the case."))
                }
            case .reporter:
                break
            }
            if let completed = action.completedOn, LocalDate(iso: completed) == nil {
                errors.append(FieldError("actions.\(index).completedOn", "Enter the date as YYYY-MM-DD."))
            }
        }
        return errors
    }

    static func insert(_ actions: [NewAction], into planID: UUID, from start: Int, now: Date, on db: any Database) async throws {
        for (offset, new) in actions.enumerated() {
            let action = PlanAction()
            action.id = OrderedID.next(at: now)
            action.$plan.id = planID
            action.position = start + offset
            action.what = new.what.trimmingWhitespace()
            action.owner = new.owner
            action.$ownerUser.id = new.owner == .landlord ? new.ownerUserID : nil
            action.$ownerAgency.id = new.owner == .partnerAgency ? new.ownerAgencyID : nil
            action.$ownerParty.id = new.owner == .otherParty ? new.ownerPartyID : nil
            action.dueOn = new.dueOn
            action.status = new.status ?? .open
            action.completedOn = new.completedOn
            action.completionNote = new.completionNote
            action.updatedAt = now
            try await action.create(on: db)
        }
    }

    /// Moves an action of the current plan on (done, not done, cancelled), by the rules.
    func update(on reference: String, action actionID: UUID, status: ActionStatus, completedOn rawCompletedOn: String?,
                note: String?, by actor: Actor) async throws -> View {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        try CaseLifecycle.checkCasework(.updateAction, on: asbCase.status)
        let caseID = try asbCase.requireID()
        guard let action = try await PlanAction.query(on: db).filter(\.$id == actionID).with(\.$plan).first(),
              action.plan.$asbCase.id == caseID, action.plan.current
        else { throw AppError.notFound("No such action in the current plan.") }
        try ActionPlanRules.transition(from: action.status, to: status)
        let now = env.clock.now()
        let today = LondonTime.localDateTime(for: now).date
        var completedOn: LocalDate?
        if status == .done {
            completedOn = today
            if let rawCompletedOn {
                guard let date = LocalDate(iso: rawCompletedOn) else {
                    throw ValidationFailure([FieldError("completedOn", "Enter the date as YYYY-MM-DD.")])
                }
                completedOn = date
            }
            let errors = ActionPlanRules.validateCompletion(completedOn: completedOn!, agreedOn: LocalDate(iso: action.plan.agreedOn) ?? today,
                                                            today: today)
            guard errors.isEmpty else { throw ValidationFailure(errors) }
        }
        let trimmed = note?.trimmingWhitespace()
        if let trimmed, trimmed.count > 2000 { throw ValidationFailure([FieldError("note", "Keep the note to 2,000 characters.")]) }
        let from = action.status
        let completed = completedOn
        try await env.writes.run(on: db) { db in
            action.status = status
            action.completedOn = completed?.description ?? action.completedOn
            if let trimmed, !trimmed.isEmpty { action.completionNote = trimmed }
            action.updatedAt = now
            try await action.save(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .actionUpdated,
                                summary: "Action (\(action.owner.displayName.lowercased())) \(from.rawValue) → \(status.rawValue): \(action.what.prefix(80))",
                                actorID: user.id).create(on: db)
            try await AuditLog.record(.actionUpdated, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["actionId": actionID.text, "status": status.rawValue],
                                      at: now, requestID: requestID, on: db)
        }
        return try await load(caseID)
    }

}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
