import ASBCore
import Foundation
import Vapor

/// The staff dashboard (SS-MON-1): the report's charts, response times met by officer and by
/// neighbourhood this financial year, the open caseload by age, and the live queues.
extension StaffSite {
    struct DashboardPage: PageModel {
        var chrome: PageChrome
        var queues: [HomePage.QueueSummary]?
        var charts: [PublicSite.Chart]
        var tables: [Table]
    }

    @Sendable func dashboard(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.readStatistics)
        let (charts, _) = try await PublicSite.chartsNow(req)
        // This financial year so far, live (the published page shows the last complete one).
        let now = req.application.asb.clock.now()
        let year = try await StatisticsService(app: req.application, db: req.db)
            .figures(for: .financialYear(containing: LondonTime.localDateTime(for: now).date), now: now)
        func table(_ caption: String, _ header: String, _ rows: [StatisticsService.GroupCompliance]) -> Table {
            Table(caption: caption, headers: [header, "Deadlines met", "Met", "Breached", "Pending"], rows: rows.map { r in
                [.init(text: r.name), .init(text: DisclosureControl.percentage(r.met, of: r.decided) ?? "Fewer than 5 decided"),
                 .init(text: String(r.met)), .init(text: String(r.breached)), .init(text: String(r.pending))]
            })
        }
        let caseload = Table(caption: "Open cases by age, \(year.openCaseload.asAt): \(year.openCaseload.open) open",
                             headers: ["Age", "Open cases"], rows: CaseloadAgeBand.allCases.map { band in
            [.init(text: band.displayName), .init(text: String(year.openCaseload.byAge[band.rawValue] ?? 0))]
        })
        var queues: [HomePage.QueueSummary] = []
        for info in Self.queues(for: user) where info.slug != "mine" {
            queues.append(.init(slug: info.slug, title: info.title, explanation: info.explanation,
                                count: try await Self.count(of: info.slug, for: user, req: req),
                                href: "/staff/queues/\(info.slug)", table: nil))
        }
        return try await req.page("staff/dashboard", DashboardPage(
            chrome: WebChrome.make(req, title: "Dashboard"), queues: queues.nilIfEmpty, charts: charts,
            tables: [table("Response times met by officer, \(year.period)", "Officer", year.complianceByOfficer),
                     table("Response times met by neighbourhood, \(year.period)", "Neighbourhood", year.complianceByNeighbourhood),
                     caseload]))
    }
}
