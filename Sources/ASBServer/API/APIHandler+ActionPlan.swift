import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func getActionPlan(_ input: Operations.GetActionPlan.Input) async throws -> Operations.GetActionPlan.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        return .ok(.init(body: .json(try .init(try await ctx.actionPlans.view(of: input.path.reference, by: .staff(user))))))
    }

    func agreeActionPlan(_ input: Operations.AgreeActionPlan.Input) async throws -> Operations.AgreeActionPlan.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let actions = try body.actions.enumerated().map { try ActionPlanService.NewAction($1, index: $0) }
        let view = try await ctx.actionPlans.agree(on: input.path.reference, agreedOn: body.agreedOn,
                                                   howAgreed: EnumBridge.convert(body.howAgreed), notes: body.notes,
                                                   actions: actions, by: .staff(user))
        return .ok(.init(body: .json(try .init(view))))
    }

    func updateAction(_ input: Operations.UpdateAction.Input) async throws -> Operations.UpdateAction.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        guard let id = UUID(uuidString: input.path.actionId) else { throw AppError.notFound("No such action in the current plan.") }
        let view = try await ctx.actionPlans.update(on: input.path.reference, action: id, status: EnumBridge.convert(body.status),
                                                    completedOn: body.completedOn, note: body.note, by: .staff(user))
        return .ok(.init(body: .json(try .init(view))))
    }
}
