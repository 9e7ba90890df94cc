import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func listPartnerAgencies(_ input: Operations.ListPartnerAgencies.Input) async throws -> Operations.ListPartnerAgencies.Output {
        let ctx = try context()
        _ = try ctx.staff(.readReferenceData)
        return .ok(.init(body: .json(try await ctx.referrals.agencies().map { try .init($0) })))
    }

    func createPartnerAgency(_ input: Operations.CreatePartnerAgency.Input) async throws -> Operations.CreatePartnerAgency.Output {
        let ctx = try context()
        let admin = try ctx.staff(.manageReferenceData)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let agency = try await ctx.referrals.createAgency(name: body.name, kind: EnumBridge.convert(body.kind), email: body.email,
                                                          phone: body.phone, by: .staff(admin))
        return .created(.init(body: .json(try .init(agency))))
    }

    func updatePartnerAgency(_ input: Operations.UpdatePartnerAgency.Input) async throws -> Operations.UpdatePartnerAgency.Output {
        let ctx = try context()
        let admin = try ctx.staff(.manageReferenceData)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        guard let id = UUID(uuidString: input.path.agencyId) else { throw AppError.notFound("No such agency.") }
        let agency = try await ctx.referrals.updateAgency(id, name: body.name, email: body.email, phone: body.phone,
                                                          active: body.active, by: .staff(admin))
        return .ok(.init(body: .json(try .init(agency))))
    }

    func listReferrals(_ input: Operations.ListReferrals.Input) async throws -> Operations.ListReferrals.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        return .ok(.init(body: .json(try await ctx.referrals.list(on: input.path.reference, by: .staff(user)).map { try .init($0) })))
    }

    func createReferral(_ input: Operations.CreateReferral.Input) async throws -> Operations.CreateReferral.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let referral = try await ctx.referrals.create(
            on: input.path.reference,
            .init(agencyID: try UUID.parse(body.agencyId, field: "agencyId"), reason: body.reason, consentGiven: body.consentGiven,
                  lawfulBasis: body.lawfulBasisWithoutConsent, shared: EnumBridge.convert(body.sharedFields)),
            by: .staff(user))
        return .created(.init(body: .json(try .init(referral))))
    }

    func addReferralUpdate(_ input: Operations.AddReferralUpdate.Input) async throws -> Operations.AddReferralUpdate.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        guard let id = UUID(uuidString: input.path.referralId) else { throw AppError.notFound("No such referral on this case.") }
        let referral = try await ctx.referrals.addUpdate(on: input.path.reference, referral: id, text: body.text,
                                                         status: body.status.map { EnumBridge.convert($0) }, by: .staff(user))
        return .created(.init(body: .json(try .init(referral))))
    }

    func setLeadAgency(_ input: Operations.SetLeadAgency.Input) async throws -> Operations.SetLeadAgency.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let detail = try await ctx.referrals.setLeadAgency(on: input.path.reference,
                                                           agencyID: try UUID.parse(body.agencyId, field: "agencyId"),
                                                           reason: body.reason, by: .staff(user))
        ctx.request.responseVersion = detail.asbCase.version
        return .ok(.init(body: .json(try .init(detail))))
    }
}
