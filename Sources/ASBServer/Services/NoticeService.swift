import ASBCore
import Fluent
import Foundation
import Vapor

/// Community notices of positive activity (SS-PRG-6): drafted by officers, approved by a team
/// leader, published per neighbourhood. The screening refuses names, references and addresses.
struct NoticeService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    func draft(neighbourhoodID: UUID, caseReference: String?, title rawTitle: String, text: String, by actor: Actor) async throws -> CommunityNotice {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role.may(.updateCase) else { throw AppError.forbidden() }
        var errors: [FieldError] = []
        if try await Neighbourhood.find(neighbourhoodID, on: db) == nil {
            errors.append(FieldError("neighbourhoodId", "Choose a neighbourhood."))
        }
        var asbCase: ASBCase?
        if let caseReference {
            asbCase = try await CaseService(app: app, db: db, requestID: requestID).findReadable(caseReference, by: actor)
        }
        let title = rawTitle.trimmingWhitespace()
        if title.isEmpty || title.count > 200 { errors.append(FieldError("title", "Give the notice a title (up to 200 characters).")) }
        // Screen the title and the text against the case's people and places, and against any name or address at all.
        var names: [String] = []
        var addresses: [String] = []
        if let caseID = asbCase?.id {
            let parties = try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).with(\.$party).all().map(\.party)
            names = parties.compactMap(\.name)
            addresses = parties.compactMap(\.address) + [asbCase?.location].compactMap { $0 }
        }
        errors += NoticeScreening.problems(in: text, partyNames: names, addresses: addresses)
        errors += NoticeScreening.problems(in: title.isEmpty ? "-" : title, partyNames: names, addresses: addresses)
            .filter { !$0.message.contains("characters") }
            .map { FieldError("title", $0.message) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let now = env.clock.now()
        let notice = CommunityNotice()
        notice.id = OrderedID.next(at: now)
        notice.$neighbourhood.id = neighbourhoodID
        notice.$asbCase.id = asbCase?.id
        notice.title = title
        notice.text = text.trimmingWhitespace()
        notice.status = .draft
        notice.$draftedBy.id = user.id
        notice.draftedAt = now
        try await notice.create(on: db)
        try await AuditLog.record(.noticeDrafted, by: actor, entityType: "communityNotice", entityID: notice.id!.text,
                                  caseID: asbCase?.id, at: now, requestID: requestID, on: db)
        return notice
    }

    func publish(_ id: UUID, by actor: Actor) async throws -> CommunityNotice {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role == .teamLeader else { throw AppError.forbidden("Only a team leader approves a community notice.") }
        guard let notice = try await CommunityNotice.find(id, on: db) else { throw AppError.notFound("No such notice.") }
        guard notice.status == .draft else {
            throw RuleViolation(code: "notice.notDraft", clause: "SS-PRG-6", reason: "Only a draft notice can be approved.")
        }
        let now = env.clock.now()
        notice.status = .published
        notice.$approvedBy.id = user.id
        notice.publishedAt = now
        try await notice.save(on: db)
        try await AuditLog.record(.noticePublished, by: actor, entityType: "communityNotice", entityID: id.text,
                                  caseID: notice.$asbCase.id, at: now, requestID: requestID, on: db)
        return notice
    }

    func list(status: CommunityNotice.Status?, by actor: Actor) async throws -> [CommunityNotice] {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role.may(.recordReport) else { throw AppError.forbidden() }
        let query = CommunityNotice.query(on: db).with(\.$neighbourhood)
        if let status { query.filter(\.$status == status) }
        return try await query.sort(\.$draftedAt, .descending).limit(200).all()
    }

    /// The published notices of a neighbourhood, for anyone.
    func published(in neighbourhoodID: UUID) async throws -> [CommunityNotice] {
        guard try await Neighbourhood.find(neighbourhoodID, on: db) != nil else { throw AppError.notFound("No such neighbourhood.") }
        return try await CommunityNotice.query(on: db).filter(\.$neighbourhood.$id == neighbourhoodID).filter(\.$status == .published)
            .with(\.$neighbourhood).sort(\.$publishedAt, .descending).limit(100).all()
    }
}
