import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func getContacts(_ input: Operations.GetContacts.Input) async throws -> Operations.GetContacts.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        return .ok(.init(body: .json(try .init(try await ctx.contacts.overview(of: input.path.reference, by: .staff(user))))))
    }

    func logContact(_ input: Operations.LogContact.Input) async throws -> Operations.LogContact.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let overview = try await ctx.contacts.log(
            on: input.path.reference,
            .init(partyID: try UUID.parse(body.partyId, field: "partyId"), at: body.at, method: EnumBridge.convert(body.method),
                  direction: EnumBridge.convert(body.direction), summary: body.summary, restricted: body.restricted ?? false),
            by: .staff(user))
        return .created(.init(body: .json(try .init(overview))))
    }

    func agreeContactPlan(_ input: Operations.AgreeContactPlan.Input) async throws -> Operations.AgreeContactPlan.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        guard let partyID = UUID(uuidString: input.path.partyId) else {
            throw ValidationFailure([FieldError("partyId", "This person is not on the case.")])
        }
        let frequency: ContactFrequency = switch body.frequency {
        case .weekly: .weekly
        case .fortnightly: .fortnightly
        case .monthly: .monthly
        case .everyDays: .everyDays(body.everyDays ?? 0)
        }
        var agreedOn: LocalDate?
        if let raw = body.agreedOn {
            guard let date = LocalDate(iso: raw) else { throw ValidationFailure([FieldError("agreedOn", "Enter the date as YYYY-MM-DD.")]) }
            agreedOn = date
        }
        let overview = try await ctx.contacts.agreePlan(on: input.path.reference, partyID: partyID, frequency: frequency,
                                                        method: EnumBridge.convert(body.method), agreedOn: agreedOn, by: .staff(user))
        return .ok(.init(body: .json(try .init(overview))))
    }
}
