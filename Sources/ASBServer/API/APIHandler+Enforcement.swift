import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func getEnforcement(_ input: Operations.GetEnforcement.Input) async throws -> Operations.GetEnforcement.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        return .ok(.init(body: .json(try .init(try await ctx.enforcement.view(of: input.path.reference, by: .staff(user))))))
    }

    func recordEnforcement(_ input: Operations.RecordEnforcement.Input) async throws -> Operations.RecordEnforcement.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let recorded = try await ctx.enforcement.record(
            on: input.path.reference, type: EnumBridge.convert(body._type), on: body.on, status: body.status.map { EnumBridge.convert($0) },
            againstPartyID: try UUID.parse(body.againstPartyId, field: "againstPartyId"), outcome: body.outcome, notes: body.notes,
            by: .staff(user))
        return .created(.init(body: .json(try .init(recorded.view, warnings: recorded.warnings))))
    }

    func updateEnforcement(_ input: Operations.UpdateEnforcement.Input) async throws -> Operations.UpdateEnforcement.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        guard let id = UUID(uuidString: input.path.actionId) else { throw AppError.notFound("No such enforcement action on this case.") }
        let view = try await ctx.enforcement.update(on: input.path.reference, action: id, status: EnumBridge.convert(body.status),
                                                    outcome: body.outcome, by: .staff(user))
        return .ok(.init(body: .json(try .init(view))))
    }

    func recordWitnessEvidence(_ input: Operations.RecordWitnessEvidence.Input) async throws -> Operations.RecordWitnessEvidence.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let view = try await ctx.enforcement.recordEvidence(
            on: input.path.reference, kind: EnumBridge.convert(body.kind), partyID: try UUID.parse(body.partyId, field: "partyId"),
            witnessName: body.witnessName, confirmedOn: body.confirmedOn, howConfirmed: body.howConfirmed, by: .staff(user))
        return .created(.init(body: .json(try .init(view))))
    }

    func approveWitnessEvidence(_ input: Operations.ApproveWitnessEvidence.Input) async throws -> Operations.ApproveWitnessEvidence.Output {
        let ctx = try context()
        let user = try ctx.staff(.allocateCase)
        guard let id = UUID(uuidString: input.path.evidenceId) else { throw AppError.notFound("No such witness evidence on this case.") }
        let view = try await ctx.enforcement.approveEvidence(on: input.path.reference, evidence: id, by: .staff(user))
        return .created(.init(body: .json(try .init(view))))
    }
}
