import ASBCore
import Foundation
import OpenAPIRuntime
import Vapor

extension APIHandler {
    func receiveEmail(_ input: Operations.ReceiveEmail.Input) async throws -> Operations.ReceiveEmail.Output {
        let ctx = try context()
        // Off unless configured; the same 404 as any unknown address.
        guard let secret = ctx.app.asb.config.mail.inboundSecret else { throw AppError.notFound("There is nothing at this address.") }
        guard TrackingService.constantTimeEqual(input.headers.xASBInboundSecret, secret) else {
            throw AppError.unauthenticated("The inbound email secret is not right.")
        }
        guard case .messageRfc822(let body) = input.body else { throw AppError.badRequest("Send the message as message/rfc822.") }
        let raw = try await Data(collecting: body, upTo: ctx.app.asb.config.maxAttachmentBytes + 1)
        let result: EmailIntake.Result
        do {
            result = try await EmailIntake(app: ctx.app, db: ctx.db, requestID: ctx.requestID).receive(raw)
        } catch let refused as EmailIntake.Refused {
            throw ValidationFailure([FieldError("body", refused.description)])
        }
        switch result {
        case .newCase(let reference): return .created(.init(body: .json(.init(result: .newCase, reference: reference))))
        case .addedToCase(let reference): return .created(.init(body: .json(.init(result: .addedToCase, reference: reference))))
        case .duplicate: return .ok(.init(body: .json(.init(result: .duplicate))))
        }
    }
}
