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

/// One message for each way real mail clients send text, all generated here (invented people).
enum MailCorpus {
    struct Sample {
        let name: String
        let raw: Data
        /// Text the report's description must contain.
        let expect: String
    }

    static func sample(_ name: String, headers: String, body: String, expect: String) -> Sample {
        let id = "<\(UUID().uuidString)@corpus.example.org>"
        let text = "From: Corpus Sender <corpus.\(name)@example.org>\r\nTo: asb@example.org\r\nMessage-ID: \(id)\r\n\(headers)\r\n\r\n\(body)"
        return Sample(name: name, raw: Data(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8), expect: expect)
    }

    static var all: [Sample] {
        let latin1Body = Data([0x4E, 0x6F, 0x69, 0x73, 0x65, 0x20, 0x63, 0x6F, 0x73, 0x74, 0x20, 0xA3, 0x35, 0x30])   // "Noise cost £50" in ISO-8859-1
        var samples = [
            sample("plain", headers: "Subject: Plain\nContent-Type: text/plain; charset=us-ascii", body: "Shouting in the car park.", expect: "Shouting in the car park."),
            sample("qp", headers: "Subject: QP\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable",
                   body: "Caf=C3=A9 owner was threatened =E2=80=93 again, at the=\n shop door.", expect: "Café owner was threatened – again, at the shop door."),
            sample("base64", headers: "Subject: B64\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64",
                   body: Data("Dogs barking every night.".utf8).base64EncodedString(), expect: "Dogs barking every night."),
            sample("cp1252", headers: "Subject: Smart quotes\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable",
                   body: "They said =93get out=94 and it cost =A320.", expect: "They said “get out” and it cost £20."),
            sample("encodedword", headers: "Subject: =?utf-8?b?R3JhZmZpdGkg4oCTIGJpbiBzdG9yZQ==?=\nContent-Type: text/plain", body: "See subject.",
                   expect: "Graffiti – bin store"),
            sample("alternative", headers: "Subject: Alt\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"alt\"",
                   body: "--alt\nContent-Type: text/plain; charset=utf-8\n\nPlain part wins.\n--alt\nContent-Type: text/html\n\n<p>HTML part</p>\n--alt--\n",
                   expect: "Plain part wins."),
            sample("htmlonly", headers: "Subject: HTML only\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8",
                   body: "<html><head><style>p{}</style></head><body><p>Fireworks thrown at <b>windows</b> &amp; doors.</p><ul><li>Friday</li></ul></body></html>",
                   expect: "Fireworks thrown at windows & doors."),
            sample("mixed", headers: "Subject: With photo\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"mix\"",
                   body: "--mix\nContent-Type: text/plain\n\nPhoto of the damage attached.\n--mix\nContent-Type: text/plain; name=\"log.txt\"\nContent-Disposition: attachment; filename=\"log.txt\"\n\nMonday 2am\n--mix--\n",
                   expect: "Photo of the damage attached."),
            sample("reply", headers: "Subject: Re: my report\nContent-Type: text/plain; charset=utf-8",
                   body: "It is still going on.\n\nOn Mon, 23 Nov 2026 at 09:00, ASB team <asb@example.org> wrote:\n> Thank you for your report.",
                   expect: "It is still going on."),
        ]
        var latin1 = Data("From: Corpus Sender <corpus.latin1@example.org>\r\nTo: asb@example.org\r\nMessage-ID: <\(UUID().uuidString)@corpus.example.org>\r\nSubject: Latin-1\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n".utf8)
        latin1.append(latin1Body)
        samples.append(Sample(name: "latin1", raw: latin1, expect: "Noise cost £50"))
        return samples
    }
}

@Suite("Reports by email: the corpus through both paths")
struct EmailCorpusTests {
    @Test("SS-REP-1: every kind of message becomes a readable report, through the gateway endpoint and through a Maildir")
    func corpus() async throws {
        try await TestApp.run(configure: { $0.mail.inboundSecret = "a-long-gateway-secret-123" }) { t in
            // The gateway.
            for sample in MailCorpus.all {
                var headers = HTTPHeaders()
                headers.replaceOrAdd(name: .contentType, value: "message/rfc822")
                headers.replaceOrAdd(name: "X-ASB-Inbound-Secret", value: "a-long-gateway-secret-123")
                let response = try await t.app.testing().sendRequest(.POST, "/api/v1/inbound/email", headers: headers, body: ByteBuffer(data: sample.raw))
                #expect(response.status == .created, "\(sample.name): \(response.status) \(String(buffer: response.body))")
            }
            // A Maildir with a second copy of each message (new Message-IDs, so none is a duplicate).
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("new"), withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            for (index, sample) in MailCorpus.all.enumerated() {
                try sample.raw.write(to: dir.appendingPathComponent("new/17640000\(10 + index).M\(index).corpus"))
            }
            let summary = try await MaildirImport(intake: EmailIntake(app: t.app, db: t.app.db, requestID: nil), directory: dir, logger: t.app.logger).run()
            #expect(summary.newCases == MailCorpus.all.count && summary.quarantined == 0)

            let descriptions = try await IncidentReport.query(on: t.app.db).all().map(\.description)
            #expect(descriptions.count == 2 * MailCorpus.all.count)
            for sample in MailCorpus.all {
                #expect(descriptions.filter { $0.contains(sample.expect) }.count == 2, "\(sample.name): \(sample.expect)")
            }
            #expect(!descriptions.contains { $0.contains("Thank you for your report") })   // quoted history dropped
            #expect(!descriptions.contains { $0.contains("<p>") })                          // no markup left
            #expect(try await Attachment.query(on: t.app.db).filter(\.$fileName == "log.txt").count() == 2)
        }
    }
}
