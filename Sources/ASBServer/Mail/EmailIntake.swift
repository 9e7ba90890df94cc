import ASBCore
import Crypto
import Fluent
import Foundation
import Vapor

/// Reports by email (SS-REP-1): one message in, one outcome. A case reference in the subject from
/// that case's reporter adds a new incident to it; anything else is a new report in the triage
/// queue with the sender as reporter. Attachments become evidence. A `Message-ID` seen before is
/// ignored, so a gateway's retry or a re-delivered file never makes a second case.
struct EmailIntake {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    enum Result: Equatable, Sendable {
        case newCase(reference: String)
        case addedToCase(reference: String)
        /// Seen before: nothing done.
        case duplicate
    }

    /// Why a message could not become a report: the Maildir import quarantines it with this.
    struct Refused: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    func receive(_ raw: Data) async throws -> Result {
        let message: MailMessage
        do { message = try MailParser.parse(raw) } catch {
            throw Refused(description: "Not a readable email: \(error)")
        }
        let key = message.messageID.map { "<\($0)>" } ?? "sha256:" + TokenHash.of(data: raw)
        if try await InboundEmail.query(on: db).filter(\.$messageID == key).count() > 0 { return .duplicate }
        guard let sender = message.replyTo ?? message.from else { throw Refused(description: "The email has no sender.") }

        var body = message.newText.trimmingWhitespace()
        if body.isEmpty { body = message.text.trimmingWhitespace() }
        if body.isEmpty { body = message.subject }
        if body.isEmpty, !message.attachments.isEmpty { body = "(See the attached files.)" }
        guard !body.isEmpty else { throw Refused(description: "The email is empty.") }
        let description = String(body.prefix(ReportValidator.descriptionLimit))
        let now = env.clock.now()

        // A reply about a case, from that case's reporter.
        if let reference = MailMessage.caseReference(in: message.subject),
           let asbCase = try await ASBCase.query(on: db).filter(\.$reference == reference).first(),
           try await isReporter(sender.address, of: asbCase) {
            let receipt = try await IntakeService(app: app, db: db, requestID: requestID)
                .reportFromReporter(ReportDraft(channel: .email, description: description), on: asbCase, by: .gateway(.email))
            try await attach(message.attachments, toCase: receipt.reference)
            let outcome: Result = receipt.reference == reference ? .addedToCase(reference: reference) : .newCase(reference: receipt.reference)
            try await remember(key, reference: receipt.reference, outcome: receipt.reference == reference ? .addedToCase : .newCase, now: now)
            return outcome
        }

        // A new report, the sender as reporter.
        let draft = ReportDraft(
            channel: .email,
            // A bare address has no name: the address stands in until the officer learns it.
            reporter: .init(name: sender.name ?? sender.address, email: sender.address, preferredContactMethod: .email),
            description: message.subject.isEmpty || description.hasPrefix(message.subject) ? description : "\(message.subject)\n\n\(description)")
        let receipt: IntakeService.Receipt
        do {
            receipt = try await IntakeService(app: app, db: db, requestID: requestID)
                .submit(draft, riskAnswers: [:], caseReference: nil, by: .gateway(.email), idempotency: nil)
        } catch let failure as ValidationFailure {
            throw Refused(description: failure.errors.map(\.description).joined(separator: "; "))
        }
        try await attach(message.attachments, toCase: receipt.reference)
        try await remember(key, reference: receipt.reference, outcome: .newCase, now: now)
        return .newCase(reference: receipt.reference)
    }

    private func isReporter(_ address: String, of asbCase: ASBCase) async throws -> Bool {
        let links = try await CaseParty.query(on: db).filter(\.$asbCase.$id == asbCase.requireID()).filter(\.$role == .reporter)
            .with(\.$party).all()
        return links.contains { $0.party.email?.lowercased() == address.lowercased() }
    }

    /// Keeps each attachment as evidence; one that breaks the attachment rules is noted on the
    /// timeline instead, and the report still stands.
    private func attach(_ files: [MailAttachment], toCase reference: String) async throws {
        guard !files.isEmpty, let asbCase = try await ASBCase.query(on: db).filter(\.$reference == reference).first() else { return }
        let service = AttachmentService(app: app, db: db, requestID: requestID)
        for file in files {
            do {
                _ = try await service.store(on: asbCase, fileName: file.fileName, incidentID: nil, enforcementID: nil,
                                            restricted: false, content: file.data, by: .gateway(.email))
            } catch let failure as ValidationFailure {
                let why = failure.errors.map(\.message).joined(separator: " ")
                try await CaseEvent(caseID: asbCase.requireID(), at: env.clock.now(), kind: .attachmentAdded,
                                    summary: "An emailed file was not kept: \(why)", actorID: nil).create(on: db)
            }
        }
    }

    private func remember(_ key: String, reference: String, outcome: InboundEmail.Outcome, now: Date) async throws {
        let record = InboundEmail()
        record.id = OrderedID.next(at: now)
        record.messageID = key
        record.$asbCase.id = try await ASBCase.query(on: db).filter(\.$reference == reference).first()?.id
        record.outcome = outcome
        record.receivedAt = now
        try await record.create(on: db)
    }
}
