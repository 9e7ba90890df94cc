import ASBCore
import Fluent
import SQLKit
import Foundation
import Vapor

/// Enforcement and legal action (SS-PRG-5): a legal step only with the reporter's commitment to
/// give witness statements, or a professional witness or hearsay route a team leader approved;
/// and a warning when the person complained about has never been contacted (SS-NXT-4).
struct EnforcementService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    struct View {
        var actions: [EnforcementAction]
        var evidence: [WitnessEvidenceRecord]
    }

    func view(of reference: String, by actor: Actor) async throws -> View {
        try await view(of: CaseService(app: app, db: db, requestID: requestID).readable(reference, by: actor))
    }

    func view(of readable: ReadableCase) async throws -> View {
        try readable.requireLandlordStaff()
        return try await load(readable.asbCase.requireID())
    }

    private func load(_ caseID: UUID) async throws -> View {
        let actions = try await EnforcementAction.stored(
            "WHERE case_id = \(bind: caseID) ORDER BY \"on\" DESC, id DESC LIMIT 200", on: db)
        try await actions.loadParents(\.$against, on: db)
        try await actions.loadParents(\.$recordedBy, on: db)
        let evidence = try await WitnessEvidenceRecord.stored("WHERE case_id = \(bind: caseID) ORDER BY created_at LIMIT 200", on: db)
        try await evidence.loadParents(\.$party, on: db)
        try await evidence.loadParents(\.$approvedBy, on: db)
        try await evidence.loadParents(\.$recordedBy, on: db)
        return View(actions: actions, evidence: evidence)
    }

    // MARK: Witness evidence

    func recordEvidence(on reference: String, kind: WitnessEvidenceKind, partyID: UUID?, witnessName: String?,
                        confirmedOn rawDate: String, howConfirmed: String, by actor: Actor) async throws -> View {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        try CaseLifecycle.checkCasework(.recordWitnessEvidence, on: asbCase.status)
        let caseID = try asbCase.requireID()
        let now = env.clock.now()
        let today = LondonTime.localDateTime(for: now).date
        var errors: [FieldError] = []
        let date = LocalDate(iso: rawDate)
        if date == nil { errors.append(FieldError("confirmedOn", "Enter the date as YYYY-MM-DD.")) }
        if let date { errors += EnforcementRules.validateEvidence(kind: kind, confirmedOn: date, today: today, howConfirmed: howConfirmed) }
        if let partyID, try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$party.$id == partyID).count() == 0 {
            errors.append(FieldError("partyId", "This person is not on the case."))
        }
        let name = witnessName?.trimmingWhitespace()
        if partyID == nil && (name ?? "").isEmpty {
            errors.append(FieldError("witnessName", "Say who the witness is: someone on the case, or a name or role."))
        }
        guard errors.isEmpty, let date else { throw ValidationFailure(errors) }
        try await env.writes.run(on: db) { db in
            let record = WitnessEvidenceRecord()
            record.id = OrderedID.next(at: now)
            record.$asbCase.id = caseID
            record.kind = kind
            record.$party.id = partyID
            record.witnessName = (name ?? "").isEmpty ? nil : name
            record.confirmedOn = date.description
            record.howConfirmed = howConfirmed.trimmingWhitespace()
            record.$recordedBy.id = user.id
            record.createdAt = now
            try await record.create(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .witnessEvidenceRecorded,
                                summary: "\(kind.displayName) recorded (confirmed \(date))"
                                    + (kind.needsTeamLeaderApproval ? "; awaiting a team leader's approval" : ""),
                                actorID: user.id).create(on: db)
            try await AuditLog.record(.witnessEvidence, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["kind": kind.rawValue], at: now, requestID: requestID, on: db)
        }
        return try await load(caseID)
    }

    /// A team leader approves a professional witness or hearsay route.
    func approveEvidence(on reference: String, evidence evidenceID: UUID, by actor: Actor) async throws -> View {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role == .teamLeader else { throw AppError.forbidden("Only a team leader approves a professional witness or hearsay route.") }
        let asbCase = try await CaseService(app: app, db: db, requestID: requestID).findReadable(reference, by: actor)
        try CaseLifecycle.checkCasework(.approveWitnessEvidence, on: asbCase.status)
        let caseID = try asbCase.requireID()
        guard let record = try await WitnessEvidenceRecord.query(on: db).filter(\.$id == evidenceID)
            .filter(\.$asbCase.$id == caseID).first()
        else { throw AppError.notFound("No such witness evidence on this case.") }
        guard record.kind.needsTeamLeaderApproval else {
            throw RuleViolation(code: "enforcement.approvalNotNeeded", clause: "SS-PRG-5",
                                reason: "The reporter's own commitment needs no approval.")
        }
        guard record.$approvedBy.id == nil else {
            throw RuleViolation(code: "enforcement.alreadyApproved", clause: nil, reason: "This is already approved.")
        }
        let now = env.clock.now()
        try await env.writes.run(on: db) { db in
            record.$approvedBy.id = user.id
            record.approvedAt = now
            try await record.save(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .witnessEvidenceRecorded,
                                summary: "\(record.kind.displayName) approved by a team leader", actorID: user.id).create(on: db)
            try await AuditLog.record(.witnessApproval, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["evidenceId": evidenceID.text], at: now, requestID: requestID, on: db)
        }
        return try await load(caseID)
    }

    // MARK: Enforcement

    struct Recorded {
        var view: View
        var warnings: [String]
    }

    func record(on reference: String, type: EnforcementType, on rawDate: String?, status: EnforcementStatus?,
                againstPartyID: UUID?, outcome: String?, notes: String?, by actor: Actor) async throws -> Recorded {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        try CaseLifecycle.checkCasework(.recordEnforcement, on: asbCase.status)
        let caseID = try asbCase.requireID()
        let now = env.clock.now()
        let today = LondonTime.localDateTime(for: now).date
        var errors: [FieldError] = []
        var on = today
        if let rawDate {
            if let date = LocalDate(iso: rawDate) { on = date } else { errors.append(FieldError("on", "Enter the date as YYYY-MM-DD.")) }
        }
        let links = try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).all()
        if let againstPartyID, !links.contains(where: { $0.$party.id == againstPartyID && $0.role == .allegedPerpetrator }) {
            errors.append(FieldError("againstPartyId", "Choose the person complained about on this case."))
        }
        for (field, text) in [("outcome", outcome), ("notes", notes)] where (text?.count ?? 0) > 2000 {
            errors.append(FieldError(field, "Keep this to 2,000 characters."))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }

        // The witness rule (SS-PRG-5) and the contact warning (SS-NXT-4).
        let evidence = try await WitnessEvidenceRecord.query(on: db).filter(\.$asbCase.$id == caseID).all().map(\.rule)
        let perpetrators = links.filter { $0.role == .allegedPerpetrator }.map { $0.$party.id }
        let contacted = perpetrators.isEmpty ? false : try await ContactLogEntry.query(on: db).filter(\.$asbCase.$id == caseID)
            .filter(\.$party.$id ~~ perpetrators).count() > 0
        let warnings = try EnforcementRules.check(type, evidence: evidence, perpetratorEverContacted: contacted)

        let recordedOn = on
        try await env.writes.run(on: db) { db in
            let action = EnforcementAction()
            action.id = OrderedID.next(at: now)
            action.$asbCase.id = caseID
            action.type = type
            action.on = recordedOn.description
            action.status = status ?? .planned
            action.$against.id = againstPartyID
            action.outcome = outcome?.trimmingWhitespace()
            action.notes = notes?.trimmingWhitespace()
            action.warnings = warnings
            action.$recordedBy.id = user.id
            action.createdAt = now
            action.updatedAt = now
            try await action.create(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .enforcementRecorded,
                                summary: "\(type.displayName) (\(action.status.rawValue)) on \(recordedOn)"
                                    + (warnings.isEmpty ? "" : "; warning: " + warnings.joined(separator: " ")),
                                actorID: user.id).create(on: db)
            try await AuditLog.record(.enforcementCreate, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["type": type.rawValue, "legal": String(type.isLegalAction)],
                                      at: now, requestID: requestID, on: db)
        }
        return Recorded(view: try await load(caseID), warnings: warnings)
    }

    func update(on reference: String, action actionID: UUID, status: EnforcementStatus, outcome: String?,
                by actor: Actor) async throws -> View {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        try CaseLifecycle.checkCasework(.updateEnforcement, on: asbCase.status)
        let caseID = try asbCase.requireID()
        guard let action = try await EnforcementAction.query(on: db).filter(\.$id == actionID).filter(\.$asbCase.$id == caseID).first()
        else { throw AppError.notFound("No such enforcement action on this case.") }
        if status != action.status { try EnforcementRules.transition(from: action.status, to: status) }
        if (outcome?.count ?? 0) > 2000 { throw ValidationFailure([FieldError("outcome", "Keep this to 2,000 characters.")]) }
        let now = env.clock.now()
        let from = action.status
        try await env.writes.run(on: db) { db in
            action.status = status
            if let outcome = outcome?.trimmingWhitespace(), !outcome.isEmpty { action.outcome = outcome }
            action.updatedAt = now
            try await action.save(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .enforcementUpdated,
                                summary: "\(action.type.displayName) \(from.rawValue) → \(status.rawValue)", actorID: user.id).create(on: db)
            try await AuditLog.record(.enforcementUpdate, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["actionId": actionID.text, "status": status.rawValue],
                                      at: now, requestID: requestID, on: db)
        }
        return try await load(caseID)
    }
}
