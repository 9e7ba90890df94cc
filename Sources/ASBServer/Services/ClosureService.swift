import ASBCore
import Fluent
import SQLKit
import FluentSQL
import Foundation
import Vapor

/// Closing cases (SS-CLS-1, SS-CLS-2): a proposal for one of the five reasons, the visit or call
/// to agree it with the reporter, a team leader's approval where the reason needs it, and formal
/// closure. A new incident cancels a pending proposal; a team leader may reopen a premature closure.
struct ClosureService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    struct View {
        var status: CaseStatus
        var current: ClosureProposal?
        var history: [ClosureProposal]
        var anonymous: Bool
        /// The closure could happen now, or the rule that refuses it.
        var blockedBy: RuleViolation?
    }

    func view(of reference: String, by actor: Actor) async throws -> View {
        try await view(of: CaseService(app: app, db: db, requestID: requestID).readable(reference, by: actor))
    }

    func view(of readable: ReadableCase) async throws -> View {
        try readable.requireLandlordStaff()
        return try await load(readable.asbCase)
    }

    func load(_ asbCase: ASBCase) async throws -> View {
        let caseID = try asbCase.requireID()
        let proposals = try await ClosureProposal.stored(
            "WHERE case_id = \(bind: caseID) ORDER BY proposed_at DESC, id DESC LIMIT 50", on: db)
        let contacts = try await proposals.loadChildren(\.$contacts, orderBy: "at, id", on: db)
        try await contacts.loadParents(\.$recordedBy, on: db)
        try await proposals.loadParents(\.$proposedBy, on: db)
        try await proposals.loadParents(\.$approvedBy, on: db)
        let current = proposals.first { $0.status == .pending }
        let anonymous = try await Self.isAnonymous(caseID, on: db)
        var blocked: RuleViolation?
        if let current {
            do throws(RuleViolation) {
                try ClosureRules.checkClosure(Self.facts(current, anonymous: anonymous))
            } catch { blocked = error }
        }
        return View(status: asbCase.status, current: current, history: proposals, anonymous: anonymous, blockedBy: blocked)
    }

    static func isAnonymous(_ caseID: UUID, on db: any Database) async throws -> Bool {
        try await PreparedReads.all("""
            SELECT COUNT(*) AS n FROM case_parties WHERE case_id = \(bind: caseID) AND role = \(bind: PartyRole.reporter.rawValue)
            """, on: db).first?.decode(column: "n", as: Int.self) == 0
    }

    static func facts(_ proposal: ClosureProposal, anonymous: Bool) -> ClosureFacts {
        ClosureFacts(reason: proposal.reason, anonymous: anonymous, contacts: proposal.contacts.map(\.rule),
                     approvedByTeamLeader: proposal.$approvedBy.id != nil)
    }

    // MARK: Propose

    struct Proposal {
        var reason: ClosureReason
        var explanation: String?
        var withdrawalHow: String?
        var withdrawalOn: String?
    }

    /// Proposes closure; the case waits in `closurePending` for the agreement call (SS-CLS-2).
    func propose(on reference: String, _ proposal: Proposal, by actor: Actor) async throws -> View {
        let asbCase: ASBCase
        if actor.user != nil {
            asbCase = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor).0
        } else {
            guard let parsed = CaseReference(reference),
                  let found = try await ASBCase.query(on: db).filter(\.$reference == parsed.description).first()
            else { throw AppError.notFound("No such case.") }
            asbCase = found
        }
        return try await propose(asbCase, proposal, by: actor)
    }

    func propose(_ asbCase: ASBCase, _ proposal: Proposal, by actor: Actor) async throws -> View {
        let caseID = try asbCase.requireID()
        let now = env.clock.now()
        let today = LondonTime.localDateTime(for: now).date
        _ = try CaseLifecycle.apply(.proposeClosure, to: asbCase.facts)
        var errors: [FieldError] = []
        var withdrawalOn: LocalDate?
        if let raw = proposal.withdrawalOn {
            withdrawalOn = LocalDate(iso: raw)
            if withdrawalOn == nil { errors.append(FieldError("withdrawalOn", "Enter the date as YYYY-MM-DD.")) }
        }
        let adherence = try await ActionPlanService(app: app, db: db, requestID: requestID).load(caseID).adherence
        let facts = ClosureProposalFacts(
            reason: proposal.reason, explanation: proposal.explanation, withdrawalHow: proposal.withdrawalHow,
            withdrawalOn: withdrawalOn, reporterActionsMissed: adherence.reporterActionsMissed,
            lastIncidentOn: LondonTime.localDateTime(for: asbCase.lastIncidentAt).date, today: today)
        errors += ClosureRules.validateProposal(facts)
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        try ClosureRules.checkProposal(facts)

        let version = asbCase.version
        let withdrawnOn = withdrawalOn
        try await env.writes.run(on: db) { db in
            guard try await CaseService.claimVersion(caseID: caseID, expected: version, on: db) else { throw AppError.staleVersion }
            let record = ClosureProposal()
            record.id = OrderedID.next(at: now)
            record.$asbCase.id = caseID
            record.reason = proposal.reason
            record.explanation = Self.clean(proposal.explanation)
            record.withdrawalHow = Self.clean(proposal.withdrawalHow)
            record.withdrawalOn = withdrawnOn?.description
            record.status = .pending
            record.$proposedBy.id = actor.userID
            record.proposedAt = now
            try await record.create(on: db)
            asbCase.status = try CaseLifecycle.apply(.proposeClosure, to: asbCase.facts)
            asbCase.version = version + 1
            asbCase.updatedAt = now
            try await asbCase.save(on: db)
            let who = actor.user == nil ? " (no new reports for \(ClosureRules.noNewReportsDays) days; the officer must agree it)" : ""
            try await CaseEvent(caseID: caseID, at: now, kind: .closureProposed,
                                summary: "Closure proposed: \(proposal.reason.displayName)\(who)", actorID: actor.userID).create(on: db)
            try await AuditLog.record(.closureProposed, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["reason": proposal.reason.rawValue], at: now, requestID: requestID, on: db)
            let outbox = Outbox(env: env, db: db)
            let proposalID = try record.requireID().text
            try await outbox.toReporter(.closureProposed, of: asbCase, dedupe: proposalID, now: now) {
                $0.closureReason = proposal.reason.displayName
                $0.closureExplanation = record.explanation
            }
            if actor.user == nil {
                // Proposed by the 60-day job: the officer must review it and make the agreement call.
                try await outbox.toStaff(.closureReviewDue, try await outbox.caseStaff(asbCase), about: asbCase, dedupe: proposalID, now: now)
            }
        }
        return try await load(asbCase)
    }

    // MARK: Agreement contact and approval

    func recordContact(on reference: String, method: ClosureContactMethod, outcome: ClosureContactOutcome, reasons: String?,
                       at rawAt: Date?, by actor: Actor) async throws -> View {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        let caseID = try asbCase.requireID()
        guard let proposal = try await pending(caseID) else { throw Self.noPendingProposal }
        let now = env.clock.now()
        let at = rawAt ?? now
        var errors: [FieldError] = []
        if at > now.addingTimeInterval(60) { errors.append(FieldError("at", "A contact cannot be in the future.")) }
        if at < proposal.proposedAt { errors.append(FieldError("at", "The agreement contact comes after the proposal.")) }
        let valid: Bool = switch (method, outcome) {
        case (.letter, .sent), (.visit, .agreed), (.visit, .disagreed), (.visit, .noAnswer),
             (.phone, .agreed), (.phone, .disagreed), (.phone, .noAnswer): true
        default: false
        }
        if !valid { errors.append(FieldError("outcome", "A letter is sent; a visit or call is agreed, disagreed or had no answer.")) }
        let why = Self.clean(reasons)
        if outcome == .disagreed && why == nil {
            errors.append(FieldError("reasons", "Record why the reporter disagrees: the approver sees it."))
        }
        if (why?.count ?? 0) > 2000 { errors.append(FieldError("reasons", "Keep this to 2,000 characters.")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        try await env.writes.run(on: db) { db in
            let contact = ClosureContactRecord()
            contact.id = OrderedID.next(at: now)
            contact.$proposal.id = try proposal.requireID()
            contact.method = method
            contact.outcome = outcome
            contact.reasons = why
            contact.at = at
            contact.$recordedBy.id = user.id
            try await contact.create(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .closureContact,
                                summary: "Closure \(method.rawValue): \(outcome.rawValue)" + (outcome == .disagreed ? " (reasons recorded)" : ""),
                                actorID: user.id).create(on: db)
            try await AuditLog.record(.closureContact, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["method": method.rawValue, "outcome": outcome.rawValue], at: now, requestID: requestID, on: db)
        }
        return try await load(asbCase)
    }

    func approve(on reference: String, by actor: Actor) async throws -> View {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role == .teamLeader else { throw AppError.forbidden("Only a team leader approves a closure.") }
        let asbCase = try await CaseService(app: app, db: db, requestID: requestID).findReadable(reference, by: actor)
        let caseID = try asbCase.requireID()
        guard let proposal = try await pending(caseID) else { throw Self.noPendingProposal }
        guard proposal.$approvedBy.id == nil else {
            throw RuleViolation(code: "closure.alreadyApproved", clause: nil, reason: "This closure is already approved.")
        }
        let now = env.clock.now()
        try await env.writes.run(on: db) { db in
            proposal.$approvedBy.id = user.id
            proposal.approvedAt = now
            try await proposal.save(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .closureApproved, summary: "Closure approved by a team leader",
                                actorID: user.id).create(on: db)
            try await AuditLog.record(.closureApproved, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      at: now, requestID: requestID, on: db)
        }
        return try await load(asbCase)
    }

    // MARK: Close, cancel, reopen

    /// Formal closure: refused (409, SS-CLS-2) without the agreement call, or SS-CLS-1 without approval.
    func close(on reference: String, by actor: Actor) async throws -> View {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        let caseID = try asbCase.requireID()
        guard let proposal = try await pending(caseID) else {
            _ = try CaseLifecycle.apply(.close, to: asbCase.facts)
            throw Self.noPendingProposal
        }
        let anonymous = try await Self.isAnonymous(caseID, on: db)
        try ClosureRules.checkClosure(Self.facts(proposal, anonymous: anonymous))
        let now = env.clock.now()
        let version = asbCase.version
        try await env.writes.run(on: db) { db in
            guard try await CaseService.claimVersion(caseID: caseID, expected: version, on: db) else { throw AppError.staleVersion }
            asbCase.status = try CaseLifecycle.apply(.close, to: asbCase.facts)
            asbCase.closedAt = now
            asbCase.closureReason = proposal.reason
            asbCase.version = version + 1
            asbCase.updatedAt = now
            try await asbCase.save(on: db)
            try await CaseClock.caseClosed(caseID, at: now, on: db)
            proposal.status = .closed
            proposal.endedAt = now
            try await proposal.save(on: db)
            // The satisfaction survey is due (SS-MON-3), with its one-time link.
            let surveyToken = anonymous ? nil : try await SurveyService.open(for: caseID, now: now, random: env.random, on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .closed,
                                summary: "Case closed: \(proposal.reason.displayName)" + (anonymous ? "" : "; satisfaction survey due"),
                                actorID: user.id).create(on: db)
            try await AuditLog.record(.caseClosed, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["reason": proposal.reason.rawValue], at: now, requestID: requestID, on: db)
            let outbox = Outbox(env: env, db: db)
            try await outbox.toReporter(.closureConfirmed, of: asbCase, dedupe: try proposal.requireID().text, now: now) {
                $0.closureReason = proposal.reason.displayName
                $0.closureExplanation = proposal.explanation
            }
            if let surveyToken {
                try await outbox.toReporter(.satisfactionSurvey, of: asbCase, dedupe: try proposal.requireID().text, now: now) {
                    $0.surveyURL = SurveyService.link(surveyToken, settings: env.config.mail)
                }
            }
        }
        return try await load(asbCase)
    }

    /// A new incident on a case awaiting closure cancels the proposal; the case is open again.
    static func cancelPendingProposal(of asbCase: ASBCase, because note: String, by actor: Actor, now: Date, requestID: String?,
                                      on db: any Database) async throws {
        let caseID = try asbCase.requireID()
        guard asbCase.status == .closurePending,
              let proposal = try await ClosureProposal.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$status == .pending).first()
        else { return }
        proposal.status = .cancelled
        proposal.endedAt = now
        proposal.endNote = note
        try await proposal.save(on: db)
        asbCase.status = try CaseLifecycle.apply(.withdrawClosureProposal, to: asbCase.facts)
        try await CaseEvent(caseID: caseID, at: now, kind: .closureCancelled, summary: "Closure proposal cancelled: \(note)",
                            actorID: actor.userID).create(on: db)
        try await AuditLog.record(.closureCancelled, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                  changes: ["proposalId": proposal.id!.text], at: now, requestID: requestID, on: db)
    }

    /// A team leader reopens a closed case to correct a premature closure, keeping its reference and history.
    func reopen(on reference: String, reason rawReason: String, by actor: Actor) async throws -> View {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role == .teamLeader else { throw AppError.forbidden("Only a team leader reopens a closed case.") }
        let asbCase = try await CaseService(app: app, db: db, requestID: requestID).findReadable(reference, by: actor)
        let caseID = try asbCase.requireID()
        let reason = rawReason.trimmingWhitespace()
        var facts = asbCase.facts
        facts.reopenReason = reason
        let target = try CaseLifecycle.apply(.reopen, to: facts)
        let now = env.clock.now()
        let version = asbCase.version
        try await env.writes.run(on: db) { db in
            guard try await CaseService.claimVersion(caseID: caseID, expected: version, on: db) else { throw AppError.staleVersion }
            asbCase.status = target
            asbCase.closedAt = nil
            asbCase.closureReason = nil
            asbCase.version = version + 1
            asbCase.updatedAt = now
            try await asbCase.save(on: db)
            try await CaseClock.caseClosed(caseID, at: nil, on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .reopened, summary: "Case reopened: \(reason)", actorID: user.id).create(on: db)
            try await AuditLog.record(.caseReopened, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      at: now, requestID: requestID, on: db)
        }
        return try await load(asbCase)
    }

    // MARK: The 60-day rule

    /// Open cases with no new incident for 60 days or more (calendar days, UK dates).
    static func dueForClosureReview(today: LocalDate, limit: Int, after cursor: (Date, UUID)?, on db: any Database) async throws -> [ASBCase] {
        // lastIncidentOn ≤ today − 60 days ⇔ the last incident was before the start of (today − 59 days).
        let cutoff = LondonTime.startOfDay(today.adding(days: -(ClosureRules.noNewReportsDays - 1)))
        let query = ASBCase.query(on: db).filter(\.$status == .open).filter(\.$lastIncidentAt < cutoff)
        if let (date, id) = cursor {
            query.group(.or) { or in
                or.filter(\.$lastIncidentAt > date)
                or.group(.and) { $0.filter(\.$lastIncidentAt == date).filter(\.$id > id) }
            }
        }
        return try await query.with(\.$allocatedOfficer).sort(\.$lastIncidentAt).sort(\.$id).limit(limit).all()
    }

    /// The daily job: proposes closure (no new reports) on each due case, once, and never closes a
    /// case by itself. Safe on several instances: the version claim and the one-pending index let
    /// exactly one proposal through. Returns how many it proposed.
    func proposeDueClosures(batchSize: Int = 200) async throws -> Int {
        let today = LondonTime.localDateTime(for: env.clock.now()).date
        var proposed = 0
        var cursor: (Date, UUID)?
        // Cancelled (the server stopping), it stops before the next case; the next run goes on.
        while !Task.isCancelled {
            let due = try await Self.dueForClosureReview(today: today, limit: batchSize, after: cursor, on: db)
            for asbCase in due {
                if Task.isCancelled { return proposed }
                do {
                    _ = try await propose(asbCase, Proposal(reason: .noNewReports), by: .system)
                    proposed += 1
                } catch AppError.staleVersion {
                    continue // another instance got there first
                } catch let violation as RuleViolation {
                    app.logger.debug("No closure proposal", metadata: ["case": "\(asbCase.reference)", "rule": "\(violation.code)"])
                } catch {
                    // A unique-index clash with another instance's proposal: already proposed.
                    if try await pending(asbCase.requireID()) != nil { continue }
                    throw error
                }
            }
            guard due.count == batchSize, let last = due.last else { return proposed }
            cursor = (last.lastIncidentAt, try last.requireID())
        }
        return proposed
    }

    // MARK: Helpers

    private func pending(_ caseID: UUID) async throws -> ClosureProposal? {
        try await ClosureProposal.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$status == .pending)
            .with(\.$contacts).first()
    }

    static let noPendingProposal = RuleViolation(code: "closure.noProposal", clause: "SS-CLS-1",
                                                 reason: "There is no closure proposal on this case: propose closure first.")

    static func clean(_ text: String?) -> String? {
        guard let t = text?.trimmingWhitespace(), !t.isEmpty else { return nil }
        return t
    }
}
