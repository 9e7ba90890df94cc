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

extension APIHandler {
    func exportSubjectAccess(_ input: Operations.ExportSubjectAccess.Input) async throws -> Operations.ExportSubjectAccess.Output {
        let ctx = try context()
        let user = try ctx.staff()
        guard user.role == .admin else { throw AppError.forbidden("Only an admin answers subject access requests.") }
        guard let id = UUID(uuidString: input.path.partyId) else { throw AppError.notFound("No such person.") }
        let export = try await SubjectAccessService(app: ctx.app, db: ctx.db, requestID: ctx.requestID).export(partyID: id, by: .staff(user))
        if input.query.format == .html {
            let html = SubjectAccessService.html(export, landlord: ctx.app.asb.config.mail.landlordName)
            return .ok(.init(headers: .init(contentDisposition: "attachment; filename=\"subject-access-\(id.text.prefix(8)).html\""),
                             body: .html(.init(html))))
        }
        // The service's own encoding read back as the generated type, as for the statistics.
        return .ok(.init(body: .json(try JSONDecoder().decode(Components.Schemas.SubjectAccessExport.self, from: try JSONEncoder.sorted.encode(export)))))
    }

    func listAudit(_ input: Operations.ListAudit.Input) async throws -> Operations.ListAudit.Output {
        let ctx = try context()
        let user = try ctx.staff(.readAudit)
        guard let id = UUID(uuidString: input.query.party) else { throw AppError.badRequest("party must be a person's id.") }
        let page = try await PartyService(app: ctx.app, db: ctx.db, requestID: ctx.requestID)
            .audit(of: id, cursor: input.query.cursor, limit: try PageSize.resolve(input.query.limit), by: .staff(user))
        return .ok(.init(body: .json(.init(items: try page.items.map { try .init($0) }, nextCursor: page.nextCursor))))
    }
}
