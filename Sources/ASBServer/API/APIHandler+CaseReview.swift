import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func listCaseReviewApplications(_ input: Operations.ListCaseReviewApplications.Input) async throws -> Operations.ListCaseReviewApplications.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        return .ok(.init(body: .json(try await ctx.caseReviews.applications(of: input.path.reference, by: .staff(user)).map { try .init($0) })))
    }

    func applyForCaseReview(_ input: Operations.ApplyForCaseReview.Input) async throws -> Operations.ApplyForCaseReview.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let list = try await ctx.caseReviews.apply(on: input.path.reference, appliedOn: body.appliedOn,
                                                   applicantPartyID: try UUID.parse(body.applicantPartyId, field: "applicantPartyId"),
                                                   by: .staff(user))
        return .created(.init(body: .json(try list.map { try .init($0) })))
    }

    func updateCaseReviewApplication(_ input: Operations.UpdateCaseReviewApplication.Input) async throws -> Operations.UpdateCaseReviewApplication.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        guard let id = UUID(uuidString: input.path.applicationId) else { throw AppError.notFound("No such application on this case.") }
        let list = try await ctx.caseReviews.update(on: input.path.reference, application: id, meetingOn: body.meetingOn,
                                                    outcome: body.outcome, recommendations: body.recommendations,
                                                    outcomeSentOn: body.outcomeSentOn, by: .staff(user))
        return .ok(.init(body: .json(try list.map { try .init($0) })))
    }
}
