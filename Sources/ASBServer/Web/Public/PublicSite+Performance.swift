import ASBCore
import Foundation
import Vapor

/// Published performance (SS-MON-4): the last four quarters and the last complete financial year, with small
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

    static func performanceTables(_ figures: [StatisticsService.PeriodFigures]) -> [PerformanceTable] {
        let periods = figures.map(\.period)
        func row(_ label: String, _ value: (StatisticsService.PeriodFigures) -> String) -> PerformanceTable.Row {
            .init(label: label, values: figures.map(value))
        }
        func share(_ part: Int, of whole: Int, _ noun: String) -> String {
            guard whole > 0 else { return "No \(noun)" }
            return DisclosureControl.percentage(part, of: whole).map { "\($0) (\(DisclosureControl.count(whole)) \(noun))" }
                ?? "Too few \(noun) to publish"
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
                row("New cases") { DisclosureControl.count($0.newCases) },
                row("Hate crime and hate incident cases") { DisclosureControl.count($0.hateCases) },
                row("Reports recorded for information (not ASB)") { DisclosureControl.count($0.notASB) },
                row("People who had reported in the 12 months before") { DisclosureControl.count($0.repeatVictims) },
            ] + ReportChannel.allCases.map { channel in
                row("Reported by: \(channel.displayName)") { DisclosureControl.count($0.byChannel[channel.rawValue] ?? 0) }
            } + IncidentCategory.allCases.map { category in
                row("About: \(category.displayName.lowercased())") { DisclosureControl.count($0.byCategory[category.rawValue] ?? 0) }
            } + HateStrand.allCases.map { strand in
                row("Hate: \(strand.displayName.lowercased())") { DisclosureControl.count($0.byHateStrand[strand.rawValue] ?? 0) }
            }),
            PerformanceTable(caption: "Cases closed, by reason", periods: periods, rows: ClosureReason.allCases.map { reason in
                row(reason.displayName) { DisclosureControl.count($0.closedByReason[reason.rawValue] ?? 0) }
            } + [
                row("Median days from report to closure") { f in
                    guard f.caseDuration.closed >= DisclosureControl.threshold, let median = f.caseDuration.medianDays else {
                        return "Too few cases to publish"
                    }
                    return String(format: "%.0f", median)
                },
            ]),
            PerformanceTable(caption: "Satisfaction with how we handled the case (our closure survey, not the regulator's TP12)",
                             periods: periods, rows: [
                row("Surveys answered") { DisclosureControl.count($0.satisfaction.overall.answered) },
                row("Satisfied overall (fairly or very)") { share($0.satisfaction.overall.positive, of: $0.satisfaction.overall.answered, "answers") },
                row("Satisfied we kept them informed") { share($0.satisfaction.keptInformed.positive, of: $0.satisfaction.keptInformed.answered, "answers") },
                row("Found it easy to report") { share($0.satisfaction.easeOfReporting.positive, of: $0.satisfaction.easeOfReporting.answered, "answers") },
                row("Satisfied we listened") { share($0.satisfaction.listenedTo.positive, of: $0.satisfaction.listenedTo.answered, "answers") },
                row("Would report to us again") { share($0.satisfaction.wouldReportAgain.positive, of: $0.satisfaction.wouldReportAgain.answered, "answers") },
            ]),
            PerformanceTable(caption: "Complaints and compliments", periods: periods, rows: [
                row("Complaints") { DisclosureControl.count($0.complaints.received) },
                row("Acknowledged within 5 working days") { share($0.complaints.acknowledgedOnTime, of: $0.complaints.acknowledged, "complaints") },
                row("Answered within 10 working days of acknowledgement") { share($0.complaints.answeredOnTime, of: $0.complaints.answered, "complaints") },
                row("Compliments") { DisclosureControl.count($0.complaints.compliments) },
            ]),
        ]
        if let year = figures.last, let nm01 = year.nm01 {
            func rate(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "Homes count not set" }
            tables.append(PerformanceTable(caption: "Tenant Satisfaction Measure NM01, \(year.period)", periods: [year.period], rows: [
                .init(label: "NM01 (1): ASB cases opened per 1,000 homes", values: [rate(nm01.asbPerThousandHomes)]),
                .init(label: "NM01 (2): ASB cases involving hate incidents per 1,000 homes", values: [rate(nm01.hatePerThousandHomes)]),
                .init(label: "Reports not counted (recorded for information, not ASB)", values: [DisclosureControl.count(nm01.excludedNotASB)]),
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
        return Self.performanceTables(figures)
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
        var lines = ["table,measure,period,value"]
        for table in try await tables(req) {
            for row in table.rows {
                for (period, value) in zip(table.periods, row.values) {
                    lines.append([table.caption, row.label, period, value].map(StatisticsCSV.cell).joined(separator: ","))
                }
            }
        }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"asb-performance.csv\"")
        return Response(status: .ok, headers: headers, body: .init(string: lines.joined(separator: "\r\n") + "\r\n"))
    }
}
