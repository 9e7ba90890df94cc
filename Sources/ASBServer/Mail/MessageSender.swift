import ASBCore
import Fluent
import FluentSQL
import Foundation
import Logging
import NIOCore

/// Delivers an email. The live transport is the SMTP client; tests use a recording one or a real
/// SMTP sink on loopback.
struct MailTransport: Sendable {
    var send: @Sendable (OutgoingMail) async throws -> Void

    static func smtp(_ settings: AppConfig.MailSettings, eventLoopGroup: any EventLoopGroup) -> MailTransport? {
        guard let host = settings.smtpHost else { return nil }
        let security: SMTPConfiguration.Security = switch settings.smtpSecurity {
        case "none": .none
        case "tls": .tls
        default: .startTLS
        }
        let client = SMTPClient(configuration: SMTPConfiguration(
            host: host, port: settings.smtpPort, security: security, username: settings.smtpUsername,
            password: settings.smtpPassword, heloName: Outbox.messageIDDomain(settings.fromAddress)), eventLoopGroup: eventLoopGroup)
        return MailTransport { try await client.send($0) }
    }
}

/// The sender job: queues the reminders that have fallen due, then sends due emails with retry
/// and backoff. Safe on several instances: each message is claimed by one atomic update first.
struct MessageSender {
    let env: ASBEnvironment
    let db: any Database
    let transport: MailTransport?
    let logger: Logger

    /// One round: reminders, then sending. Returns how many messages were queued or sent.
    func run(now: Date, calendar: WorkingCalendar) async throws -> Int {
        let queued = try await queueReminders(now: now, calendar: calendar)
        guard transport != nil else { return queued }
        return try await queued + sendDue(now: now)
    }

    // MARK: Reminders

    /// Contact reminders to reporters the day before an agreed contact; contact overdue and
    /// deadline due soon to staff. Each once per event (the outbox's dedupe key).
    func queueReminders(now: Date, calendar: WorkingCalendar) async throws -> Int {
        let today = LondonTime.localDateTime(for: now).date
        let tomorrow = today.adding(days: 1).description
        return try await env.writes.run(on: db) { db -> Int in
            var count = 0
            let outbox = Outbox(env: env, db: db)
            let upcoming = try await ContactPlan.query(on: db).filter(\.$active == true).filter(\.$forReporter == true)
                .filter(\.$nextContactDue == tomorrow).with(\.$asbCase).limit(500).all()
            for plan in upcoming where plan.asbCase.status != .closed {
                let message = try await outbox.toReporter(.contactReminder, of: plan.asbCase, dedupe: "\(try plan.requireID()):\(tomorrow)", now: now) {
                    $0.nextContactOn = LocalDate(iso: tomorrow)?.longDescription
                }
                if message != nil { count += 1 }
            }
            let overdue = try await ContactPlan.query(on: db).filter(\.$active == true).filter(\.$forReporter == true)
                .filter(\.$nextContactDue < today.description).with(\.$asbCase).limit(500).all()
            for plan in overdue where plan.asbCase.status != .closed {
                try await outbox.toStaff(.contactOverdue, try await outbox.caseStaff(plan.asbCase), about: plan.asbCase,
                                         dedupe: "\(try plan.requireID()):\(plan.nextContactDue)", now: now) {
                    $0.due = LocalDate(iso: plan.nextContactDue)?.longDescription
                }
            }
            let horizon = ServiceClock.dueAt(receivedAt: now, rule: .workingHours(QueueService.dueSoonWorkingHours), calendar: calendar)
            let dueSoon = try await CaseMilestone.query(on: db).filter(\.$metAt == nil).filter(\.$caseClosedAt == nil).filter(\.$dueAt >= now)
                .filter(\.$dueAt <= horizon).with(\.$asbCase).limit(500).all()
            for milestone in dueSoon where milestone.asbCase.status != .closed {
                try await outbox.toStaff(.milestoneDueSoon, try await outbox.caseStaff(milestone.asbCase), about: milestone.asbCase,
                                         dedupe: try milestone.requireID().text, now: now) {
                    $0.milestone = milestone.milestone.displayName
                    $0.due = CaseClock.describeDue(milestone.dueAt)
                }
            }
            return count
        }
    }

    // MARK: Sending

    static let batchSize = 50

    /// Seconds to wait before attempt `n + 1`: 1, 2, 4 … minutes, at most 6 hours.
    static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(60 * pow(2, Double(max(0, attempts - 1))), 6 * 3600)
    }

    func sendDue(now: Date) async throws -> Int {
        guard let transport, let sql = db as? any SQLDatabase else { return 0 }
        let until = now.addingTimeInterval(env.config.mail.claimLifetime)
        let skipLocked = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let claimed = try await env.writes.run(on: db) { db -> [UUID] in
            guard let sql = db as? any SQLDatabase else { return [] }
            return try await sql.raw("""
                UPDATE outbox_messages SET claimed_until = \(bind: until)
                WHERE id IN (SELECT id FROM outbox_messages
                    WHERE status = 'pending' AND channel = 'email' AND next_attempt_at <= \(bind: now)
                      AND (claimed_until IS NULL OR claimed_until < \(bind: now))
                    ORDER BY next_attempt_at LIMIT \(unsafeRaw: String(Self.batchSize))\(unsafeRaw: skipLocked))
                RETURNING id
                """).all().map { try $0.decode(column: "id", as: UUID.self) }
        }
        var sent = 0
        for id in claimed {
            guard let message = try await OutboxMessage.find(id, on: db), message.status == .pending else { continue }
            let mail = OutgoingMail(from: env.config.mail.fromAddress, fromName: "\(env.config.mail.landlordName) ASB team",
                                    to: [message.toAddress], subject: message.subject, textBody: message.textBody,
                                    htmlBody: MessageComposer.html(text: message.textBody), messageID: message.messageID)
            do {
                try await transport.send(mail)
                try await markSent(message, at: now, by: .system)
                sent += 1
            } catch {
                try await markFailedAttempt(message, error: error, now: now)
            }
        }
        return sent
    }

    /// Marks a message sent: on the timeline, and an acknowledgement meets its milestone (SS-RT-3).
    func markSent(_ message: OutboxMessage, at now: Date, by actor: Actor) async throws {
        try await env.writes.run(on: db) { db in
            message.status = .sent
            message.sentAt = now
            message.claimedUntil = nil
            message.attempts += 1
            try await message.save(on: db)
            guard let caseID = message.$asbCase.id, let asbCase = try await ASBCase.find(caseID, on: db) else { return }
            let how = message.channel == .email ? "Email sent" : "Letter posted"
            try await CaseEvent(caseID: caseID, at: now, kind: .messageSent,
                                summary: "\(how): \(message.kind.displayName.lowercased()) (\(message.subject))",
                                actorID: actor.userID).create(on: db)
            if message.kind == .acknowledgement,
               let pending = try await CaseMilestone.query(on: db).filter(\.$asbCase.$id == caseID)
                .filter(\.$milestone == .acknowledgement).filter(\.$metAt == nil).first() {
                let calendar = try await CalendarService.calendar(env: env, on: db)
                _ = try await CaseClock(db: db, requestID: nil).recordMet(pending.milestone, at: now, note: "\(how.lowercased())",
                                                                          on: asbCase, by: actor, calendar: calendar, now: now)
            }
        }
    }

    private func markFailedAttempt(_ message: OutboxMessage, error: any Error, now: Date) async throws {
        let permanent = (error as? SMTPError)?.isPermanent ?? false
        let reason = String(describing: error).prefix(500)
        try await env.writes.run(on: db) { db in
            message.attempts += 1
            message.claimedUntil = nil
            message.lastError = String(reason)
            if permanent || message.attempts >= env.config.mail.maxAttempts {
                message.status = .failed
                if let caseID = message.$asbCase.id {
                    try await CaseEvent(caseID: caseID, at: now, kind: .messageFailed,
                                        summary: "Email not delivered: \(message.kind.displayName.lowercased()) to \(message.toAddress): \(reason)",
                                        actorID: nil).create(on: db)
                }
            } else {
                message.nextAttemptAt = now.addingTimeInterval(Self.backoff(afterAttempts: message.attempts))
            }
            try await message.save(on: db)
        }
        logger.warning("Email not sent", metadata: ["message": "\(message.messageID)", "attempts": "\(message.attempts)",
                                                    "permanent": "\(permanent)"])
    }
}
