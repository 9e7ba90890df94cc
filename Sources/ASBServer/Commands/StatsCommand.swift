import Foundation
import Vapor

/// `asb stats [--year 2026/27] [--format json|csv]`: the same figures as `GET /api/v1/statistics/performance`.
struct StatsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "year", help: "A financial year like 2026/27 (default: the last four quarters and this year)") var year: String?
        @Option(name: "format", help: "json (default) or csv") var format: String?
        init() {}
    }

    var help: String { "Prints the performance figures as JSON or CSV, as the statistics API returns them." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let figures = try await StatisticsService.figures(year: signature.year, app: app, db: app.db, now: app.asb.clock.now())
        switch signature.format ?? "json" {
        case "json":
            let encoder = JSONEncoder.sorted
            encoder.outputFormatting.insert(.prettyPrinted)
            context.console.output(String(decoding: try encoder.encode(figures), as: UTF8.self).consoleText())
        case "csv":
            var lines = ["period,from,to,measure,value"]
            for f in figures {
                func line(_ measure: String, _ value: Int) { lines.append("\"\(f.period)\",\(f.from),\(f.to),\(measure),\(value)") }
                line("newCases", f.newCases)
                line("hateCases", f.hateCases)
                line("notASB", f.notASB)
                for (channel, n) in f.byChannel.sorted(by: { $0.key < $1.key }) { line("channel.\(channel)", n) }
                for c in f.compliance {
                    for (name, n) in [("due", c.due), ("met", c.met), ("breached", c.breached), ("pending", c.pending)] {
                        line("p\(c.priority).\(c.milestone).\(name)", n)
                    }
                }
                for t in f.timing {
                    lines.append("\"\(f.period)\",\(f.from),\(f.to),p\(t.priority).\(t.milestone).median.\(t.unit),\(t.median)")
                    lines.append("\"\(f.period)\",\(f.from),\(f.to),p\(t.priority).\(t.milestone).p90.\(t.unit),\(t.p90)")
                }
                for (category, n) in f.byCategory.sorted(by: { $0.key < $1.key }) { line("category.\(category)", n) }
                for (strand, n) in f.byHateStrand.sorted(by: { $0.key < $1.key }) { line("hateStrand.\(strand)", n) }
                for (reason, n) in f.closedByReason.sorted(by: { $0.key < $1.key }) { line("closed.\(reason)", n) }
                line("surveysAnswered", f.surveysAnswered)
                line("surveysSatisfied", f.surveysSatisfied)
                line("complaints", f.complaints)
                line("compliments", f.compliments)
            }
            context.console.output(lines.joined(separator: "\n").consoleText())
        default:
            throw AppError.badRequest("--format must be json or csv")
        }
    }
}
