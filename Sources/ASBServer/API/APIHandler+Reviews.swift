import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func listReviews(_ input: Operations.ListReviews.Input) async throws -> Operations.ListReviews.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        return .ok(.init(body: .json(try await ctx.reviews.list(of: input.path.reference, by: .staff(user)).map { try .init($0) })))
    }

    func scheduleReview(_ input: Operations.ScheduleReview.Input) async throws -> Operations.ScheduleReview.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let meetings = try await ctx.reviews.schedule(
            on: input.path.reference, for: body.scheduledFor, attendees: body.attendees ?? [],
            agencyIDs: try (body.agencyIds ?? []).map { try UUID.parse($0, field: "agencyIds")! }, by: .staff(user))
        return .created(.init(body: .json(try meetings.map { try .init($0) })))
    }

    func recordReview(_ input: Operations.RecordReview.Input) async throws -> Operations.RecordReview.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        guard let id = UUID(uuidString: input.path.meetingId) else { throw AppError.notFound("No such review meeting on this case.") }
        let actions = try (body.actions ?? []).enumerated().map { try ActionPlanService.NewAction($1, index: $0) }
        let meetings = try await ctx.reviews.recordHeld(
            on: input.path.reference, meeting: id,
            .init(heldOn: body.heldOn, attendees: body.attendees ?? [],
                  agencyIDs: try (body.agencyIds ?? []).map { try UUID.parse($0, field: "agencyIds")! }, summary: body.summary,
                  decisions: body.decisions, nextReviewOn: body.nextReviewOn, actions: actions),
            by: .staff(user))
        return .ok(.init(body: .json(try meetings.map { try .init($0) })))
    }
}
