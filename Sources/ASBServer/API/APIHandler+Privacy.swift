import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func placeLegalHold(_ input: Operations.PlaceLegalHold.Input) async throws -> Operations.PlaceLegalHold.Output {
        let ctx = try context()
        let user = try ctx.staff()
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let asbCase = try await RetentionService(app: ctx.app, db: ctx.db, requestID: ctx.requestID)
            .setLegalHold(on: input.path.reference, reason: body.reason, hold: true, by: .staff(user))
        return .ok(.init(body: .json(.init(held: true, reason: asbCase.legalHoldReason, placedAt: asbCase.legalHoldAt))))
    }

    func liftLegalHold(_ input: Operations.LiftLegalHold.Input) async throws -> Operations.LiftLegalHold.Output {
        let ctx = try context()
        let user = try ctx.staff()
        _ = try await RetentionService(app: ctx.app, db: ctx.db, requestID: ctx.requestID)
            .setLegalHold(on: input.path.reference, reason: nil, hold: false, by: .staff(user))
        return .ok(.init(body: .json(.init(held: false))))
    }
}
