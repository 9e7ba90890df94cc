import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func listCases(_ input: Operations.ListCases.Input) async throws -> Operations.ListCases.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        let q = input.query
        var filter = CaseService.ListFilter()
        filter.status = q.status.map { EnumBridge.convert($0) }
        filter.priority = q.priority.map { EnumBridge.convert($0) }
        switch q.officer {
        case nil: break
        case "me": filter.officer = .user(try user.requireID())
        case "none": filter.officer = .unallocated
        case let raw?:
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("officer must be a user id, me or none.") }
            filter.officer = .user(id)
        }
        if let raw = q.neighbourhood {
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("neighbourhood must be a neighbourhood id.") }
            filter.neighbourhoodID = id
        }
        filter.hate = q.hate
        filter.receivedFrom = q.receivedFrom
        filter.receivedTo = q.receivedTo
        if let sort = q.sort { filter.sort = CaseService.ListFilter.Sort(rawValue: sort.rawValue) ?? .receivedAtDescending }
        let page = try await ctx.cases.list(filter, cursor: q.cursor, limit: try PageSize.resolve(q.limit), by: user)
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.CaseSummary.init), nextCursor: page.nextCursor))))
    }

    func getCase(_ input: Operations.GetCase.Input) async throws -> Operations.GetCase.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        let detail = try await ctx.cases.detail(input.path.reference, by: .staff(user))
        ctx.request.responseVersion = detail.asbCase.version
        return .ok(.init(body: .json(try .init(detail))))
    }

    func updateCase(_ input: Operations.UpdateCase.Input) async throws -> Operations.UpdateCase.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let changes = CaseService.Changes(
            allocatedOfficerID: try UUID.parse(body.allocatedOfficerId, field: "allocatedOfficerId"),
            categories: body.categories.map { EnumBridge.convert($0) },
            neighbourhoodID: try UUID.parse(body.neighbourhoodId, field: "neighbourhoodId"),
            asbLimbs: body.asbLimbs.map { EnumBridge.convert($0) },
            notASB: body.notASB)
        let detail = try await ctx.cases.update(input.path.reference, changes,
                                                expectedVersion: try ETag.parse(input.headers.ifMatch), by: .staff(user))
        ctx.request.responseVersion = detail.asbCase.version
        return .ok(.init(body: .json(try .init(detail))))
    }

    func getCaseTimeline(_ input: Operations.GetCaseTimeline.Input) async throws -> Operations.GetCaseTimeline.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        let page = try await ctx.cases.timeline(input.path.reference, cursor: input.query.cursor,
                                                limit: try PageSize.resolve(input.query.limit), by: .staff(user))
        return .ok(.init(body: .json(.init(items: try page.items.map { try .init($0) }, nextCursor: page.nextCursor))))
    }

    func getCaseAudit(_ input: Operations.GetCaseAudit.Input) async throws -> Operations.GetCaseAudit.Output {
        let ctx = try context()
        let user = try ctx.staff(.readAudit)
        let page = try await ctx.cases.audit(input.path.reference, cursor: input.query.cursor,
                                             limit: try PageSize.resolve(input.query.limit), by: .staff(user))
        return .ok(.init(body: .json(.init(items: try page.items.map { try .init($0) }, nextCursor: page.nextCursor))))
    }
}
