import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func listCommunityNotices(_ input: Operations.ListCommunityNotices.Input) async throws -> Operations.ListCommunityNotices.Output {
        let ctx = try context()
        let user = try ctx.staff(.recordReport)
        let notices = try await ctx.notices.list(status: input.query.status.map { EnumBridge.convert($0) }, by: .staff(user))
        return .ok(.init(body: .json(try notices.map { try .init($0) })))
    }

    func draftCommunityNotice(_ input: Operations.DraftCommunityNotice.Input) async throws -> Operations.DraftCommunityNotice.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        guard let neighbourhoodID = try UUID.parse(body.neighbourhoodId, field: "neighbourhoodId") else {
            throw ValidationFailure([FieldError("neighbourhoodId", "Choose a neighbourhood.")])
        }
        let notice = try await ctx.notices.draft(neighbourhoodID: neighbourhoodID, caseReference: body.caseReference,
                                                 title: body.title, text: body.text, by: .staff(user))
        try await notice.$neighbourhood.load(on: ctx.db)
        return .created(.init(body: .json(try .init(notice))))
    }

    func approveCommunityNotice(_ input: Operations.ApproveCommunityNotice.Input) async throws -> Operations.ApproveCommunityNotice.Output {
        let ctx = try context()
        let user = try ctx.staff(.allocateCase)
        guard let id = UUID(uuidString: input.path.noticeId) else { throw AppError.notFound("No such notice.") }
        let notice = try await ctx.notices.publish(id, by: .staff(user))
        try await notice.$neighbourhood.load(on: ctx.db)
        return .created(.init(body: .json(try .init(notice))))
    }

    func publicNotices(_ input: Operations.PublicNotices.Input) async throws -> Operations.PublicNotices.Output {
        let ctx = try context()
        guard let id = UUID(uuidString: input.path.neighbourhoodId) else { throw AppError.notFound("No such neighbourhood.") }
        let notices = try await ctx.notices.published(in: id)
        return .ok(.init(body: .json(notices.map {
            .init(neighbourhood: $0.neighbourhood.name, title: $0.title, text: $0.text, publishedAt: $0.publishedAt ?? $0.draftedAt)
        })))
    }
}

extension Components.Schemas.CommunityNotice {
    init(_ n: CommunityNotice) throws {
        self.init(id: try n.requireID().text, neighbourhood: .init(n.neighbourhood)!, title: n.title, text: n.text,
                  status: EnumBridge.convert(n.status), draftedAt: n.draftedAt, publishedAt: n.publishedAt)
    }
}
