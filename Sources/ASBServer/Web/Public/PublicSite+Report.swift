import ASBCore
import Foundation
import Vapor

/// The printable quarterly report (SS-MON-4): charts drawn on the server as SVG, each with its
/// numbers as a table beside it, for the resident magazine and the board. The staff dashboard
/// shows the same charts.
extension PublicSite {
    struct Chart: Encodable, Sendable {
        var id: String
        var title: String
        var svg: String
        /// The chart's numbers as text (its text alternative, also printed).
        var table: PerformanceTable
    }

    static func charts(quarter: StatisticsService.PeriodFigures, year: StatisticsService.PeriodFigures,
                       months: [(label: String, value: Int)]) -> [Chart] {
        var complianceBars: [SVGChart.Bar] = []
        for priority in Priority.allCases {
            for rule in ServiceClock.schedule(for: priority) {
                let c = quarter.compliance.first { $0.priority == priority.rawValue && $0.milestone == rule.milestone.rawValue }
                let decided = (c?.met ?? 0) + (c?.breached ?? 0)
                let percent = DisclosureControl.percentage(c?.met ?? 0, of: decided)
                complianceBars.append(.init(label: "P\(priority.rawValue) \(rule.milestone.displayName.lowercased())",
                                            value: percent == nil ? 0 : Double(c?.met ?? 0) * 100 / Double(max(decided, 1)),
                                            valueText: percent.map { "\($0) met" } ?? "too few to publish"))
            }
        }
        let outcomeBars = ClosureReason.allCases.map { reason -> SVGChart.Bar in
            let n = year.closedByReason[reason.rawValue] ?? 0
            let shown = DisclosureControl.count(n)
            return .init(label: reason.displayName, value: (1..<DisclosureControl.threshold).contains(n) ? 0 : Double(n), valueText: shown)
        }
        let trend = months.map { month in
            (label: month.label, value: Double((1..<DisclosureControl.threshold).contains(month.value) ? 0 : month.value),
             valueText: (1..<DisclosureControl.threshold).contains(month.value) ? "<5" : String(month.value))
        }
        return [
            Chart(id: "chart-compliance", title: "Response times met, \(quarter.period)",
                  svg: SVGChart.bars(id: "chart-compliance", title: "Response times met, \(quarter.period)",
                                     description: complianceBars.map { "\($0.label): \($0.valueText)" }.joined(separator: "; "),
                                     bars: complianceBars, maximum: 100),
                  table: .init(caption: "Response times met, \(quarter.period)", periods: [quarter.period],
                               rows: complianceBars.map { .init(label: $0.label, values: [$0.valueText]) })),
            Chart(id: "chart-trend", title: "New cases by month",
                  svg: SVGChart.line(id: "chart-trend", title: "New cases by month",
                                     description: months.map { "\($0.label): \(DisclosureControl.count($0.value))" }.joined(separator: "; "),
                                     points: trend),
                  table: .init(caption: "New cases by month", periods: ["New cases"],
                               rows: months.map { .init(label: $0.label, values: [DisclosureControl.count($0.value)]) })),
            Chart(id: "chart-outcomes", title: "Cases closed by reason, \(year.period)",
                  svg: SVGChart.bars(id: "chart-outcomes", title: "Cases closed by reason, \(year.period)",
                                     description: outcomeBars.map { "\($0.label): \($0.valueText)" }.joined(separator: "; "), bars: outcomeBars),
                  table: .init(caption: "Cases closed by reason, \(year.period)", periods: [year.period],
                               rows: outcomeBars.map { .init(label: $0.label, values: [$0.valueText]) })),
        ]
    }

    /// The charts of the quarter running now and of the last complete financial year.
    static func chartsNow(_ req: Request) async throws -> (charts: [Chart], quarter: String) {
        let service = StatisticsService(app: req.application, db: req.db)
        let now = req.application.asb.clock.now()
        let figures = try await service.published(now: now)
        let quarter = figures[figures.count - 2], year = figures[figures.count - 1]
        return (charts(quarter: quarter, year: year, months: try await service.newCasesByMonth(now: now)), quarter.period)
    }

    struct ReportPage: PageModel {
        var chrome: PageChrome
        var quarter: String
        var landlord: String
        var charts: [Chart]
    }

    @Sendable func quarterlyReport(_ req: Request) async throws -> Response {
        let (charts, quarter) = try await Self.chartsNow(req)
        return try await req.page("public/report", ReportPage(
            chrome: WebChrome.make(req, title: "Anti-social behaviour: quarterly report", posts: false), quarter: quarter,
            landlord: req.application.asb.config.mail.landlordName, charts: charts))
    }
}
