import ASBCore
import Fluent
import SQLKit
import Foundation
import Vapor

/// Referrals to partner agencies, their updates, and the lead agency (SS-PRG-3, SS-REP-3).
/// A partner agency's users see a case only through a live referral, and only what it shares.
struct ReferralService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    // MARK: Directory

    func agencies() async throws -> [PartnerAgency] {
        try await PartnerAgency.stored("ORDER BY name LIMIT 1000", on: db)
    }

    func createAgency(name rawName: String, kind: PartnerAgency.Kind, email: String?, phone: String?,
                      by actor: Actor) async throws -> PartnerAgency {
        let name = rawName.trimmingWhitespace()
        var errors: [FieldError] = []
        if name.isEmpty || name.count > 200 { errors.append(FieldError("name", "Enter the agency's name (up to 200 characters).")) }
        let email = email?.trimmingCharacters(in: .whitespaces).lowercased()
        if let email, !email.isEmpty, !ReportValidator.isEmailAddress(email) {
            errors.append(FieldError("email", "Enter an email address in the right format, like team@example.gov.uk."))
        }
        let phone = phone?.trimmingCharacters(in: .whitespaces)
        if let phone, !phone.isEmpty, !ReportValidator.isPhoneNumber(phone) {
            errors.append(FieldError("phone", "Enter a phone number, like 01632 960 001."))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        if try await PartnerAgency.query(on: db).filter(\.$name == name).count() > 0 {
            throw AppError.duplicate("An agency called \(name) is already in the directory.")
        }
        let agency = PartnerAgency()
        agency.name = name
        agency.kind = kind
        agency.email = (email ?? "").isEmpty ? nil : email
        agency.phone = (phone ?? "").isEmpty ? nil : phone
        agency.active = true
        agency.createdAt = env.clock.now()
        try await agency.create(on: db)
        try await AuditLog.record(.agencyCreate, by: actor, entityType: "partnerAgency", entityID: try agency.requireID().text,
                                  changes: ["name": name], at: env.clock.now(), requestID: requestID, on: db)
        return agency
    }

    func updateAgency(_ id: UUID, name rawName: String?, email: String?, phone: String?, active: Bool?,
                      by actor: Actor) async throws -> PartnerAgency {
        guard let agency = try await PartnerAgency.find(id, on: db) else { throw AppError.notFound("No such agency.") }
        var errors: [FieldError] = []
        var changes: [String: String] = [:]
        if let rawName {
            let name = rawName.trimmingWhitespace()
            if name.isEmpty || name.count > 200 {
                errors.append(FieldError("name", "Enter the agency's name (up to 200 characters)."))
            } else if name != agency.name {
                if try await PartnerAgency.query(on: db).filter(\.$name == name).count() > 0 {
                    throw AppError.duplicate("An agency called \(name) is already in the directory.")
                }
                agency.name = name
                changes["name"] = name
            }
        }
        if let email = email?.trimmingCharacters(in: .whitespaces).lowercased() {
            if !email.isEmpty && !ReportValidator.isEmailAddress(email) {
                errors.append(FieldError("email", "Enter an email address in the right format, like team@example.gov.uk."))
            } else {
                agency.email = email.isEmpty ? nil : email
                changes["email"] = "changed"
            }
        }
        if let phone = phone?.trimmingCharacters(in: .whitespaces) {
            if !phone.isEmpty && !ReportValidator.isPhoneNumber(phone) {
                errors.append(FieldError("phone", "Enter a phone number, like 01632 960 001."))
            } else {
                agency.phone = phone.isEmpty ? nil : phone
                changes["phone"] = "changed"
            }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        if let active, active != agency.active {
            agency.active = active
            changes["active"] = String(active)
        }
        try await agency.save(on: db)
        try await AuditLog.record(.agencyUpdate, by: actor, entityType: "partnerAgency", entityID: id.text,
                                  changes: changes, at: env.clock.now(), requestID: requestID, on: db)
        return agency
    }

    // MARK: What a partner may see

    /// The live referrals of one case to the user's agency (none for the landlord's staff).
    static func liveReferrals(of caseID: UUID, for user: User, on db: any Database) async throws -> [Referral] {
        guard user.role == .partner, let agencyID = user.$partnerAgency.id else { return [] }
        return try await Referral.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$agency.$id == agencyID)
            .filter(\.$status ~~ Referral.activeStatuses).all()
    }

    /// The cases a partner user may see: those with a live referral to their agency.
    static func referredCaseIDs(for user: User, on db: any Database) async throws -> [UUID] {
        guard let agencyID = user.$partnerAgency.id else { return [] }
        return try await Referral.query(on: db).filter(\.$agency.$id == agencyID)
            .filter(\.$status ~~ Referral.activeStatuses).limit(10_000).all().map { $0.$asbCase.id }.uniqued()
    }

    // MARK: Referrals

    struct NewReferral {
        var agencyID: UUID?
        var reason: String
        var consentGiven: Bool
        var lawfulBasis: String?
        var shared: [SharedField]
    }

    func create(on reference: String, _ new: NewReferral, by actor: Actor) async throws -> Referral {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        try CaseLifecycle.checkCasework(.referToPartner, on: asbCase.status)
        var errors = ReferralRules.validate(reason: new.reason, consentGiven: new.consentGiven,
                                            lawfulBasisWithoutConsent: new.lawfulBasis, shared: Set(new.shared))
            .map { $0.field == "shared" ? FieldError("sharedFields", $0.message) : $0 }
        var agency: PartnerAgency?
        if let id = new.agencyID { agency = try await PartnerAgency.find(id, on: db) }
        if agency == nil || agency?.active != true {
            errors.insert(FieldError("agencyId", "Choose an active agency from the directory."), at: 0)
        }
        guard errors.isEmpty, let agency else { throw ValidationFailure(errors) }
        let now = env.clock.now()
        let caseID = try asbCase.requireID()
        let referral = Referral()
        referral.id = OrderedID.next(at: now)
        referral.$asbCase.id = caseID
        referral.$agency.id = try agency.requireID()
        referral.reason = new.reason.trimmingWhitespace()
        referral.consentGiven = new.consentGiven
        let basis = new.lawfulBasis?.trimmingWhitespace()
        referral.lawfulBasis = (basis ?? "").isEmpty ? nil : basis
        referral.sharedFields = SharedField.allCases.filter(Set(new.shared).contains)
        referral.status = .sent
        referral.sentAt = now
        referral.$sentBy.id = user.id
        referral.updatedAt = now
        try await env.writes.run(on: db) { db in
            try await referral.create(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .referred,
                                summary: "Referred to \(agency.name), sharing \(referral.sharedFields.map(\.displayName).joined(separator: ", "))",
                                actorID: user.id).create(on: db)
            try await AuditLog.record(.referralCreate, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["agencyId": agency.id!.text, "shared": referral.sharedFields.map(\.rawValue).joined(separator: ","),
                                                "consent": String(new.consentGiven)],
                                      at: now, requestID: requestID, on: db)
        }
        return try await load(referral.requireID())
    }

    /// The case's referrals, newest first; a partner sees only its own agency's.
    func list(on reference: String, by actor: Actor) async throws -> [Referral] {
        try await list(on: CaseService(app: app, db: db, requestID: requestID).readable(reference, by: actor))
    }

    func list(on readable: ReadableCase) async throws -> [Referral] {
        let user = readable.user
        let caseID = try readable.asbCase.requireID()
        var agency: SQLQueryString = ""
        if user.role == .partner {
            guard let agencyID = user.$partnerAgency.id else { return [] }
            agency = " AND agency_id = \(bind: agencyID)"
        }
        let referrals = try await Referral.stored(
            "WHERE case_id = \(bind: caseID)\(agency) ORDER BY sent_at DESC, id DESC LIMIT 100", on: db)
        try await referrals.loadParents(\.$agency, on: db)
        try await referrals.loadParents(\.$sentBy, on: db)
        try await referrals.loadChildren(\.$updates, orderBy: "at, id", on: db).loadParents(\.$author, on: db)
        return referrals
    }

    /// A response on a referral: the agency accepts, declines or adds news; the landlord adds notes or closes it.
    func addUpdate(on reference: String, referral referralID: UUID, text rawText: String, status: ReferralStatus?,
                   by actor: Actor) async throws -> Referral {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        let cases = CaseService(app: app, db: db, requestID: requestID)
        let asbCase = try await cases.findReadable(reference, by: actor, partnerView: true)
        let caseID = try asbCase.requireID()
        guard let referral = try await Referral.query(on: db).filter(\.$id == referralID).filter(\.$asbCase.$id == caseID)
            .with(\.$agency).first()
        else { throw AppError.notFound("No such referral on this case.") }
        switch user.role {
        case .partner:
            guard referral.$agency.id == user.$partnerAgency.id else { throw AppError.notFound("No such referral on this case.") }
        case .officer, .teamLeader:
            guard CaseAccess.canUpdate(role: user.role, relation: try await cases.relation(of: asbCase, to: user),
                                       caseIsAllocated: asbCase.$allocatedOfficer.id != nil)
            else { throw AppError.forbidden("Only the allocated officer or a team leader can update this referral.") }
            if let status, status != .closed {
                throw AppError.forbidden("Only the agency accepts or declines its referral.")
            }
        default:
            throw AppError.forbidden()
        }
        let text = rawText.trimmingWhitespace()
        if text.isEmpty || text.count > ReferralRules.textLimit {
            throw ValidationFailure([FieldError("text", "Write the update (up to \(ReferralRules.textLimit) characters).")])
        }
        if let status { try ReferralRules.transition(from: referral.status, to: status) }
        let now = env.clock.now()
        try await env.writes.run(on: db) { db in
            let update = ReferralUpdate()
            update.id = OrderedID.next(at: now)
            update.$referral.id = referralID
            update.at = now
            update.$author.id = user.id
            update.text = text
            update.status = status
            try await update.create(on: db)
            if let status {
                referral.status = status
            }
            referral.updatedAt = now
            try await referral.save(on: db)
            let who = user.role == .partner ? referral.agency.name : "The landlord"
            let summary = status.map { "\(who) marked the referral to \(referral.agency.name) \($0.rawValue)" }
                ?? "\(who) added an update to the referral to \(referral.agency.name)"
            try await CaseEvent(caseID: caseID, at: now, kind: .referralUpdated, summary: summary, actorID: user.id).create(on: db)
            var changes = ["referralId": referralID.text]
            if let status { changes["status"] = status.rawValue }
            try await AuditLog.record(.referralUpdate, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: changes, at: now, requestID: requestID, on: db)
        }
        return try await load(referralID)
    }

    // MARK: Lead agency

    /// Decides who leads the case: the landlord (no agency) or a partner agency. Kept as history.
    func setLeadAgency(on reference: String, agencyID: UUID?, reason rawReason: String,
                       by actor: Actor) async throws -> CaseService.Detail {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        try CaseLifecycle.checkCasework(.decideLeadAgency, on: asbCase.status)
        var errors: [FieldError] = []
        let reason = rawReason.trimmingWhitespace()
        if reason.isEmpty || reason.count > ReferralRules.textLimit {
            errors.append(FieldError("reason", "Say why this agency leads (up to \(ReferralRules.textLimit) characters)."))
        }
        var agency: PartnerAgency?
        if let agencyID {
            agency = try await PartnerAgency.find(agencyID, on: db)
            if agency?.active != true { errors.append(FieldError("agencyId", "Choose an active agency from the directory.")) }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let now = env.clock.now()
        let caseID = try asbCase.requireID()
        let leadName = agency?.name ?? "the landlord"
        try await env.writes.run(on: db) { db in
            let decision = LeadAgencyDecision()
            decision.id = OrderedID.next(at: now)
            decision.$asbCase.id = caseID
            decision.$agency.id = agencyID
            decision.reason = reason
            decision.$decidedBy.id = user.id
            decision.decidedAt = now
            try await decision.create(on: db)
            asbCase.$leadAgency.id = agencyID
            asbCase.version += 1
            asbCase.updatedAt = now
            try await asbCase.save(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .leadAgencyChanged,
                                summary: "Lead agency: \(leadName) (\(reason))", actorID: user.id).create(on: db)
            try await AuditLog.record(.leadAgencyChange, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["leadAgencyId": agencyID?.text ?? "landlord"],
                                      at: now, requestID: requestID, on: db)
        }
        return try await CaseService(app: app, db: db, requestID: requestID).load(asbCase)
    }

    // MARK: Helpers


    private func load(_ id: UUID) async throws -> Referral {
        guard let referral = try await Referral.query(on: db).filter(\.$id == id)
            .with(\.$agency).with(\.$sentBy).with(\.$updates, { $0.with(\.$author) }).first()
        else { throw AppError.notFound("No such referral.") }
        return referral
    }
}
