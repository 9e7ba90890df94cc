import ASBCore
import Foundation
import Vapor

/// Published performance (SS-MON-4): the last four quarters and the financial year, with small
/// numbers controlled (1 to 4 shown as "fewer than 5", percentages of fewer than 5 withheld).
/// The page, the CSV and the JSON are one table model, so they always agree.
extension PublicSite {
    struct PerformanceTable: Encodable, Sendable {
        var caption: String
        var periods: [String]
        var rows: [Row]
        struct Row: Encodable, Sendable {
            var label: String
            var values: [String]
        }
    }

    static func performanceTables(_ figures: [StatisticsService.PeriodFigures], homes: Int?) -> [PerformanceTable] {
        let periods = figures.map(\.period)
        func row(_ label: String, _ value: (StatisticsService.PeriodFigures) -> String) -> PerformanceTable.Row {
            .init(label: label, values: figures.map(value))
        }
        var compliance: [PerformanceTable.Row] = []
        for priority in Priority.allCases {
            for rule in ServiceClock.schedule(for: priority) {
                compliance.append(row("\(priority.displayName): \(rule.milestone.displayName.lowercased()) within \(rule.rule)") { f in
                    let c = f.compliance.first { $0.priority == priority.rawValue && $0.milestone == rule.milestone.rawValue }
                    guard let c, c.due > 0 else { return "No cases" }
                    let decided = c.met + c.breached
                    guard let percent = DisclosureControl.percentage(c.met, of: decided) else {
                        return decided == 0 ? "\(DisclosureControl.count(c.due)) pending" : "Fewer than 5 cases"
                    }
                    return "\(percent) met (\(DisclosureControl.count(decided)) cases)"
                })
            }
        }
        var timing: [PerformanceTable.Row] = []
        for priority in Priority.allCases {
            for rule in ServiceClock.schedule(for: priority) {
                timing.append(row("\(priority.displayName): time to \(rule.milestone.displayName.lowercased())") { f in
                    guard let t = f.timing.first(where: { $0.priority == priority.rawValue && $0.milestone == rule.milestone.rawValue }),
                          t.count >= DisclosureControl.threshold else { return "Too few cases to publish" }
                    let unit = t.unit == "workingHours" ? "working hours" : "working days"
                    return "median \(String(format: "%.1f", t.median)) \(unit); 9 in 10 within \(String(format: "%.1f", t.p90))"
                })
            }
        }
        var tables = [
            PerformanceTable(caption: "Response times met", periods: periods, rows: compliance),
            PerformanceTable(caption: "How long it took", periods: periods, rows: timing),
            PerformanceTable(caption: "Reports", periods: periods, rows: [
                row("New cases") { DisclosureControl.count($0.newCases - $0.notASB) },
                row("Hate crime and hate incident cases") { DisclosureControl.count($0.hateCases) },
                row("Reports recorded for information (not ASB)") { DisclosureControl.count($0.notASB) },
            ] + IncidentCategory.allCases.map { category in
                row("About: \(category.displayName.lowercased())") { DisclosureControl.count($0.byCategory[category.rawValue] ?? 0) }
            } + HateStrand.allCases.map { strand in
                row("Hate: \(strand.displayName.lowercased())") { DisclosureControl.count($0.byHateStrand[strand.rawValue] ?? 0) }
            }),
            PerformanceTable(caption: "Cases closed, by reason", periods: periods, rows: ClosureReason.allCases.map { reason in
                row(reason.displayName) { DisclosureControl.count($0.closedByReason[reason.rawValue] ?? 0) }
            }),
            PerformanceTable(caption: "Satisfaction with how we handled the case (our closure survey, not the regulator's TP12)",
                             periods: periods, rows: [
                row("Surveys answered") { DisclosureControl.count($0.surveysAnswered) },
                row("Satisfied (fairly or very)") { DisclosureControl.percentage($0.surveysSatisfied, of: $0.surveysAnswered) ?? "Too few answers to publish" },
            ]),
            PerformanceTable(caption: "Complaints and compliments", periods: periods, rows: [
                row("Complaints") { DisclosureControl.count($0.complaints) },
                row("Compliments") { DisclosureControl.count($0.compliments) },
            ]),
        ]
        if let year = figures.last {
            tables.append(PerformanceTable(caption: "Tenant Satisfaction Measure NM01, \(year.period)", periods: [year.period], rows: [
                .init(label: "NM01 (1): ASB cases opened per 1,000 homes",
                      values: [DisclosureControl.perThousandHomes(year.newCases - year.notASB, homes: homes) ?? "Homes count not set"]),
                .init(label: "NM01 (2): ASB cases involving hate incidents per 1,000 homes",
                      values: [DisclosureControl.perThousandHomes(year.hateCases, homes: homes) ?? "Homes count not set"]),
                .init(label: "Reports not counted (recorded for information, not ASB)", values: [DisclosureControl.count(year.notASB)]),
            ]))
        }
        return tables
    }

    struct PerformancePage: PageModel {
        var chrome: PageChrome
        var tables: [PerformanceTable]
    }

    private func tables(_ req: Request) async throws -> [PerformanceTable] {
        let figures = try await StatisticsService(app: req.application, db: req.db).published(now: req.application.asb.clock.now())
        return Self.performanceTables(figures, homes: req.application.asb.config.homes)
    }

    @Sendable func performance(_ req: Request) async throws -> Response {
        try await req.page("public/performance", PerformancePage(chrome: WebChrome.make(req, title: "How we are doing", posts: false), tables: try await tables(req)))
    }

    @Sendable func performanceJSON(_ req: Request) async throws -> Response {
        let body = try JSONEncoder.sorted.encode(try await tables(req))
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: body))
    }

    @Sendable func performanceCSV(_ req: Request) async throws -> Response {
        func cell(_ s: String) -> String { s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        var lines = ["table,measure,period,value"]
        for table in try await tables(req) {
            for row in table.rows {
                for (period, value) in zip(table.periods, row.values) {
                    lines.append([table.caption, row.label, period, value].map(cell).joined(separator: ","))
                }
            }
        }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"asb-performance.csv\"")
        return Response(status: .ok, headers: headers, body: .init(string: lines.joined(separator: "\r\n") + "\r\n"))
    }
}
