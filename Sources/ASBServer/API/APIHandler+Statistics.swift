import ASBCore
import Fluent
import Foundation
import Vapor

extension APIHandler {
    func getPerformance(_ input: Operations.GetPerformance.Input) async throws -> Operations.GetPerformance.Output {
        let ctx = try context()
        _ = try ctx.staff(.readStatistics)
        let figures = try await StatisticsService.figures(year: input.query.year, app: ctx.app, db: ctx.db, now: ctx.now)
        return .ok(.init(body: .json(figures.map { f in
            .init(period: f.period, from: f.from, to: f.to, newCases: f.newCases, hateCases: f.hateCases, notASB: f.notASB,
                  byChannel: .init(additionalProperties: f.byChannel),
                  compliance: f.compliance.map { .init(priority: $0.priority, milestone: $0.milestone, due: $0.due, met: $0.met,
                                                       breached: $0.breached, pending: $0.pending) },
                  timing: f.timing.map { .init(priority: $0.priority, milestone: $0.milestone, unit: $0.unit == "workingHours" ? .workingHours : .workingDays,
                                               count: $0.count, median: $0.median, p90: $0.p90) },
                  byCategory: .init(additionalProperties: f.byCategory), byHateStrand: .init(additionalProperties: f.byHateStrand),
                  closedByReason: .init(additionalProperties: f.closedByReason), surveysAnswered: f.surveysAnswered,
                  surveysSatisfied: f.surveysSatisfied, complaints: f.complaints, compliments: f.compliments)
        })))
    }
}

extension StatisticsService {
    /// A financial year's figures (`2026/27`), or without one the published periods: the API and
    /// `asb stats` answer through this one function.
    static func figures(year: String?, app: Application, db: any Database, now: Date) async throws -> [PeriodFigures] {
        let service = StatisticsService(app: app, db: db)
        guard let year else { return try await service.published(now: now) }
        guard let start = startYear(of: year) else { throw AppError.badRequest("year must be a financial year like 2026/27.") }
        return try await service.year(startingIn: start, now: now)
    }
}
