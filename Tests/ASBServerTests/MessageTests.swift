import ASBCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import ASBServer

/// A transport that records what it was asked to send, and can be told to fail.
final class RecordingTransport: @unchecked Sendable {
    private let lock = NSLock()
    private var _sent: [OutgoingMail] = []
    var failWith: (any Error)?

    var sent: [OutgoingMail] { lock.withLock { _sent } }

    var transport: MailTransport {
        MailTransport { mail in
            if let error = self.lock.withLock({ self.failWith }) { throw error }
            self.lock.withLock { self._sent.append(mail) }
        }
    }
}

private func sender(_ t: TestApp, _ recorder: RecordingTransport?) -> MessageSender {
    MessageSender(env: t.app.asb, db: t.app.db, transport: recorder?.transport, logger: t.app.logger)
}

private func calendar(_ t: TestApp) async throws -> WorkingCalendar {
    try await CalendarService(app: t.app, db: t.app.db, requestID: nil).calendar()
}

@Suite("Messages out: the outbox, the sender and letters")
struct MessageTests {
    @Test("SS-RT-3: a report queues the acknowledgement in its own transaction; sending it meets the acknowledgement milestone and shows on the timeline")
    func acknowledgement() async throws {
        try await TestApp.run { t in
            let reply = try await t.submitReport(["riskAnswers": ["frequency": "daily", "duration": "overSixMonths", "targeted": "yes"]])
            let reference = try #require(reply.string("reference"))
            let queued = try await OutboxMessage.query(on: t.app.db).all()
            #expect(queued.count == 1)
            let message = try #require(queued.first)
            #expect(message.kind == .acknowledgement && message.channel == .email && message.status == .pending)
            #expect(message.textBody.contains(reference))
            #expect(message.textBody.contains("call 999"))

            let recorder = RecordingTransport()
            t.clock.advance(by: 600)
            #expect(try await sender(t, recorder).sendDue(now: t.clock.now) == 1)
            let mail = try #require(recorder.sent.first)
            #expect(mail.to == [message.toAddress] && mail.subject == "We have received your report \(reference)")
            #expect(mail.messageID == message.messageID)
            #expect(mail.textBody == message.textBody)
            // Its HTML part is made from the stored text as it goes.
            #expect(mail.htmlBody == MessageComposer.html(text: message.textBody))
            #expect(mail.htmlBody?.contains("<p>Thank you for your report. Your case reference is \(reference).</p>") == true)
            // Sent once: a second round sends nothing.
            #expect(try await sender(t, recorder).sendDue(now: t.clock.now) == 0)
            #expect(recorder.sent.count == 1)

            let stored = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first())
            let deadlines = try await CaseClock(db: t.app.db, requestID: nil).deadlines(of: stored.requireID())
            if stored.priority == .p2 {
                #expect(deadlines.first { $0.milestone == .acknowledgement }?.metAt == t.clock.now)
            }
            let events = try await CaseEvent.query(on: t.app.db).filter(\.$asbCase.$id == stored.requireID()).all()
            #expect(events.contains { $0.kind == .messageSent && $0.summary.contains("Email sent: acknowledgement") })
        }
    }

    @Test("Reporter preferences: nothing to anonymous reporters, nothing by email to someone who asked to be phoned, a letter for post")
    func preferences() async throws {
        try await TestApp.run { t in
            _ = try await t.submitReport(["anonymous": true, "reporter": NSNull()])
            var phone = Fixtures.person(1)
            phone["preferredContactMethod"] = "phone"
            phone["phone"] = "01632 960 001"
            _ = try await t.submitReport(["reporter": phone])
            var post = Fixtures.person(2)
            post["preferredContactMethod"] = "letter"
            post["address"] = "3 Sample Road"
            post["postcode"] = "SS1 1AA"
            _ = try await t.submitReport(["reporter": post])
            let messages = try await OutboxMessage.query(on: t.app.db).all()
            #expect(messages.count == 1)
            let letter = try #require(messages.first)
            #expect(letter.channel == .letter && letter.toAddress.contains("3 Sample Road"))
            // Letters are never emailed.
            #expect(try await sender(t, RecordingTransport()).sendDue(now: t.clock.now) == 0)
        }
    }

    @Test("A refused address fails at once; a temporary failure is retried with backoff, then fails after the last attempt")
    func retries() async throws {
        try await TestApp.run(configure: { $0.mail.maxAttempts = 3 }) { t in
            _ = try await t.submitReport()
            let recorder = RecordingTransport()
            recorder.failWith = SMTPError(kind: .network, message: "connection refused")
            #expect(try await sender(t, recorder).sendDue(now: t.clock.now) == 0)
            var message = try #require(try await OutboxMessage.query(on: t.app.db).first())
            #expect(message.status == .pending && message.attempts == 1)
            #expect(message.nextAttemptAt == t.clock.now.addingTimeInterval(MessageSender.backoff(afterAttempts: 1)))
            // Not due yet: nothing is tried.
            #expect(try await sender(t, recorder).sendDue(now: t.clock.now) == 0)
            message = try #require(try await OutboxMessage.query(on: t.app.db).first())
            #expect(message.attempts == 1)
            for _ in 0..<2 {
                t.clock.advance(by: 6 * 3600)
                _ = try await sender(t, recorder).sendDue(now: t.clock.now)
            }
            message = try #require(try await OutboxMessage.query(on: t.app.db).first())
            #expect(message.status == .failed && message.attempts == 3)
            let events = try await CaseEvent.query(on: t.app.db).filter(\.$kind == .messageFailed).count()
            #expect(events == 1)
            #expect(MessageSender.backoff(afterAttempts: 1) == 60 && MessageSender.backoff(afterAttempts: 3) == 240)
            #expect(MessageSender.backoff(afterAttempts: 30) == 6 * 3600)
        }
    }

    @Test("Allocation, the action plan and closure each tell the reporter once; restricted contact notes never appear in any message")
    func caseworkMessages() async throws {
        try await TestApp.run { t in
            let reference = try await t.submitReport().string("reference")!
            let (leaderToken, leader) = try await t.staffToken(.teamLeader)
            _ = try await t.assess(reference, token: leaderToken)
            _ = try await t.allocate(reference, to: leader, token: leaderToken)
            let reporterID = try await t.partyID("reporter", on: reference, token: leaderToken)
            let secret = "RESTRICTED-NOTE-\(UUID().uuidString)"
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/contacts", json: [
                "partyId": reporterID, "method": "phone", "direction": "outbound", "summary": secret, "restricted": true], token: leaderToken)
            let plan = try await t.send(.PUT, "/api/v1/cases/\(reference)/action-plan", json: [
                "howAgreed": "phone", "notes": secret,
                "actions": [["what": "Write to the household at number 4", "owner": "landlord", "dueOn": "2026-12-01"],
                            ["what": "Keep a diary", "owner": "reporter", "dueOn": "2026-12-08"]]], token: leaderToken)
            #expect(plan.status == .ok || plan.status == .created, "\(plan.text)")
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/closure-proposals", json: ["reason": "resolved", "explanation": "The music has stopped."],
                                 token: leaderToken)
            let kinds = try await OutboxMessage.query(on: t.app.db).sort(\.$createdAt).all().map(\.kind)
            #expect(kinds.filter { $0.isForReporter } == [.acknowledgement, .officerAllocated, .actionPlanAgreed, .closureProposed])
            for message in try await OutboxMessage.query(on: t.app.db).all() {
                #expect(!message.textBody.contains(secret))
            }
            let planMessage = try #require(try await OutboxMessage.query(on: t.app.db).filter(\.$kind == .actionPlanAgreed).first())
            #expect(planMessage.textBody.contains("What you agreed to do:\n- Keep a diary (by Tuesday 8 December 2026)"))
            #expect(planMessage.textBody.contains("What we will do:\n- Write to the household at number 4"))
            // Allocating the same officer again queues nothing new.
            #expect(try await OutboxMessage.query(on: t.app.db).filter(\.$kind == .officerAllocated).count() == 1)
            _ = leader
        }
    }

    @Test("SS-NXT-5: the reporter is reminded the day before an agreed contact; staff hear of overdue contact and breached deadlines, once each")
    func reminders() async throws {
        try await TestApp.run { t in
            let reference = try await t.submitReport().string("reference")!
            let (leaderToken, leader) = try await t.staffToken(.teamLeader)
            _ = try await t.assess(reference, token: leaderToken)
            _ = try await t.allocate(reference, to: leader, token: leaderToken)
            let reporterID = try await t.partyID("reporter", on: reference, token: leaderToken)
            let agreed = try await t.send(.PUT, "/api/v1/cases/\(reference)/contact-plans/\(reporterID)",
                                          json: ["frequency": "weekly", "method": "phone", "agreedOn": "2026-11-24"], token: leaderToken)
            #expect(agreed.status == .ok, "\(agreed.text)")
            // Next contact 1 December: the reminder goes on 30 November.
            t.clock.set(ISO8601DateFormatter().date(from: "2026-11-30T09:00:00Z")!)
            let cal = try await calendar(t)
            _ = try await sender(t, nil).queueReminders(now: t.clock.now, calendar: cal)
            _ = try await sender(t, nil).queueReminders(now: t.clock.now, calendar: cal)
            #expect(try await OutboxMessage.query(on: t.app.db).filter(\.$kind == .contactReminder).count() == 1)
            let reminder = try #require(try await OutboxMessage.query(on: t.app.db).filter(\.$kind == .contactReminder).first())
            #expect(reminder.textBody.contains("Tuesday 1 December 2026"))
            // Missed: on 2 December staff hear it is overdue.
            t.clock.set(ISO8601DateFormatter().date(from: "2026-12-02T09:00:00Z")!)
            _ = try await sender(t, nil).queueReminders(now: t.clock.now, calendar: cal)
            _ = try await BreachScanner(env: t.app.asb, db: t.app.db).scan(now: t.clock.now)
            let staff = try await OutboxMessage.query(on: t.app.db).filter(\.$recipientUser.$id == leader.id).all().map(\.kind)
            #expect(staff.contains(.contactOverdue))
            #expect(staff.filter { $0 == .contactOverdue }.count == 1)
        }
    }

    @Test("A letter is printed from its own page and marked posted; the case records it")
    func letters() async throws {
        try await TestApp.run(configure: { $0.mail.landlordName = "Example Homes"; $0.mail.landlordAddress = "1 Landlord Way, Sampletown, SS1 9ZZ" }) { t in
            var post = Fixtures.person(3)
            post["preferredContactMethod"] = "letter"
            post["address"] = "3 Sample Road"
            let reference = try await t.submitReport(["reporter": post]).string("reference")!
            let (_, intake) = try await t.staffToken(.intake)
            let web = WebClient(t.app)
            try await web.signIn(intake.username, password: "correct-horse-\(intake.username)")
            let list = try await web.get("/staff/letters")
            #expect(list.contains(reference))
            let letter = try #require(try await OutboxMessage.query(on: t.app.db).first())
            let page = try await web.get("/staff/letters/\(letter.id!.uuidString)")
            #expect(page.contains("Example Homes") && page.contains("1 Landlord Way") && page.contains("3 Sample Road"))
            #expect(page.contains("Our reference: \(reference)"))
            #expect(try await AuditEvent.query(on: t.app.db).filter(\.$action == "case.letter.read").count() == 1, "reading a letter is audited")
            #expect(try await web.post("/staff/letters/\(letter.id!.uuidString)/sent", []).status == .seeOther)
            #expect(try await OutboxMessage.query(on: t.app.db).first()?.status == .sent)
            let events = try await CaseEvent.query(on: t.app.db).filter(\.$kind == .messageSent).all()
            #expect(events.count == 1 && events[0].summary.hasPrefix("Letter posted"))
        }
    }

    @Test("Every message kind reads in plain English with the reference, and its HTML escapes what it is given")
    func composer() {
        var facts = MessageFacts(landlordName: "Example Homes", reference: "ASB-2026-00042")
        facts.recipientName = "Sam <script>"
        for kind in MessageKind.allCases {
            let m = MessageComposer.compose(kind, facts)
            #expect(m.subject.contains("ASB-2026-00042"))
            #expect(m.text.contains("ASB-2026-00042"))
            #expect(!m.html.contains("<script>"))
            #expect(m.text.contains("Example Homes") == kind.isForReporter)
        }
        // The HTML part is made from the text when sent: a paragraph each, line breaks kept, escaped.
        #expect(MessageComposer.html(text: "Dear Sam <b>,\n\nWhat we promise:\n- a visit\n\n\n\nEnd\n")
                == "<!DOCTYPE html><html lang=\"en-GB\"><body><p>Dear Sam &lt;b&gt;,</p><p>What we promise:<br>- a visit</p><p></p><p>End</p></body></html>")
        let acknowledgement = MessageComposer.compose(.acknowledgement, facts)
        #expect(acknowledgement.html.components(separatedBy: "<p>").count - 1 == acknowledgement.text.components(separatedBy: "\n\n").count)
        #expect(MessageRouting.channel(preferred: nil, hasEmail: true, hasPostalAddress: true, anonymous: true) == nil)
        #expect(MessageRouting.channel(preferred: .phone, hasEmail: true, hasPostalAddress: true, anonymous: false) == nil)
        #expect(MessageRouting.channel(preferred: .letter, hasEmail: true, hasPostalAddress: true, anonymous: false) == .letter)
        #expect(MessageRouting.channel(preferred: nil, hasEmail: false, hasPostalAddress: true, anonymous: false) == .letter)
        #expect(MessageRouting.channel(preferred: .email, hasEmail: false, hasPostalAddress: true, anonymous: false) == nil)
    }
}
