import ASBCore
import Vapor

extension APIHandler {
    func trackCase(_ input: Operations.TrackCase.Input) async throws -> Operations.TrackCase.Output {
        let ctx = try context()
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let client = ctx.request.remoteAddress?.ipAddress ?? "unknown"
        let view = try await ctx.tracking.track(reference: body.reference, accessCode: body.accessCode, clientAddress: client)
        let c = view.asbCase
        return .ok(.init(body: .json(.init(
            reference: c.reference, status: EnumBridge.convert(c.status), statusDescription: c.status.reporterDescription,
            priority: c.priority.map { EnumBridge.convert($0) }, receivedAt: c.receivedAt,
            allocatedOfficer: view.officerName, nextContactOn: view.nextContactOn,
            reporterActions: view.reporterActions.map { .init(what: $0.what, dueOn: $0.dueOn, status: EnumBridge.convert($0.status)) }))))
    }
}
