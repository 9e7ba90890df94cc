import ASBCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import ASBServer

/// Generated real-format messages (invented people at example.org).
enum Mails {
    static func plain(from: String = "Robin Example <robin@example.org>", subject: String = "Noise from flat 4",
                      messageID: String = "\(UUID().uuidString)@mail.example.org", body: String = "Music until 3am again last night.") -> Data {
        Data("""
            From: \(from)\r
            To: asb@example.org\r
            Subject: \(subject)\r
            Date: Tue, 24 Nov 2026 09:30:00 +0000\r
            Message-ID: <\(messageID)>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            \(body)\r

            """.utf8)
    }

    static func withAttachment(from: String = "Robin Example <robin@example.org>") -> Data {
        Data("""
            From: \(from)\r
            To: asb@example.org\r
            Subject: =?utf-8?q?Graffiti_=E2=80=93_bin_store?=\r
            Message-ID: <\(UUID().uuidString)@mail.example.org>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/html; charset=windows-1252\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            <p>Someone painted the bin store. It cost =A3200 to clean last time.</p>\r
            --b1\r
            Content-Type: text/plain; name="diary.txt"\r
            Content-Disposition: attachment; filename="diary.txt"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(Data("Monday: paint on the door\n".utf8).base64EncodedString())\r
            --b1--\r

            """.utf8)
    }
}

@Suite("Reports by email")
struct EmailIntakeTests {
    private func post(_ t: TestApp, _ raw: Data, secret: String = "a-long-gateway-secret-123") async throws -> TestApp.Reply {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "message/rfc822")
        headers.replaceOrAdd(name: "X-ASB-Inbound-Secret", value: secret)
        let response = try await t.app.testing().sendRequest(.POST, "/api/v1/inbound/email", headers: headers, body: ByteBuffer(data: raw))
        return TestApp.Reply(status: response.status, headers: response.headers, body: Data(buffer: response.body))
    }

    @Test("SS-REP-1: an email becomes a report with the sender as reporter; the same Message-ID again changes nothing")
    func newReport() async throws {
        try await TestApp.run(configure: { $0.mail.inboundSecret = "a-long-gateway-secret-123" }) { t in
            let raw = Mails.plain()
            let first = try await post(t, raw)
            #expect(first.status == .created, "\(first.text)")
            #expect(first.string("result") == "newCase")
            let reference = try #require(first.string("reference"))
            let stored = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first())
            #expect(stored.channel == .email && stored.status == .received)
            let reporter = try #require(try await CaseParty.query(on: t.app.db).filter(\.$role == .reporter).with(\.$party).first())
            #expect(reporter.party.email == "robin@example.org" && reporter.party.name == "Robin Example")
            let incident = try #require(try await IncidentReport.query(on: t.app.db).first())
            #expect(incident.description.contains("Music until 3am again last night."))
            let again = try await post(t, raw)
            #expect(again.status == .ok && again.string("result") == "duplicate")
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
            // The reporter is acknowledged by email.
            #expect(try await OutboxMessage.query(on: t.app.db).filter(\.$kind == .acknowledgement).count() == 1)
        }
    }

    @Test("SS-PRG-1: a reply naming the case, from its reporter, is a new incident without the quoted history; from anyone else, a new case")
    func replies() async throws {
        try await TestApp.run(configure: { $0.mail.inboundSecret = "a-long-gateway-secret-123" }) { t in
            let reference = try #require(try await post(t, Mails.plain()).string("reference"))
            let reply = Mails.plain(subject: "Re: We have received your report \(reference.lowercased())", body: """
                It happened again tonight.\r
                \r
                On Tue, 24 Nov 2026 at 10:15, ASB team <asb@example.org> wrote:\r
                > We have received your report.
                """)
            let added = try await post(t, reply)
            #expect(added.string("result") == "addedToCase" && added.string("reference") == reference)
            let incidents = try await IncidentReport.query(on: t.app.db).sort(\.$recordedAt).all()
            #expect(incidents.count == 2)
            #expect(incidents.last?.description == "It happened again tonight.")
            let stranger = try await post(t, Mails.plain(from: "someone@example.com", subject: "Re: \(reference)"))
            #expect(stranger.string("result") == "newCase" && stranger.string("reference") != reference)
        }
    }

    @Test("HTML in Windows-1252 becomes readable text; attachments become evidence")
    func htmlAndAttachments() async throws {
        try await TestApp.run(configure: { $0.mail.inboundSecret = "a-long-gateway-secret-123" }) { t in
            let reply = try await post(t, Mails.withAttachment())
            #expect(reply.status == .created, "\(reply.text)")
            let incident = try #require(try await IncidentReport.query(on: t.app.db).first())
            #expect(incident.description.contains("It cost £200 to clean last time."))
            #expect(incident.description.hasPrefix("Graffiti – bin store"))
            let file = try #require(try await Attachment.query(on: t.app.db).first())
            #expect(file.fileName == "diary.txt" && file.type == .text)
        }
    }

    @Test("Without the secret 401, without the setting 404, not an email 422; nothing stored")
    func refusals() async throws {
        try await TestApp.run(configure: { $0.mail.inboundSecret = "a-long-gateway-secret-123" }) { t in
            #expect(try await post(t, Mails.plain(), secret: "wrong-secret").status == .unauthorized)
            let junk = try await post(t, Data("just some bytes, no headers".utf8))
            #expect(junk.status == .unprocessableEntity)
            #expect(try await ASBCase.query(on: t.app.db).count() == 0)
        }
        try await TestApp.run { t in
            let off = try await post(t, Mails.plain())
            #expect(off.status == .notFound)
        }
    }

    @Test("asb mail import takes each Maildir message once, moves it to cur/, and quarantines what it cannot read with the reason")
    func maildir() async throws {
        try await TestApp.run { t in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("maildir-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("new"), withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let good = Mails.plain()
            try good.write(to: dir.appendingPathComponent("new/1700000001.M1.host"))
            try good.write(to: dir.appendingPathComponent("new/1700000002.M2.host"))   // the same message delivered twice
            try Data("not a mail".utf8).write(to: dir.appendingPathComponent("new/1700000003.M3.host"))
            let importer = MaildirImport(intake: EmailIntake(app: t.app, db: t.app.db, requestID: nil), directory: dir, logger: t.app.logger)
            let summary = try await importer.run()
            #expect(summary == .init(newCases: 1, addedToCases: 0, duplicates: 1, quarantined: 1))
            let files = FileManager.default
            #expect(try files.contentsOfDirectory(atPath: dir.appendingPathComponent("new").path).isEmpty)
            #expect(try files.contentsOfDirectory(atPath: dir.appendingPathComponent("cur").path).sorted()
                    == ["1700000001.M1.host:2,S", "1700000002.M2.host:2,S"])
            let reason = try String(contentsOf: dir.appendingPathComponent("quarantine/1700000003.M3.host.reason"), encoding: .utf8)
            #expect(reason.contains("Not a readable email"))
            // A second run finds nothing new.
            #expect(try await importer.run() == .init())
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
        }
    }
}
