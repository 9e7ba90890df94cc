import ASBCore
import Fluent
import Foundation
import Vapor

/// Letters for reporters who prefer post: a queue of letters to print, each with a printable A4
/// view; marking one posted records it on the case (and an acknowledgement meets its milestone).
extension StaffSite {
    @Sendable func letters(_ req: Request) async throws -> Response {
        _ = try req.requireStaffPage(.recordReport)
        let pending = try await OutboxMessage.query(on: req.db).filter(\.$channel == .letter).filter(\.$status == .pending)
            .with(\.$asbCase).sort(\.$createdAt).limit(200).all()
        let rows: [[Table.Cell]] = pending.map { m in
            [.init(text: m.asbCase?.reference ?? "–", href: m.asbCase.map { "/staff/cases/\($0.reference)" }),
             .init(text: m.kind.displayName), .init(text: m.recipientName ?? "–"), .init(text: CaseClock.describe(m.createdAt)),
             .init(text: "Print", href: "/staff/letters/\(m.id?.text ?? "")")]
        }
        return try await req.page("staff/list", ListPage(
            chrome: WebChrome.make(req, title: "Letters to post"), heading: "Letters to post",
            intro: "Messages to reporters who prefer post. Print each one, post it, then mark it posted: the case records it.",
            tables: rows.isEmpty ? nil : [Table(caption: "Letters to print and post", headers: ["Case", "Letter", "To", "Queued", "Print"], rows: rows)],
            empty: rows.isEmpty ? "No letters waiting." : nil))
    }

    struct LetterPage: PageModel {
        var chrome: PageChrome
        var id: String
        var landlordName: String
        var landlordAddress: [String]
        var recipient: [String]
        var date: String
        var reference: String?
        var subject: String
        var paragraphs: [String]
        var posted: Bool
    }

    @Sendable func letter(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.recordReport)
        let message = try await Self.letterMessage(req)
        try await message.$asbCase.load(on: req.db)
        // A letter shows a person's name and postal address: the read is audited.
        try await AuditLog.recordRead(.letterRead, by: .staff(user), entityType: "case", entityID: message.asbCase?.reference ?? "letter",
                                      caseID: message.$asbCase.id, changes: ["letter": message.id?.text ?? ""],
                                      at: req.application.asb.clock.now(), requestID: req.id, env: req.application.asb, on: req.db)
        let settings = req.application.asb.config.mail
        return try await req.page("staff/letter", LetterPage(
            chrome: WebChrome.make(req, title: "Letter: \(message.subject)"), id: message.id?.text ?? "",
            landlordName: settings.landlordName,
            landlordAddress: settings.landlordAddress.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            recipient: message.toAddress.split(separator: "\n").map(String.init),
            date: LondonTime.localDateTime(for: message.createdAt).date.longDescription, reference: message.asbCase?.reference,
            subject: message.subject, paragraphs: message.textBody.components(separatedBy: "\n\n").filter { !$0.isEmpty },
            posted: message.status == .sent))
    }

    @Sendable func letterPosted(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.recordReport)
        try CSRF.verify(try req.formData(), for: req)
        let message = try await Self.letterMessage(req)
        guard message.status == .pending else { return req.seeOther("/staff/letters", notice: "That letter was already marked posted.") }
        try await MessageSender(env: req.application.asb, db: req.db, transport: nil, logger: req.logger)
            .markSent(message, at: req.application.asb.clock.now(), by: .staff(user))
        return req.seeOther("/staff/letters", notice: "The letter is recorded as posted.")
    }

    private static func letterMessage(_ req: Request) async throws -> OutboxMessage {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let message = try await OutboxMessage.find(id, on: req.db), message.channel == .letter else {
            throw AppError.notFound("There is no such letter.")
        }
        return message
    }
}
