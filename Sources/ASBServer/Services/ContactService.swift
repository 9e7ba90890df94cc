import ASBCore
import Fluent
import SQLKit
import Foundation
import Vapor

/// Agreed contact with each party (SS-NXT-5) and the log of every contact (SS-PRG-2). Logged
/// contacts also meet the service milestones: a contact with the reporter is the first response
/// (or the acknowledgement), a contact with the alleged perpetrator or a witness starts the
/// investigation (SS-RT-2..4).
struct ContactService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    struct Overview {
        var plans: [ContactPlan]
        var log: [ContactLogEntry]
        var today: LocalDate
    }

    // MARK: Read

    func overview(of reference: String, by actor: Actor) async throws -> Overview {
        try await overview(of: CaseService(app: app, db: db, requestID: requestID).readable(reference, by: actor))
    }

    func overview(of readable: ReadableCase) async throws -> Overview {
        let user = readable.user
        let caseID = try readable.asbCase.requireID()
        var showRestricted = true
        if user.role == .partner {
            // A partner reads the log only when a live referral shares it, and never restricted entries.
            let referrals = try await ReferralService.liveReferrals(of: caseID, for: user, on: db)
            guard ReferralRules.visibleFields(for: referrals.map { Set($0.sharedFields) }).contains(.contactLog) else {
                throw AppError.forbidden("The contact log is not shared with your agency.")
            }
            showRestricted = false
        }
        return try await load(caseID, restricted: showRestricted)
    }

    private func load(_ caseID: UUID, restricted: Bool) async throws -> Overview {
        let plans = try await ContactPlan.stored(
            "WHERE case_id = \(bind: caseID) AND active = \(bind: true) ORDER BY created_at LIMIT 100", on: db)
        try await plans.loadParents(\.$party, on: db)
        let unrestricted: SQLQueryString = restricted ? "" : " AND restricted = \(bind: false)"
        let log = try await ContactLogEntry.stored(
            "WHERE case_id = \(bind: caseID)\(unrestricted) ORDER BY at DESC, id DESC LIMIT 200", on: db)
        try await log.loadParents(\.$party, on: db)
        try await log.loadParents(\.$recordedBy, on: db)
        return Overview(plans: restricted ? plans : plans, log: log, today: LondonTime.localDateTime(for: env.clock.now()).date)
    }

    // MARK: Plans

    func agreePlan(on reference: String, partyID: UUID, frequency: ContactFrequency, method: ContactChannel,
                   agreedOn: LocalDate?, by actor: Actor) async throws -> Overview {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        try CaseLifecycle.checkCasework(.agreeContactPlan, on: asbCase.status)
        let caseID = try asbCase.requireID()
        let now = env.clock.now()
        let today = LondonTime.localDateTime(for: now).date
        var errors = ContactSchedule.validate(frequency)
        let links = try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$party.$id == partyID).all()
        if links.isEmpty { errors.append(FieldError("partyId", "This person is not on the case.")) }
        let agreed = agreedOn ?? today
        if agreed > today { errors.append(FieldError("agreedOn", "The agreement cannot be in the future.")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }

        let last = try await lastContact(with: partyID, on: caseID)
        let next = ContactSchedule.nextContactDue(agreedOn: agreed, lastContactOn: last.map { max($0, agreed) }, frequency: frequency)
        try await env.writes.run(on: db) { db in
            try await ContactPlan.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$party.$id == partyID)
                .filter(\.$active == true).set(\.$active, to: false).update()
            let plan = ContactPlan()
            plan.id = OrderedID.next(at: now)
            plan.$asbCase.id = caseID
            plan.$party.id = partyID
            plan.frequency = frequency.storageValue
            plan.method = method
            plan.agreedOn = agreed.description
            plan.$agreedBy.id = user.id
            plan.nextContactDue = next.description
            plan.forReporter = links.contains { $0.role == .reporter }
            plan.active = true
            plan.createdAt = now
            try await plan.create(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .contactPlanAgreed,
                                summary: "Contact agreed \(frequency) by \(method.rawValue); next due \(next)", actorID: user.id)
                .create(on: db)
            try await AuditLog.record(.contactPlan, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["partyId": partyID.text, "frequency": frequency.storageValue],
                                      at: now, requestID: requestID, on: db)
        }
        return try await load(caseID, restricted: true)
    }

    // MARK: Log

    struct NewEntry {
        var partyID: UUID?
        var at: Date?
        var method: ContactChannel
        var direction: ContactDirection
        var summary: String
        var restricted: Bool
    }

    func log(on reference: String, _ new: NewEntry, by actor: Actor) async throws -> Overview {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        let caseID = try asbCase.requireID()
        let now = env.clock.now()
        let at = new.at ?? now
        var errors: [FieldError] = []
        var roles: Set<PartyRole> = []
        if let partyID = new.partyID {
            roles = Set(try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$party.$id == partyID).all().map(\.role))
            if roles.isEmpty { errors.append(FieldError("partyId", "This person is not on the case.")) }
        }
        if at > now.addingTimeInterval(60) { errors.append(FieldError("at", "A contact cannot be in the future.")) }
        if at < asbCase.receivedAt { errors.append(FieldError("at", "A contact cannot be before the case was reported.")) }
        let summary = new.summary.trimmingWhitespace()
        if summary.isEmpty || summary.count > 5000 { errors.append(FieldError("summary", "Say what was discussed (up to 5,000 characters).")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }

        let calendarDay = LondonTime.localDateTime(for: at).date
        let partyRoles = roles
        try await env.writes.run(on: db) { db in
            let entry = ContactLogEntry()
            entry.id = OrderedID.next(at: now)
            entry.$asbCase.id = caseID
            entry.$party.id = new.partyID
            entry.at = at
            entry.method = new.method
            entry.direction = new.direction
            entry.summary = summary
            entry.restricted = new.restricted
            entry.$recordedBy.id = user.id
            entry.recordedAt = now
            try await entry.create(on: db)

            // The agreed contact with this person starts again from this contact.
            if let partyID = new.partyID,
               let plan = try await ContactPlan.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$party.$id == partyID)
                .filter(\.$active == true).first(),
               let frequency = ContactFrequency(storageValue: plan.frequency), let agreed = LocalDate(iso: plan.agreedOn) {
                let last = try await lastContact(with: partyID, on: caseID, db: db)
                plan.nextContactDue = ContactSchedule.nextContactDue(agreedOn: agreed, lastContactOn: last.map { max($0, agreed) },
                                                                     frequency: frequency).description
                try await plan.save(on: db)
            }
            try await CaseEvent(caseID: caseID, at: now, kind: .contactLogged,
                                summary: "\(new.direction == .outbound ? "Contact" : "Contact received") by \(new.method.rawValue)"
                                    + (new.restricted ? " (restricted)" : "") + " on \(calendarDay)", actorID: user.id).create(on: db)
            try await AuditLog.record(.contactLogged, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["method": new.method.rawValue, "direction": new.direction.rawValue,
                                                "restricted": String(new.restricted)],
                                      at: now, requestID: requestID, on: db)

            // The contact meets the service milestones it stands for.
            let clock = CaseClock(db: db, requestID: requestID)
            let calendar = try await CalendarService.calendar(env: env, on: db)
            let pending = try await CaseMilestone.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$metAt == nil).all()
                .map(\.milestone)
            var met: [Milestone] = []
            if new.direction == .outbound, partyRoles.contains(.reporter) || partyRoles.contains(.victim) {
                met += pending.filter { $0 == .response || $0 == .acknowledgement }
            }
            if !partyRoles.isDisjoint(with: [.allegedPerpetrator, .witness]) {
                met += pending.filter { $0 == .investigationStart }
            }
            for milestone in met {
                _ = try await clock.recordMet(milestone, at: at, note: "Contact by \(new.method.rawValue)", on: asbCase, by: actor,
                                         calendar: calendar, now: now)
            }
        }
        return try await load(caseID, restricted: true)
    }

    private func lastContact(with partyID: UUID, on caseID: UUID, db: (any Database)? = nil) async throws -> LocalDate? {
        let entry = try await ContactLogEntry.query(on: db ?? self.db).filter(\.$asbCase.$id == caseID)
            .filter(\.$party.$id == partyID).sort(\.$at, .descending).first()
        return entry.map { LondonTime.localDateTime(for: $0.at).date }
    }

}
