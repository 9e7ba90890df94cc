import ASBCore
import Vapor

extension APIHandler {
    func trackCase(_ input: Operations.TrackCase.Input) async throws -> Operations.TrackCase.Output {
        let ctx = try context()
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let client = ctx.request.clientAddress
        let view = try await ctx.tracking.track(reference: body.reference, accessCode: body.accessCode, clientAddress: client)
        let c = view.asbCase
        return .ok(.init(body: .json(.init(
            reference: c.reference, status: EnumBridge.convert(c.status), statusDescription: c.status.reporterDescription,
            priority: c.priority.map { EnumBridge.convert($0) }, receivedAt: c.receivedAt,
            allocatedOfficer: view.officerName, nextContactOn: view.nextContactOn,
            caseReview: c.caseReviewStatus == nil ? nil : .init(
                thresholdMet: true, canApply: view.caseReviewCanApply,
                message: view.caseReviewCanApply ? CaseReviewService.howToApply : CaseReviewThreshold.anonymousCannotApply),
            reporterActions: view.reporterActions.map { .init(what: $0.what, dueOn: $0.dueOn, status: EnumBridge.convert($0.status)) }))))
    }

    func trackAddIncident(_ input: Operations.TrackAddIncident.Input) async throws -> Operations.TrackAddIncident.Output {
        let ctx = try context()
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let draft = ReportDraft(
            channel: .web, description: body.description, occurredOn: body.occurredOn, occurredAt: body.occurredAt,
            location: body.location, postcode: body.postcode, categories: EnumBridge.convert(body.categories ?? []),
            hate: body.hate ?? false, hateStrands: EnumBridge.convert(body.hateStrands ?? []),
            immediateDanger: body.immediateDanger ?? false)
        let receipt = try await ctx.tracking.addIncident(reference: body.reference, accessCode: body.accessCode,
                                                         clientAddress: ctx.request.clientAddress, draft: draft)
        return .created(.init(body: .json(.init(receipt))))
    }
}
