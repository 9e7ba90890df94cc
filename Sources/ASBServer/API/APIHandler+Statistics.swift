import ASBCore
import Fluent
import Foundation
import Vapor

extension APIHandler {
    func getPerformance(_ input: Operations.GetPerformance.Input) async throws -> Operations.GetPerformance.Output {
        let ctx = try context()
        _ = try ctx.staff(.readStatistics)
        let figures = try await StatisticsService.figures(year: input.query.year, breakdown: input.query.breakdown?.rawValue,
                                                          app: ctx.app, db: ctx.db, now: ctx.now)
        // The document is the service's own encoding, the one `asb stats` prints, read back as the
        // generated type: the API and the command cannot drift apart, and a field missing from
        // openapi.yaml fails here (and in the statistics tests) rather than vanishing.
        let body = try JSONDecoder().decode([Components.Schemas.PeriodFigures].self, from: try JSONEncoder.sorted.encode(figures))
        return .ok(.init(body: .json(body)))
    }

    func listHomesCounts(_ input: Operations.ListHomesCounts.Input) async throws -> Operations.ListHomesCounts.Output {
        let ctx = try context()
        let user = try ctx.staff()
        guard user.role.may(.manageReferenceData) || user.role.may(.readStatistics) else { throw AppError.forbidden() }
        let entries = try await HomesService(app: ctx.app, db: ctx.db, requestID: ctx.requestID).all()
        return .ok(.init(body: .json(entries.map { .init(year: $0.year, homes: $0.homes, updatedAt: $0.updatedAt) })))
    }

    func setHomesCount(_ input: Operations.SetHomesCount.Input) async throws -> Operations.SetHomesCount.Output {
        let ctx = try context()
        let admin = try ctx.staff(.manageReferenceData)
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let entry = try await HomesService(app: ctx.app, db: ctx.db, requestID: ctx.requestID)
            .set(year: body.year, homes: body.homes, by: .staff(admin))
        return .ok(.init(body: .json(.init(year: entry.year, homes: entry.homes, updatedAt: entry.updatedAt))))
    }
}

extension StatisticsService {
    /// A financial year's figures (`2026/27`, by quarter or month), or without one the published
    /// periods: the API and `asb stats` answer through this one function.
    static func figures(year: String?, breakdown: String? = nil, app: Application, db: any Database, now: Date) async throws -> [PeriodFigures] {
        let service = StatisticsService(app: app, db: db)
        let split = try breakdown.map { raw in
            guard let value = Breakdown(rawValue: raw) else { throw AppError.badRequest("breakdown must be quarters or months.") }
            return value
        } ?? .quarters
        guard let year else {
            guard breakdown == nil else { throw AppError.badRequest("breakdown needs a year, like year=2026/27.") }
            return try await service.published(now: now)
        }
        guard let start = startYear(of: year) else { throw AppError.badRequest("year must be a financial year like 2026/27.") }
        return try await service.year(startingIn: start, by: split, now: now)
    }
}
