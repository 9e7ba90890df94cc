import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func submitReport(_ input: Operations.SubmitReport.Input) async throws -> Operations.SubmitReport.Output {
        let ctx = try context()
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        if ctx.request.sentInvalidCredentials { throw AppError.unauthenticated("Your staff token is not valid: sign in again.") }
        let user = ctx.request.auth.get(User.self)
        if let user, !user.role.may(.recordReport) {
            throw AppError.forbidden("Your role does not record reports.")
        }
        if user == nil, body.channel != .web {
            throw AppError.unauthenticated("Only staff can record a report received by \(body.channel.rawValue): sign in first.")
        }
        let actor: Actor = user.map { .staff($0) } ?? .publicReporter

        var draft = ReportDraft(
            channel: EnumBridge.convert(body.channel), anonymous: body.anonymous ?? false,
            reporter: body.reporter.map(ReportDraft.Person.init), description: body.description,
            occurredOn: body.occurredOn, occurredAt: body.occurredAt, location: body.location, postcode: body.postcode,
            categories: EnumBridge.convert(body.categories ?? []), hate: body.hate ?? false,
            hateStrands: EnumBridge.convert(body.hateStrands ?? []),
            allegedPerpetrator: body.allegedPerpetrator.map(ReportDraft.Person.init),
            immediateDanger: body.immediateDanger ?? false, receivedAt: body.receivedAt)
        draft.guidanceGiven = EnumBridge.convert(body.guidanceGiven ?? [])
        // The body as sorted JSON identifies a retry, so it is written only when one may come.
        let idempotency = try input.headers.idempotencyKey.flatMap {
            try IntakeService.IdempotencyClaim.make(key: $0, canonicalBody: try JSONEncoder.sorted.encode(body), actor: actor)
        }
        let receipt = try await ctx.intake.submit(
            draft, riskAnswers: body.riskAnswers?.additionalProperties ?? [:], caseReference: body.caseReference, by: actor,
            idempotency: idempotency)
        return .created(.init(body: .json(.init(receipt))))
    }

    func addIncident(_ input: Operations.AddIncident.Input) async throws -> Operations.AddIncident.Output {
        let ctx = try context()
        let user = try ctx.staff(.recordReport)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        var draft = ReportDraft(
            channel: EnumBridge.convert(body.channel), description: body.description, occurredOn: body.occurredOn,
            occurredAt: body.occurredAt, location: body.location, postcode: body.postcode,
            categories: EnumBridge.convert(body.categories ?? []), hate: body.hate ?? false,
            hateStrands: EnumBridge.convert(body.hateStrands ?? []), immediateDanger: body.immediateDanger ?? false,
            receivedAt: body.receivedAt)
        draft.guidanceGiven = EnumBridge.convert(body.guidanceGiven ?? [])
        let incident = try await ctx.intake.addIncident(draft, toCase: input.path.reference, by: .staff(user))
        return .created(.init(body: .json(try .init(incident))))
    }
}

extension Components.Schemas.ReportReceipt {
    init(_ r: IntakeService.Receipt) {
        self.init(reference: r.reference, accessCode: r.accessCode, status: EnumBridge.convert(r.status),
                  priority: r.priority.map { EnumBridge.convert($0) }, receivedAt: r.receivedAt,
                  incidentId: r.incidentID.text, emergencyAdvice: r.emergencyAdvice,
                  links: .init(track: "/api/v1/track", _case: "/api/v1/cases/\(r.reference)"))
    }
}
