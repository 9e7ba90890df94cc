import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func getClosure(_ input: Operations.GetClosure.Input) async throws -> Operations.GetClosure.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        let view = try await ctx.closure.view(of: input.path.reference, by: .staff(user))
        return .ok(.init(body: .json(try .init(view))))
    }

    func proposeClosure(_ input: Operations.ProposeClosure.Input) async throws -> Operations.ProposeClosure.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let view = try await ctx.closure.propose(
            on: input.path.reference,
            .init(reason: EnumBridge.convert(body.reason), explanation: body.explanation, withdrawalHow: body.withdrawalHow,
                  withdrawalOn: body.withdrawalOn),
            by: .staff(user))
        return .created(.init(body: .json(try .init(view))))
    }

    func recordClosureContact(_ input: Operations.RecordClosureContact.Input) async throws -> Operations.RecordClosureContact.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let view = try await ctx.closure.recordContact(on: input.path.reference, method: EnumBridge.convert(body.method),
                                                       outcome: EnumBridge.convert(body.outcome), reasons: body.reasons,
                                                       at: body.at, by: .staff(user))
        return .created(.init(body: .json(try .init(view))))
    }

    func approveClosure(_ input: Operations.ApproveClosure.Input) async throws -> Operations.ApproveClosure.Output {
        let ctx = try context()
        let user = try ctx.staff(.allocateCase)
        let view = try await ctx.closure.approve(on: input.path.reference, by: .staff(user))
        return .created(.init(body: .json(try .init(view))))
    }

    func closeCase(_ input: Operations.CloseCase.Input) async throws -> Operations.CloseCase.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        let view = try await ctx.closure.close(on: input.path.reference, by: .staff(user))
        return .ok(.init(body: .json(try .init(view))))
    }

    func reopenCase(_ input: Operations.ReopenCase.Input) async throws -> Operations.ReopenCase.Output {
        let ctx = try context()
        let user = try ctx.staff(.allocateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let view = try await ctx.closure.reopen(on: input.path.reference, reason: body.reason, by: .staff(user))
        return .created(.init(body: .json(try .init(view))))
    }
}

extension Components.Schemas.ClosureProposalView {
    init(_ p: ClosureProposal) throws {
        self.init(
            id: try p.requireID().text, reason: EnumBridge.convert(p.reason), explanation: p.explanation,
            withdrawalHow: p.withdrawalHow, withdrawalOn: p.withdrawalOn, status: EnumBridge.convert(p.status),
            proposedBy: .init(p.$proposedBy.value ?? nil), proposedAt: p.proposedAt, approvedBy: .init(p.$approvedBy.value ?? nil),
            approvedAt: p.approvedAt, endNote: p.endNote, reporterDisagreed: ClosureRules.reporterDisagreed(p.contacts.map(\.rule)),
            contacts: p.contacts.sorted { $0.at < $1.at }.map {
                .init(method: $0.method.rawValue, outcome: $0.outcome.rawValue, reasons: $0.reasons, at: $0.at,
                      recordedBy: .init($0.$recordedBy.value ?? nil))
            })
    }
}

extension Components.Schemas.ClosureView {
    init(_ v: ClosureService.View) throws {
        self.init(status: EnumBridge.convert(v.status), anonymous: v.anonymous, current: try v.current.map { try .init($0) },
                  blockedBy: v.blockedBy.map {
                      .init(_type: Problem.typeBase + "rule", title: "Refused by a rule of the service standard", status: 409,
                            detail: $0.description, code: $0.code, clause: $0.clause)
                  },
                  history: try v.history.map { try .init($0) })
    }
}
