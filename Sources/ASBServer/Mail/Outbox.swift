import ASBCore
import Fluent
import SQLKit
import Foundation

/// Queues messages in the outbox. Call it with the transaction's database, inside the change
/// that causes the message: the message exists exactly when the change does, and the sender job
/// delivers it later (no message lost if the process dies, none sent twice on restart).
struct Outbox {
    let env: ASBEnvironment
    let db: any Database

    /// The facts every message starts from: the landlord, the case reference, the tracking link.
    func facts(for asbCase: ASBCase) -> MessageFacts {
        var facts = MessageFacts(landlordName: env.config.mail.landlordName, reference: asbCase.reference)
        facts.priority = asbCase.priority
        facts.trackURL = env.config.mail.publicURL + "/track"
        return facts
    }

    /// Queues a message to a stored case's reporter, by the channel their preferences allow (none
    /// for an anonymous reporter or one who asked to be phoned). `dedupe` makes it once per event.
    /// (A new case's acknowledgement is made with its rows: `NewCase`.)
    @discardableResult
    func toReporter(_ kind: MessageKind, of asbCase: ASBCase, dedupe: String, now: Date,
                    _ fill: (inout MessageFacts) -> Void = { _ in }) async throws -> OutboxMessage? {
        let reporter = try await CaseParty.query(on: db).filter(\.$asbCase.$id == asbCase.requireID()).filter(\.$role == .reporter)
            .with(\.$party).first()?.party
        guard let reporter,
              let message = try reporterMessage(kind, of: asbCase, reporter: reporter, dedupe: dedupe, now: now, fill)
        else { return nil }
        return try await queue(message)
    }

    /// The message `toReporter` queues, unsaved (nil when the reporter's preferences allow none):
    /// for a case built in memory and inserted with its rows.
    func reporterMessage(_ kind: MessageKind, of asbCase: ASBCase, reporter: Party, dedupe: String, now: Date,
                         _ fill: (inout MessageFacts) -> Void = { _ in }) throws -> OutboxMessage? {
        precondition(kind.isForReporter)
        let postal = [reporter.address, reporter.postcode].compactMap { $0 }.joined(separator: "\n")
        guard let channel = MessageRouting.channel(preferred: reporter.preferredContactMethod, hasEmail: reporter.email != nil,
                                                   hasPostalAddress: reporter.address != nil, anonymous: false) else { return nil }
        var facts = facts(for: asbCase)
        facts.recipientName = reporter.name
        fill(&facts)
        let address = channel == .email ? (reporter.email ?? "") : [reporter.name, postal].compactMap { $0 }.joined(separator: "\n")
        return message(kind, channel: channel, caseID: try asbCase.requireID(), partyID: reporter.id, userID: nil, name: reporter.name,
                       address: address, composed: MessageComposer.compose(kind, facts), dedupe: "\(kind.rawValue):\(dedupe)", now: now)
    }

    /// Queues a message to each member of staff with an email address.
    func toStaff(_ kind: MessageKind, _ users: [User], about asbCase: ASBCase, dedupe: String, now: Date,
                 _ fill: (inout MessageFacts) -> Void = { _ in }) async throws {
        for message in try staffMessages(kind, users, about: asbCase, dedupe: dedupe, now: now, fill) {
            try await queue(message)
        }
    }

    /// The messages `toStaff` queues, unsaved.
    func staffMessages(_ kind: MessageKind, _ users: [User], about asbCase: ASBCase, dedupe: String, now: Date,
                       _ fill: (inout MessageFacts) -> Void = { _ in }) throws -> [OutboxMessage] {
        precondition(!kind.isForReporter)
        var facts = facts(for: asbCase)
        fill(&facts)
        var messages: [OutboxMessage] = []
        for user in users where user.active {
            guard let email = user.email else { continue }
            facts.recipientName = user.displayName
            messages.append(message(kind, channel: .email, caseID: try asbCase.requireID(), partyID: nil, userID: user.id,
                                    name: user.displayName, address: email, composed: MessageComposer.compose(kind, facts),
                                    dedupe: "\(kind.rawValue):\(dedupe):\(try user.requireID())", now: now))
        }
        return messages
    }

    /// The staff a case's alerts go to: its officer, or the team leaders while it has none.
    func caseStaff(_ asbCase: ASBCase) async throws -> [User] {
        if let officerID = asbCase.$allocatedOfficer.id, let officer = try await User.find(officerID, on: db), officer.active {
            return [officer]
        }
        return try await Self.teamLeaders(on: db)
    }

    /// The active team leaders (at most 50), who are told of every new priority 1 case.
    static func teamLeaders(on db: any Database) async throws -> [User] {
        try await User.query(on: db).filter(\.$role == .teamLeader).filter(\.$active == true).limit(50).all()
    }

    /// Inserts `message`, once per event: a second attempt to queue the same event is a no-op.
    @discardableResult
    private func queue(_ message: OutboxMessage) async throws -> OutboxMessage? {
        if try await OutboxMessage.query(on: db).filter(\.$dedupeKey == message.dedupeKey).count() > 0 { return nil }
        // The timeline records a message when it is sent (or posted); the case page lists queued ones.
        try await message.create(on: db)
        return message
    }

    private func message(_ kind: MessageKind, channel: DeliveryChannel, caseID: UUID?, partyID: UUID?, userID: UUID?, name: String?,
                         address: String, composed: ComposedMessage, dedupe: String, now: Date) -> OutboxMessage {
        let message = OutboxMessage()
        let id = OrderedID.next(at: now)
        message.id = id
        message.$asbCase.id = caseID
        message.kind = kind
        message.channel = channel
        message.$recipientParty.id = partyID
        message.$recipientUser.id = userID
        message.recipientName = name
        message.toAddress = address
        message.subject = composed.subject
        message.textBody = composed.text
        message.status = .pending
        message.attempts = 0
        message.nextAttemptAt = now
        message.messageID = "\(id.lowercasedText)@\(Self.messageIDDomain(env.config.mail.fromAddress))"
        message.dedupeKey = dedupe
        message.createdAt = now
        return message
    }

    /// A case's messages, newest first, for the case page.
    static func messages(of caseID: UUID, on db: any Database) async throws -> [OutboxMessage] {
        try await OutboxMessage.stored("WHERE case_id = \(bind: caseID) ORDER BY created_at DESC LIMIT 100", on: db)
    }

    static func messageIDDomain(_ from: String) -> String {
        from.split(separator: "@").last.map(String.init) ?? "asb-casework.invalid"
    }
}
