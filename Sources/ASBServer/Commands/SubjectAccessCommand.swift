import Foundation
import Vapor

/// `asb sar --party ID [--format json|html]`: a subject access export of one person, printed (the
/// same document as `GET /api/v1/parties/{id}/subject-access`), audited as done by the system.
struct SubjectAccessCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "party", help: "The person's id (from the case page or the party search)") var party: String?
        @Option(name: "format", help: "json (default) or html") var format: String?
        init() {}
    }

    var help: String { "Prints everything held about one person, items to review before release marked (subject access request)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let raw = signature.party, let id = UUID(uuidString: raw) else { throw AppError.badRequest("--party must be a person's id") }
        let format = signature.format ?? "json"
        guard ["json", "html"].contains(format) else { throw AppError.badRequest("--format must be json or html") }
        let app = context.application
        try await app.autoMigrate()
        let export = try await SubjectAccessService(app: app, db: app.db, requestID: nil).export(partyID: id, by: .system)
        if format == "html" {
            context.console.output(SubjectAccessService.html(export, landlord: app.asb.config.mail.landlordName).consoleText())
        } else {
            let encoder = JSONEncoder.sorted
            encoder.outputFormatting.insert(.prettyPrinted)
            context.console.output(String(decoding: try encoder.encode(export), as: UTF8.self).consoleText())
        }
    }
}
