import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func searchParties(_ input: Operations.SearchParties.Input) async throws -> Operations.SearchParties.Output {
        let ctx = try context()
        let user = try ctx.staff(.readParties)
        let found = try await ctx.parties.search(q: input.query.q, postcode: input.query.postcode,
                                                 tenancyReference: input.query.tenancyReference, by: user)
        return .ok(.init(body: .json(found.map { item in
            .init(id: item.id.text, name: item.name, address: item.address,
                  postcode: item.postcode, tenancyReference: item.tenancyReference, caseCount: item.caseCount)
        })))
    }

    func getParty(_ input: Operations.GetParty.Input) async throws -> Operations.GetParty.Output {
        let ctx = try context()
        let user = try ctx.staff(.readParties)
        guard let id = UUID(uuidString: input.path.partyId) else { throw AppError.notFound("No such person.") }
        let detail = try await ctx.parties.detail(id, by: .staff(user))
        return .ok(.init(body: .json(.init(party: try .init(detail.party), cases: detail.cases.map(Components.Schemas.PartyCase.init)))))
    }

    func updateParty(_ input: Operations.UpdateParty.Input) async throws -> Operations.UpdateParty.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard let id = UUID(uuidString: input.path.partyId) else { throw AppError.notFound("No such person.") }
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let detail = try await ctx.parties.update(id, PartyDetailsDraft(body), by: .staff(user))
        return .ok(.init(body: .json(.init(party: try .init(detail.party), cases: detail.cases.map(Components.Schemas.PartyCase.init)))))
    }

    func addCaseParty(_ input: Operations.AddCaseParty.Input) async throws -> Operations.AddCaseParty.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let detail = try await ctx.parties.link(
            to: input.path.reference, role: EnumBridge.convert(body.role),
            partyID: try UUID.parse(body.partyId, field: "partyId"), newParty: body.party.map(PartyDetailsDraft.init),
            by: .staff(user))
        ctx.request.responseVersion = detail.asbCase.version
        return .created(.init(body: .json(try .init(detail))))
    }
}
