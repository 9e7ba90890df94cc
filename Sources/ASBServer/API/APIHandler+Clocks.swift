import ASBCore
import Foundation
import Vapor

extension APIHandler {
    func listHolidays(_ input: Operations.ListHolidays.Input) async throws -> Operations.ListHolidays.Output {
        let ctx = try context()
        let holidays = try await ctx.calendar.holidays(year: input.query.year,
                                                       region: input.query.region.map { EnumBridge.convert($0) })
        return .ok(.init(body: .json(holidays.map {
            .init(date: $0.date.description, name: $0.name, kind: EnumBridge.convert($0.kind))
        })))
    }

    func listCalendarOverrides(_ input: Operations.ListCalendarOverrides.Input) async throws -> Operations.ListCalendarOverrides.Output {
        let ctx = try context()
        _ = try ctx.staff(.manageReferenceData)
        return .ok(.init(body: .json(try await ctx.calendar.overrides().map { try .init($0) })))
    }

    func createCalendarOverride(_ input: Operations.CreateCalendarOverride.Input) async throws -> Operations.CreateCalendarOverride.Output {
        let ctx = try context()
        let admin = try ctx.staff(.manageReferenceData)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let override = try await ctx.calendar.addOverride(
            kind: EnumBridge.convert(body.kind), date: body.date, name: body.name,
            region: body.region.map { EnumBridge.convert($0) }, by: .staff(admin))
        return .created(.init(body: .json(try .init(override))))
    }

    func deleteCalendarOverride(_ input: Operations.DeleteCalendarOverride.Input) async throws -> Operations.DeleteCalendarOverride.Output {
        let ctx = try context()
        let admin = try ctx.staff(.manageReferenceData)
        guard let id = UUID(uuidString: input.path.overrideId) else { throw AppError.notFound("No such calendar change.") }
        try await ctx.calendar.deleteOverride(id, by: .staff(admin))
        return .noContent(.init())
    }

    func getRiskQuestionnaire(_ input: Operations.GetRiskQuestionnaire.Input) async throws -> Operations.GetRiskQuestionnaire.Output {
        .ok(.init(body: .json(.init(RiskQuestionnaire.standard))))
    }

    func listAssessments(_ input: Operations.ListAssessments.Input) async throws -> Operations.ListAssessments.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        let records = try await ctx.assessments.list(input.path.reference, by: .staff(user))
        return .ok(.init(body: .json(try records.map { try .init($0) })))
    }

    func assessCase(_ input: Operations.AssessCase.Input) async throws -> Operations.AssessCase.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let detail = try await ctx.assessments.assess(
            input.path.reference,
            .init(answers: body.answers?.additionalProperties ?? [:], priority: body.priority.map { EnumBridge.convert($0) },
                  overrideReason: body.overrideReason, notASB: body.notASB,
                  expectedVersion: try ETag.parse(ctx.request.headers.first(name: .ifMatch))),
            by: .staff(user))
        ctx.request.responseVersion = detail.asbCase.version
        return .created(.init(body: .json(try .init(detail))))
    }

    func recordMilestone(_ input: Operations.RecordMilestone.Input) async throws -> Operations.RecordMilestone.Output {
        let ctx = try context()
        let user = try ctx.staff(.recordReport)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let now = ctx.now
        let deadlines = try await ctx.cases.recordMilestone(EnumBridge.convert(body.milestone), on: input.path.reference,
                                                            metAt: body.metAt, note: body.note, by: .staff(user))
        return .created(.init(body: .json(deadlines.map { .init($0, now: now) })))
    }

    func getQueue(_ input: Operations.GetQueue.Input) async throws -> Operations.GetQueue.Output {
        let ctx = try context()
        let user = try ctx.staff()
        guard let name = QueueService.Name(rawValue: input.path.name.rawValue) else { throw AppError.notFound("No such queue.") }
        let now = ctx.now
        let page = try await ctx.queues.page(name, for: user, calendar: try await ctx.calendar.calendar(), now: now,
                                             cursor: input.query.cursor, limit: try PageSize.resolve(input.query.limit))
        return .ok(.init(body: .json(.init(items: page.items.map { .init($0, now: now) }, nextCursor: page.nextCursor))))
    }
}

extension Components.Schemas.CalendarOverride {
    init(_ o: CalendarOverride) throws {
        self.init(id: try o.requireID().text, region: EnumBridge.convert(o.region), kind: EnumBridge.convert(o.kind),
                  date: o.date, name: o.name)
    }
}
