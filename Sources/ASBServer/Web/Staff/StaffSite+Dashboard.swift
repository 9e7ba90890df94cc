import ASBCore
import Foundation
import Vapor

/// The staff dashboard (SS-MON-1): the report's charts, response times met by officer and by
/// neighbourhood this financial year, and the live queues.
extension StaffSite {
    struct DashboardPage: PageModel {
        var chrome: PageChrome
        var queues: [HomePage.QueueSummary]?
        var charts: [PublicSite.Chart]
        var tables: [Table]
    }

    @Sendable func dashboard(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.readStatistics)
        let now = req.application.asb.clock.now()
        let (charts, _) = try await PublicSite.chartsNow(req)
        let year = ReportingPeriod.financialYear(containing: LondonTime.localDateTime(for: now).date)
        let service = StatisticsService(app: req.application, db: req.db)
        func table(_ caption: String, _ rows: [StatisticsService.GroupCompliance]) -> Table {
            Table(caption: caption, headers: [caption.hasPrefix("Response times met by officer") ? "Officer" : "Neighbourhood", "Deadlines met", "Decided"], rows: rows.map { r in
                [.init(text: r.name), .init(text: DisclosureControl.percentage(r.met, of: r.decided) ?? "Fewer than 5 decided"),
                 .init(text: String(r.decided))]
            })
        }
        var queues: [HomePage.QueueSummary] = []
        for info in Self.queues(for: user) where info.slug != "mine" {
            let page = try await Self.rows(of: info.slug, for: user, cursor: nil, limit: Self.homeCountLimit, sort: nil, req: req)
            queues.append(.init(slug: info.slug, title: info.title, explanation: info.explanation,
                                count: page.nextCursor == nil ? "\(page.rows.count)" : "\(Self.homeCountLimit) or more",
                                href: "/staff/queues/\(info.slug)", rows: nil))
        }
        return try await req.page("staff/dashboard", DashboardPage(
            chrome: WebChrome.make(req, title: "Dashboard"), queues: queues.nilIfEmpty, charts: charts,
            tables: [table("Response times met by officer, \(year.label)", try await service.compliance(by: .officer, in: year, now: now)),
                     table("Response times met by neighbourhood, \(year.label)", try await service.compliance(by: .neighbourhood, in: year, now: now))]))
    }
}
