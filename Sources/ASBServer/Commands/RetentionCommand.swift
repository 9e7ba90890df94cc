import Foundation
import Vapor

/// `asb retention [--dry-run]`: anonymises the cases past the retention period, once, and says
/// what it did (or, with `--dry-run`, what it would do), then exits. `asb serve` runs it daily.
struct RetentionCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "dry-run", help: "List what would be anonymised; change nothing") var dryRun: Bool
        init() {}
    }

    var help: String { "Anonymises the personal data of cases closed longer ago than ASB_RETENTION_YEARS (--dry-run: list only)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let report = try await RetentionService(app: app, db: app.db, requestID: nil).run(dryRun: signature.dryRun)
        let verb = report.dryRun ? "Would anonymise" : "Anonymised"
        context.console.output("\(verb) \(report.cases.count) case\(report.cases.count == 1 ? "" : "s") closed \(report.years) or more years before \(report.today), and \(report.parties) \(report.parties == 1 ? "person" : "people") on them; \(report.partiesKept) kept for another case.".consoleText())
        for reference in report.cases { context.console.output("case\t\(reference)".consoleText()) }
        for reference in report.held { context.console.output("held\t\(reference)".consoleText()) }
    }
}
