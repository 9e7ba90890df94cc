import Foundation
import Testing

@testable import ASBCore

// MARK: - Fixtures and helpers

/// Turns a Swift literal (LF line endings) into a message as delivered, CRLF unless told otherwise.
func mailData(_ text: String, lineEnding: String = "\r\n") -> Data {
    Data(text.replacingOccurrences(of: "\n", with: lineEnding).utf8)
}

func parseMail(_ text: String, lineEnding: String = "\r\n") throws -> MailMessage {
    try MailParser.parse(mailData(text, lineEnding: lineEnding))
}

/// A message whose body is raw bytes (for 8-bit charsets), headers given as text.
func mailData(headers: String, body: [UInt8]) -> Data {
    mailData(headers) + Data("\r\n\r\n".utf8) + Data(body)
}

/// Seconds since 1970 for a UTC wall-clock time, computed independently of the parser.
func mailUTC(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
    let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    return calendar.date(from: components) ?? .distantPast
}

/// Realistic messages, all with invented people at example.org / example.com. Several were produced
/// with Python's `email` package (EmailMessage, policy SMTP) and pasted in unchanged.
enum MailFixtures {
    /// Outlook-style: Windows-1252, quoted-printable, £, €, smart quotes and an en dash.
    static let windows1252 = """
        From: "Sam Example" <sam@example.org>
        To: "ASB Team" <asb@example.com>
        Subject: =?Windows-1252?Q?Noise_complaint_=96_=93flat_3=94?=
        Date: Tue, 24 Nov 2026 10:15:00 +0000
        Message-ID: <001.win1252@example.org>
        MIME-Version: 1.0
        Content-Type: text/plain; charset="Windows-1252"
        Content-Transfer-Encoding: quoted-printable

        I paid =A320 for earplugs and it=92s still =93unbearable=94. The fine is =80=
        50 =96 or so I=92m told.
        """

    /// Python `email`: multipart/mixed holding multipart/alternative, a JPEG and a PDF whose name uses RFC 2231.
    static let mixedWithAttachments = """
        From: "Example, Sam" <Sam.Example@Example.org>
        To: ASB Team <asb@example.com>, Jo Bloggs <jo@example.com>
        Subject: Noise from flat 3 =?utf-8?q?=E2=80=93_asb-2026-00042_=E2=80=93?=
         photos attached
        Date: Tue, 24 Nov 2026 10:15:00 +0000
        Message-ID: <20261124101500.1@example.org>
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="===============0090723982012345922=="

        --===============0090723982012345922==
        Content-Type: multipart/alternative;
         boundary="===============2871075793708227935=="

        --===============2871075793708227935==
        Content-Type: text/plain; charset="utf-8"
        Content-Transfer-Encoding: quoted-printable

        Hello,

        The music from flat 3 started at 23:30 again. It cost me =C2=A320 in earplugs=
         =E2=80=93 =E2=80=9Cunbearable=E2=80=9D.

        Sam

        --===============2871075793708227935==
        Content-Type: text/html; charset="utf-8"
        Content-Transfer-Encoding: quoted-printable
        MIME-Version: 1.0

        <html><body><p>Hello,</p><p>The music from flat 3 started at 23:30 again.</p>=
        </body></html>

        --===============2871075793708227935==--

        --===============0090723982012345922==
        Content-Type: image/jpeg
        Content-Transfer-Encoding: base64
        Content-Disposition: attachment; filename="IMG_0042.jpg"
        MIME-Version: 1.0

        /9j/4AAQSkZJRgABAgMEBQYHCAn/2Q==

        --===============0090723982012345922==
        Content-Type: application/pdf
        Content-Transfer-Encoding: base64
        Content-Disposition: attachment;
         filename*=utf-8''Nachbarschaftsl%C3%A4rm%20%E2%80%93%20log.pdf
        MIME-Version: 1.0

        JVBERi0xLjQKJWZha2UK

        --===============0090723982012345922==--
        """

    /// Python `email`: a forwarded message attached as message/rfc822.
    static let forwarded = """
        From: Sam Example <sam@example.org>
        To: asb@example.com
        Subject: Fwd: Parking across my drive
        Date: Tue, 24 Nov 2026 09:00:00 +0000
        Message-ID: <fwd-1@example.org>
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="===============8827033677531930656=="

        --===============8827033677531930656==
        Content-Type: text/plain; charset="utf-8"
        Content-Transfer-Encoding: 7bit

        See the message below from my neighbour.

        --===============8827033677531930656==
        Content-Type: message/rfc822
        Content-Transfer-Encoding: 8bit
        MIME-Version: 1.0
        Content-Disposition: attachment

        From: Pat Neighbour <pat@example.com>
        To: Sam Example <sam@example.org>
        Subject: Parking across my drive
        Date: Mon, 23 Nov 2026 18:02:00 +0000
        Content-Type: text/plain; charset="utf-8"
        Content-Transfer-Encoding: 7bit
        MIME-Version: 1.0

        The van was parked across my drive all weekend.

        --===============8827033677531930656==--
        """

    /// Apple-Mail style: mixed holding related (HTML plus an inline image by Content-ID) and a PDF.
    static let relatedInsideMixed = """
        From: Jo Bloggs <jo@example.com>
        To: asb@example.com
        Subject: Graffiti on the bin store
        Date: Wed, 25 Nov 2026 08:30:00 +0000
        Mime-Version: 1.0 (Mac OS X Mail 16.0)
        Content-Type: multipart/mixed; boundary=Apple-Mail-OUTER

        This is a multi-part message in MIME format.

        --Apple-Mail-OUTER
        Content-Type: multipart/related; type="text/html"; boundary="Apple-Mail-INNER"

        --Apple-Mail-INNER
        Content-Transfer-Encoding: base64
        Content-Type: text/html; charset=utf-8

        PHA+Qm9uc29pciwgbGEgZsOqdGUgY29udGludWUg4oCTIGVuY29yZS48L3A+

        --Apple-Mail-INNER
        Content-Transfer-Encoding: base64
        Content-Disposition: inline; filename=graffiti.png
        Content-Type: image/png; name="graffiti.png"
        Content-Id: <graffiti@example.com>

        iVBORw0KGgo=

        --Apple-Mail-INNER--

        --Apple-Mail-OUTER
        Content-Disposition: attachment; filename="diary.pdf"
        Content-Type: application/pdf; name="diary.pdf"
        Content-Transfer-Encoding: base64

        JVBERi0xLjQK
        --Apple-Mail-OUTER--
        This epilogue is ignored.
        """

    /// Gmail-style HTML-only reply quoting the earlier message in a blockquote.
    static let htmlOnlyReply = """
        From: =?UTF-8?B?U2FtIMOJeGFtcGxl?= <sam@example.org>
        To: ASB Team <asb@example.com>
        Subject: Re: Your report ASB-2026-00042
        Date: Thu, 26 Nov 2026 19:05:11 +0000
        Message-ID: <CAB+reply.1@mail.example.org>
        In-Reply-To: <case-42.update-3@example.com>
        References: <case-42.update-1@example.com> <case-42.update-3@example.com>
        Content-Type: text/html; charset="UTF-8"
        Content-Transfer-Encoding: quoted-printable

        <html><head><style>p { color: red; }</style><title>Reply</title></head><body>=
        <div dir=3D"ltr">It happened again last night &amp; the night before.<br>=
        Photos are <a href=3D"https://files.example.org/p/42">here</a>.</div><br>=
        <div class=3D"gmail_quote"><div dir=3D"ltr" class=3D"gmail_attr">On Tue, 24 =
        Nov 2026 at 10:15, ASB Team &lt;<a href=3D"mailto:asb@example.com">asb@exam=
        ple.com</a>&gt; wrote:<br></div><blockquote class=3D"gmail_quote">Thank you =
        for your report.<br>Please tell us if it happens again.</blockquote></div>=
        </body></html>
        """

    /// A plain-text reply: new text, a signature, an attribution wrapped over two lines and quoted history.
    static let plainReply = """
        From: Sam Example <sam@example.org>
        To: asb@example.com
        Subject: RE: asb-2026-00042
        Date: Thu, 26 Nov 2026 19:05:11 +0000
        In-Reply-To: <case-42.update-3@example.com>
        Content-Type: text/plain; charset=us-ascii

        Yes, the shouting started again at 11pm.

        --\u{20}
        Sam Example
        07700 900123

        On Tue, 24 Nov 2026 at 10:15, ASB Team
        <asb@example.com> wrote:
        > Thank you for your report.
        > Please tell us if it happens again.
        """

    static let all: [String] = [windows1252, mixedWithAttachments, forwarded, relatedInsideMixed, htmlOnlyReply, plainReply]
}

// MARK: - Whole messages

@Suite("Mail: whole messages")
struct MailMessageTests {
    @Test("SS-REP-1: a quoted-printable Windows-1252 message keeps its pound sign and smart quotes")
    func windows1252QuotedPrintable() throws {
        let message = try parseMail(MailFixtures.windows1252)
        #expect(message.text == "I paid £20 for earplugs and it’s still “unbearable”. The fine is €50 – or so I’m told.")
        #expect(message.subject == "Noise complaint – “flat 3”")
        #expect(message.from == MailAddress(name: "Sam Example", address: "sam@example.org"))
        #expect(message.to == [MailAddress(name: "ASB Team", address: "asb@example.com")])
        #expect(message.messageID == "001.win1252@example.org")
        #expect(message.date == mailUTC(2026, 11, 24, 10, 15))
        #expect(message.attachments.isEmpty)
        #expect(message.newText == message.text)
    }

    @Test("SS-REP-1: a message reads the same with LF and with CRLF line endings")
    func lineEndingsDoNotMatter() throws {
        for fixture in MailFixtures.all {
            let lf = try parseMail(fixture, lineEnding: "\n")
            var crlf = try parseMail(fixture, lineEnding: "\r\n")
            // A forwarded message is kept byte for byte, so its own line endings differ.
            for index in crlf.attachments.indices where crlf.attachments[index].contentType == "message/rfc822" {
                crlf.attachments[index].data = lf.attachments[index].data
            }
            #expect(lf == crlf)
        }
    }

    @Test("SS-REP-1: mixed mail prefers the plain-text alternative and keeps both attachments with their names")
    func mixedWithAttachments() throws {
        let message = try parseMail(MailFixtures.mixedWithAttachments)
        #expect(message.from == MailAddress(name: "Example, Sam", address: "sam.example@example.org"))
        #expect(message.to.map(\.address) == ["asb@example.com", "jo@example.com"])
        #expect(message.subject == "Noise from flat 3 – asb-2026-00042 – photos attached")
        #expect(MailSubject.caseReference(in: message.subject) == "ASB-2026-00042")
        #expect(message.text == "Hello,\n\nThe music from flat 3 started at 23:30 again. It cost me £20 in earplugs – “unbearable”.\n\nSam")
        #expect(message.attachments.count == 2)
        let photo = try #require(message.attachments.first)
        #expect(photo.fileName == "IMG_0042.jpg")
        #expect(photo.contentType == "image/jpeg")
        #expect(photo.data == Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0x4A, 0x46, 0x49, 0x46, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xFF, 0xD9]))
        let log = try #require(message.attachments.last)
        #expect(log.fileName == "Nachbarschaftslärm – log.pdf", "RFC 2231 filename*=utf-8''…")
        #expect(log.contentType == "application/pdf")
        #expect(log.data == Data("%PDF-1.4\n%fake\n".utf8))
    }

    @Test("SS-REP-1: a forwarded message becomes an attachment named forwarded.eml and the covering note is the text")
    func forwardedMessage() throws {
        let message = try parseMail(MailFixtures.forwarded)
        #expect(message.text == "See the message below from my neighbour.")
        let forwarded = try #require(message.attachments.first)
        #expect(message.attachments.count == 1)
        #expect(forwarded.fileName == "forwarded.eml")
        #expect(forwarded.contentType == "message/rfc822")
        let inner = try MailParser.parse(forwarded.data)
        #expect(inner.from?.address == "pat@example.com")
        #expect(inner.text == "The van was parked across my drive all weekend.")
    }

    @Test("SS-REP-1: related HTML inside mixed becomes text; the inline image and the PDF are attachments; preamble and epilogue are ignored")
    func relatedInsideMixed() throws {
        let message = try parseMail(MailFixtures.relatedInsideMixed)
        #expect(message.text == "Bonsoir, la fête continue – encore.")
        #expect(message.attachments.map(\.fileName) == ["graffiti.png", "diary.pdf"])
        #expect(message.attachments.map(\.contentType) == ["image/png", "application/pdf"])
        #expect(message.attachments.last?.data == Data("%PDF-1.4\n".utf8))
        #expect(!message.text.contains("epilogue") && !message.text.contains("multi-part"))
    }

    @Test("SS-REP-1: an HTML-only reply is read as text, its quoted history dropped from newText")
    func htmlOnlyReply() throws {
        let message = try parseMail(MailFixtures.htmlOnlyReply)
        #expect(message.from == MailAddress(name: "Sam Éxample", address: "sam@example.org"))
        #expect(message.inReplyTo == "case-42.update-3@example.com")
        #expect(message.messageID == "CAB+reply.1@mail.example.org")
        #expect(message.text.contains("It happened again last night & the night before."))
        #expect(message.text.contains("Photos are here (https://files.example.org/p/42)."))
        #expect(message.text.contains("> Thank you for your report."))
        #expect(message.text.contains("On Tue, 24 Nov 2026 at 10:15, ASB Team <asb@example.com> wrote:"))
        #expect(!message.text.contains("color") && !message.text.contains("Reply") && !message.text.contains("<div"))
        #expect(message.newText == "It happened again last night & the night before.\nPhotos are here (https://files.example.org/p/42).")
    }

    @Test("SS-REP-1: a plain reply's newText loses the signature and the two-line attribution with its quote")
    func plainReply() throws {
        let message = try parseMail(MailFixtures.plainReply)
        #expect(message.newText == "Yes, the shouting started again at 11pm.")
        #expect(message.text.hasSuffix("> Please tell us if it happens again."))
        #expect(MailSubject.caseReference(in: message.subject) == "ASB-2026-00042")
    }
}

// MARK: - Headers

@Suite("Mail: headers")
struct MailHeaderTests {
    @Test("Folded headers are unfolded and the subject's white space is normalised")
    func unfolding() throws {
        let message = try parseMail("""
            From: Sam Example
             <sam@example.org>
            Subject: Loud music
            \tevery   night
              this week
            To: a@example.com,
                b@example.com

            Body
            """)
        #expect(message.subject == "Loud music every night this week")
        #expect(message.from == MailAddress(name: "Sam Example", address: "sam@example.org"))
        #expect(message.to.map(\.address) == ["a@example.com", "b@example.com"])
        #expect(message.text == "Body")
    }

    @Test("Header names are case-insensitive and white space before the colon is tolerated")
    func caseInsensitiveNames() throws {
        let message = try parseMail("""
            FROM: sam@example.org
            subject : Shouting
            MESSAGE-id: <X1@example.org>
            content-TYPE: TEXT/PLAIN; CHARSET=ISO-8859-1

            Hi
            """)
        #expect(message.from?.address == "sam@example.org")
        #expect(message.subject == "Shouting")
        #expect(message.messageID == "X1@example.org")
        #expect(message.text == "Hi")
    }

    @Test("With duplicate headers the first From and the first Subject win; every To is kept")
    func duplicates() throws {
        let message = try parseMail("""
            From: first@example.org
            Subject: First subject
            From: second@example.org
            Subject: Second subject
            To: a@example.com
            To: b@example.com

            Body
            """)
        #expect(message.from?.address == "first@example.org")
        #expect(message.subject == "First subject")
        #expect(message.to.map(\.address) == ["a@example.com", "b@example.com"])
    }

    @Test("Missing optional headers leave their fields empty")
    func missingOptionalHeaders() throws {
        let message = try parseMail("From: sam@example.org\n\nJust this.")
        #expect(message.messageID == nil)
        #expect(message.inReplyTo == nil)
        #expect(message.replyTo == nil)
        #expect(message.to.isEmpty)
        #expect(message.subject == "")
        #expect(message.date == nil)
        #expect(message.attachments.isEmpty)
        #expect(message.text == "Just this.")
    }

    @Test("A message of headers only, with no body, is accepted")
    func headersOnly() throws {
        let message = try parseMail("From: sam@example.org\nSubject: Nothing more")
        #expect(message.subject == "Nothing more")
        #expect(message.text == "")
        #expect(message.newText == "")
    }

    @Test("Reply-To is read; a From without any address gives no sender but is not an error")
    func replyToAndUnreadableFrom() throws {
        let message = try parseMail("From: Sam Example\nReply-To: \"Sam at home\" <SAM.HOME@example.org>\n\nHi")
        #expect(message.from == nil)
        #expect(message.replyTo == MailAddress(name: "Sam at home", address: "sam.home@example.org"))
    }

    @Test("Message identifiers lose their brackets; the first of several In-Reply-To identifiers is kept",
          arguments: [
              ("<abc.123@example.org>", "abc.123@example.org"),
              ("  <abc.123@example.org> (sent by Mailer)", "abc.123@example.org"),
              ("<a@example.org> <b@example.org>", "a@example.org"),
              ("abc.123@example.org", "abc.123@example.org"),
              ("< abc.123@example.org >", "abc.123@example.org"),
          ])
    func messageIdentifiers(raw: String, expected: String) throws {
        let message = try parseMail("From: sam@example.org\nMessage-ID: \(raw)\nIn-Reply-To: \(raw)\n\nHi")
        #expect(message.messageID == expected)
        #expect(message.inReplyTo == expected)
    }

    @Test("An empty Message-ID is no identifier")
    func emptyMessageID() throws {
        #expect(try parseMail("From: sam@example.org\nMessage-ID: <>\n\nHi").messageID == nil)
    }

    @Test("Input that is not a mail message is refused with a reason",
          arguments: ["", "\r\n\r\n", "Hello, this is just some text.\nIt has no headers.",
                      " From: folded-looking first line"])
    func notMail(raw: String) {
        #expect(throws: MailParseError.self) { try MailParser.parse(Data(raw.utf8)) }
    }

    @Test("A message with headers but no From header is refused")
    func noFrom() {
        #expect(throws: MailParseError(reason: "there is no From header")) {
            try parseMail("To: asb@example.com\nSubject: Hi\n\nBody")
        }
        #expect(MailParseError(reason: "there is no header block").description == "there is no header block")
    }

    @Test("An mbox envelope line and leading blank lines before the headers are tolerated")
    func mboxEnvelope() throws {
        let message = try parseMail("\n\nFrom sam@example.org Tue Nov 24 10:15:00 2026\nFrom: sam@example.org\nSubject: Hi\n\nBody")
        #expect(message.from?.address == "sam@example.org")
        #expect(message.subject == "Hi")
    }

    @Test("A line that is not a header ends the header block and starts the body")
    func nonHeaderLineStartsBody() throws {
        let message = try parseMail("From: sam@example.org\nSubject: Hi\nThis line has no colon\nNor this one")
        #expect(message.subject == "Hi")
        #expect(message.text == "This line has no colon\nNor this one")
    }

    @Test("Raw UTF-8 in headers (RFC 6532) is read, and stray 8-bit bytes do not break them")
    func eightBitHeaders() throws {
        let utf8 = try parseMail("From: Zoë Example <zoe@example.org>\nSubject: Noise – again\n\nHi")
        #expect(utf8.from?.name == "Zoë Example")
        #expect(utf8.subject == "Noise – again")
        var raw = Data("From: sam@example.org\r\nSubject: Caf".utf8)
        raw.append(0xE9)
        raw.append(Data(" noise\r\n\r\nHi".utf8))
        #expect(try MailParser.parse(raw).subject == "Café noise")
    }
}

// MARK: - Addresses

@Suite("Mail: addresses")
struct MailAddressTests {
    @Test("A single mailbox in every common form",
          arguments: [
              ("Sam Example <Sam@Example.ORG>", "Sam Example", "sam@example.org"),
              ("\"Example, Sam\" <sam@example.org>", "Example, Sam", "sam@example.org"),
              ("\"Sam \\\"Sammy\\\" Example\" <sam@example.org>", "Sam \"Sammy\" Example", "sam@example.org"),
              ("sam@example.org", nil, "sam@example.org"),
              ("<sam@example.org>", nil, "sam@example.org"),
              ("sam@example.org (Sam Example)", "Sam Example", "sam@example.org"),
              ("sam @ example.org", nil, "sam@example.org"),
              ("sam@example.org and some trailing words", nil, "sam@example.org"),
              ("Sam (the reporter) Example <sam@example.org>", "Sam Example", "sam@example.org"),
              ("<sam@example.org> (Sam Example)", "Sam Example", "sam@example.org"),
              ("Sam J. Example <sam.j@example.org>", "Sam J. Example", "sam.j@example.org"),
              ("'Sam Example' <sam@example.org>", "Sam Example", "sam@example.org"),
              ("=?UTF-8?B?U2FtIMOJeGFtcGxl?= <sam@example.org>", "Sam Éxample", "sam@example.org"),
              ("=?iso-8859-1?Q?Zo=EB_Example?= <zoe@example.org>", "Zoë Example", "zoe@example.org"),
              ("\"=?utf-8?Q?Sam_Example?=\" <sam@example.org>", "Sam Example", "sam@example.org"),
              ("=?utf-8?Q?Sam_(Example)?= <sam@example.org>", "Sam (Example)", "sam@example.org"),
              ("=?utf-8?q?Sam?= =?utf-8?q?_Example?= <sam@example.org>", "Sam Example", "sam@example.org"),
              ("Sam Example <@relay.example.net:sam@example.org>", "Sam Example", "sam@example.org"),
              ("  Sam   Example   < sam @ example.org >  ", "Sam Example", "sam@example.org"),
          ] as [(String, String?, String)])
    func singleMailbox(raw: String, name: String?, address: String) throws {
        let message = try parseMail("From: \(raw)\n\nHi")
        #expect(message.from == MailAddress(name: name, address: address))
    }

    @Test("Address lists with groups, quoted commas and empty groups")
    func lists() throws {
        let message = try parseMail("""
            From: sam@example.org
            To: Residents: a@example.com, "Bloggs, Jo" <JO@example.com>;, d@example.com,
             undisclosed-recipients:;, , Pat <pat@example.com>

            Hi
            """)
        #expect(message.to == [
            MailAddress(address: "a@example.com"),
            MailAddress(name: "Bloggs, Jo", address: "jo@example.com"),
            MailAddress(address: "d@example.com"),
            MailAddress(name: "Pat", address: "pat@example.com"),
        ])
    }

    @Test("A list with no mailboxes at all is empty")
    func emptyGroup() throws {
        #expect(try parseMail("From: sam@example.org\nTo: undisclosed-recipients:;\n\nHi").to.isEmpty)
    }

    @Test("Addresses print in the usual form")
    func printing() {
        #expect(MailAddress(name: "Sam Example", address: "Sam@Example.org").description == "Sam Example <sam@example.org>")
        #expect(MailAddress(address: "sam@example.org").description == "sam@example.org")
    }
}

// MARK: - Encoded words

@Suite("Mail: RFC 2047 encoded words")
struct MailEncodedWordTests {
    @Test("Subjects decode B and Q words in UTF-8, ISO-8859-1 and Windows-1252",
          arguments: [
              ("=?UTF-8?B?4pyTIERvbmU=?=", "✓ Done"),
              ("=?utf-8?b?4pyTIERvbmU?=", "✓ Done"),
              ("=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait"),
              ("=?ISO-8859-1?Q?Caf=E9?=", "Café"),
              ("=?iso-8859-1?q?caf=e9?=", "café"),
              ("=?windows-1252?Q?=80100_fine_=96_=93final=94?=", "€100 fine – “final”"),
              ("Re: =?utf-8?q?Noise?= complaint", "Re: Noise complaint"),
              ("=?utf-8?q?Hello_?= =?utf-8?q?World?=", "Hello World"),
              ("=?utf-8?B?SGVs?=\r\n =?utf-8?B?bG8=?=", "Hello"),
              ("=?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?=", "café"),
              ("=?ISO-8859-1?Q?a?= =?UTF-8?Q?b?=", "ab"),
              ("=?utf-8*en?q?Hello?=", "Hello"),
              ("=?x-unknown?q?Hello?=", "Hello"),
              ("=?utf-8?x?abc?=", "=?utf-8?x?abc?="),
              ("=?utf-8?q?unterminated", "=?utf-8?q?unterminated"),
              ("2 + 2 =? 4", "2 + 2 =? 4"),
              ("  Lots   of\tspace  ", "Lots of space"),
          ])
    func subjects(raw: String, expected: String) throws {
        let message = try MailParser.parse(Data("From: sam@example.org\r\nSubject: \(raw)\r\n\r\nHi".utf8))
        #expect(message.subject == expected)
    }

    @Test("Decoding works on its own too, keeping the space between a word and plain text")
    func direct() {
        #expect(EncodedWords.decode("=?utf-8?q?A?= b =?utf-8?q?C?=") == "A b C")
        #expect(EncodedWords.decode("no words here") == "no words here")
    }
}

// MARK: - Dates

@Suite("Mail: dates")
struct MailDateTests {
    @Test("RFC 5322 dates and their obsolete forms are read",
          arguments: [
              ("Tue, 24 Nov 2026 10:15:00 +0000", mailUTC(2026, 11, 24, 10, 15)),
              ("24 Nov 2026 10:15 +0100", mailUTC(2026, 11, 24, 9, 15)),
              ("Tue, 24 Nov 2026 10:15:00 -0000 (UTC)", mailUTC(2026, 11, 24, 10, 15)),
              ("Tue,  24  Nov  2026  05:15:30  EST", mailUTC(2026, 11, 24, 10, 15, 30)),
              ("Tue, 24 Nov 26 10:15:00 GMT", mailUTC(2026, 11, 24, 10, 15)),
              ("Tue, 24 Nov 126 10:15:00 UT", mailUTC(2026, 11, 24, 10, 15)),
              ("Sat, 1 Jan 99 00:00:00 +0000", mailUTC(1999, 1, 1, 0, 0)),
              ("Tue, 24 Nov 2026 10:15:00 Z", mailUTC(2026, 11, 24, 10, 15)),
              ("Tue, 24 Nov 2026 10:15:00 A", mailUTC(2026, 11, 24, 10, 15)),
              ("Tue, 24 Nov 2026 11:15:00 BST", mailUTC(2026, 11, 24, 10, 15)),
              ("tue, 24 nov 2026 10:15:00 +05:30", mailUTC(2026, 11, 24, 4, 45)),
              ("Tuesday, 24 November 2026 10:15:00 +0000", mailUTC(2026, 11, 24, 10, 15)),
              ("Tue Nov 24 10:15:00 2026", mailUTC(2026, 11, 24, 10, 15)),
              ("24-Nov-2026 10:15:00 +0000", mailUTC(2026, 11, 24, 10, 15)),
              ("Tue, 24 Nov 2026 10:15:00", mailUTC(2026, 11, 24, 10, 15)),
              ("Sun, 29 Feb 2028 23:59:60 +0000", mailUTC(2028, 2, 29, 23, 59, 59)),
              ("Thu, 1 Jan 1970 00:00:00 +0000", Date(timeIntervalSince1970: 0)),
          ])
    func valid(raw: String, expected: Date) throws {
        let message = try parseMail("From: sam@example.org\nDate: \(raw)\n\nHi")
        #expect(message.date == expected)
    }

    @Test("Unreadable dates are nil, never an error",
          arguments: ["", "yesterday", "31 Feb 2026 10:00 +0000", "29 Feb 2026 10:00 +0000", "24 Nov 2026",
                      "24 Foo 2026 10:00 +0000", "24 Nov 2026 25:00 +0000", "24 Nov 2026 10:61 +0000", "99999 Nov 99999 1:2:3"])
    func invalid(raw: String) throws {
        #expect(try parseMail("From: sam@example.org\nDate: \(raw)\n\nHi").date == nil)
    }
}

// MARK: - Transfer encodings

@Suite("Mail: transfer encodings")
struct MailTransferEncodingTests {
    private func body(_ encoding: String, _ content: String, charset: String = "utf-8") throws -> String {
        try parseMail("""
            From: sam@example.org
            Content-Type: text/plain; charset=\(charset)
            Content-Transfer-Encoding: \(encoding)

            \(content)
            """).text
    }

    @Test("7bit and 8bit bodies pass through")
    func sevenAndEightBit() throws {
        #expect(try body("7bit", "Plain words.") == "Plain words.")
        #expect(try body("8bit", "Café – £5") == "Café – £5")
        #expect(try body("8BIT", "Upper-case name") == "Upper-case name")
        #expect(try body("x-unknown", "Unknown encoding passes through") == "Unknown encoding passes through")
    }

    @Test("Quoted-printable: soft breaks (even with trailing white space), =XX in either case, stray = kept")
    func quotedPrintable() throws {
        #expect(try body("quoted-printable", "A long line that was wra=\npped. Soft break with spaces after =  \nit.")
            == "A long line that was wrapped. Soft break with spaces after it.")
        #expect(try body("quoted-printable", "=C2=A35 and =c2=a35") == "£5 and £5")
        #expect(try body("Quoted-Printable", "a = b and =ZZ and =4") == "a = b and =ZZ and =4")
        #expect(TransferEncoding.quotedPrintable(Array("ends with =".utf8)[...]) == Array("ends with ".utf8))
    }

    @Test("Base64 with line breaks, missing padding and stray characters")
    func base64() throws {
        let wrapped = "SGVsbG8sClRoZSBnYXRlIGhhcyBiZWVuIGJyb2tl\nbiBzaW5jZSBGcmlkYXkuClBsZWFzZSBmaXggaXQu\nCg=="
        #expect(try body("base64", wrapped) == "Hello,\nThe gate has been broken since Friday.\nPlease fix it.")
        #expect(try body("BASE64", "SGVsbG8") == "Hello")
        #expect(TransferEncoding.base64(Array("SGVs bG8=\r\n!!".utf8)[...]) == Array("Hello".utf8))
        #expect(TransferEncoding.base64(Array("SGk=SGk=".utf8)[...]) == Array("HiHi".utf8), "Concatenated padded chunks")
        #expect(TransferEncoding.base64(Array("_-8".utf8)[...]) == [0xFF, 0xEF], "URL-safe alphabet")
        #expect(TransferEncoding.base64([][...]).isEmpty)
    }

    @Test("A binary attachment keeps every byte, including CR, LF and NUL")
    func binary() throws {
        let payload: [UInt8] = [0x00, 0x01, 0x0D, 0x0A, 0xFF, 0x0A, 0x0D]
        var raw = mailData("""
            From: sam@example.org
            Content-Type: multipart/mixed; boundary=b1

            --b1
            Content-Type: text/plain

            See attached.
            --b1
            Content-Type: application/octet-stream; name=blob.bin
            Content-Transfer-Encoding: binary

            """)
        raw.append(contentsOf: payload)
        raw.append(Data("\r\n--b1--\r\n".utf8))
        let message = try MailParser.parse(raw)
        #expect(message.text == "See attached.")
        #expect(message.attachments == [MailAttachment(fileName: "blob.bin", contentType: "application/octet-stream", data: Data(payload))])
    }
}

// MARK: - Charsets

@Suite("Mail: charsets")
struct MailCharsetTests {
    private func text(charset: String?, _ body: [UInt8], encoding: String = "8bit") throws -> String {
        let type = charset.map { "text/plain; charset=\($0)" } ?? "text/plain"
        let headers = "From: sam@example.org\nContent-Type: \(type)\nContent-Transfer-Encoding: \(encoding)"
        return try MailParser.parse(mailData(headers: headers, body: body)).text
    }

    @Test("UTF-8 and US-ASCII")
    func utf8AndASCII() throws {
        #expect(try text(charset: "utf-8", Array("Zoë paid £5 – ✓".utf8)) == "Zoë paid £5 – ✓")
        #expect(try text(charset: "\"UTF8\"", Array("Zoë".utf8)) == "Zoë")
        #expect(try text(charset: "us-ascii", Array("Plain".utf8)) == "Plain")
        #expect(try text(charset: "us-ascii", Array("Mislabelled Zoë".utf8)) == "Mislabelled Zoë")
        #expect(try text(charset: nil, Array("No charset: Zoë".utf8)) == "No charset: Zoë")
    }

    @Test("ISO-8859-1 under its usual names")
    func latin1() throws {
        for name in ["iso-8859-1", "ISO_8859-1", "latin1", "l1"] {
            #expect(try text(charset: name, Array("Caf".utf8) + [0xE9, 0x20, 0xA3, 0x35]) == "Café £5")
        }
    }

    @Test("Windows-1252 maps every defined byte in 0x80–0x9F, including € and smart quotes")
    func windows1252() throws {
        let high: [UInt8] = [0x80, 0x85, 0x91, 0x92, 0x93, 0x94, 0x96, 0x97, 0x99, 0x8A, 0x9F]
        #expect(try text(charset: "windows-1252", high) == "€…‘’“”–—™ŠŸ")
        #expect(try text(charset: "cp1252", [0x93, 0x48, 0x69, 0x94]) == "“Hi”")
        // ISO-8859-1 is read as Windows-1252, as browsers do, because mailers mislabel one as the other.
        #expect(try text(charset: "iso-8859-1", [0x93, 0x48, 0x69, 0x94]) == "“Hi”")
    }

    @Test("ISO-8859-15 has its own euro sign; other charsets go through Foundation")
    func otherCharsets() throws {
        #expect(try text(charset: "iso-8859-15", [0xA4, 0x35]) == "€5")
        #expect(try text(charset: "iso-8859-2", [0xB9]) == "š")
        #expect(try text(charset: "windows-1251", [0xCF, 0xF0, 0xE8]) == "При")
    }

    @Test("Unknown charsets fall back to UTF-8, then to Latin-1, without crashing")
    func unknownCharsets() throws {
        #expect(try text(charset: "x-made-up", Array("Zoë".utf8)) == "Zoë")
        #expect(try text(charset: "x-made-up", [0x5A, 0x6F, 0xEB]) == "Zoë")
        #expect(try text(charset: "", [0x5A, 0x6F, 0xEB]) == "Zoë")
    }

    @Test("Invalid UTF-8 never crashes: stray bytes are read as Windows-1252, the rest as UTF-8")
    func invalidUTF8() throws {
        #expect(try text(charset: "utf-8", Array("£".utf8) + [0x20, 0xA3, 0x35]) == "£ £5")
        #expect(try text(charset: "utf-8", [0x41, 0xE2, 0x82]) == "Aâ‚", "Truncated sequence at the end")
        #expect(try text(charset: "utf-8", [0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xF8]).count == 6, "Overlong, surrogate, invalid lead")
        #expect(Charset.decodeLenientUTF8([0xF0, 0x9F, 0x98, 0x80]) == "😀")
        #expect(Charset.decodeLenientUTF8([0xF4, 0x90, 0x80, 0x80]).unicodeScalars.count == 4, "Above U+10FFFF")
    }

    @Test("NUL characters are removed from text")
    func nulRemoved() throws {
        #expect(try text(charset: "utf-8", [0x41, 0x00, 0x42]) == "AB")
    }
}

// MARK: - MIME structure

@Suite("Mail: MIME structure")
struct MailMIMETests {
    @Test("multipart/alternative prefers text/plain")
    func alternativePrefersPlain() throws {
        let message = try parseMail("""
            From: sam@example.org
            Content-Type: multipart/alternative; boundary="alt"

            --alt
            Content-Type: text/html

            <p>HTML version</p>
            --alt
            Content-Type: text/plain

            Plain version
            --alt--
            """)
        #expect(message.text == "Plain version")
    }

    @Test("multipart/alternative with an empty plain part falls back to the HTML")
    func alternativeEmptyPlain() throws {
        let message = try parseMail("""
            From: sam@example.org
            Content-Type: multipart/alternative; boundary=alt

            --alt
            Content-Type: text/plain

            \u{20}\u{20}
            --alt
            Content-Type: text/html

            <p>Only the <b>HTML</b> says anything.</p>
            --alt--
            """)
        #expect(message.text == "Only the HTML says anything.")
    }

    @Test("HTML-only mail is converted to text")
    func htmlOnly() throws {
        let message = try parseMail("""
            From: sam@example.org
            Content-Type: text/html; charset=utf-8

            <html><body><h1>Report</h1><ul><li>Noise</li><li>Litter</li></ul></body></html>
            """)
        #expect(message.text == "Report\n\n- Noise\n- Litter")
    }

    @Test("Attachment rules: disposition attachment, inline with a filename, or name= on Content-Type; inline text is body")
    func attachmentRules() throws {
        let message = try parseMail("""
            From: sam@example.org
            Content-Type: multipart/mixed; boundary="mixed"

            --mixed
            Content-Type: text/plain; charset=utf-8

            First part.
            --mixed
            Content-Type: text/plain; charset=utf-8
            Content-Disposition: attachment; filename="notes.txt"

            These are notes, not the body.
            --mixed
            Content-Type: image/jpeg
            Content-Disposition: inline; filename="inline.jpg"
            Content-Transfer-Encoding: base64

            /9j/
            --mixed
            Content-Type: image/png; name="named.png"
            Content-Transfer-Encoding: base64

            iVBORw==
            --mixed
            Content-Type: image/gif
            Content-Transfer-Encoding: base64

            R0lGODlh
            --mixed
            Content-Type: text/plain

            Second part.
            --mixed--
            """)
        #expect(message.text == "First part.\n\nSecond part.")
        #expect(message.attachments.map(\.fileName) == ["notes.txt", "inline.jpg", "named.png", "attachment.gif"])
        #expect(message.attachments.map(\.contentType) == ["text/plain", "image/jpeg", "image/png", "image/gif"])
        #expect(message.attachments.first?.data == Data("These are notes, not the body.".utf8))
    }

    @Test("File names: RFC 2231 continuations, encoded words, directories stripped, invented when missing")
    func fileNames() throws {
        let message = try parseMail("""
            From: sam@example.org
            Content-Type: multipart/mixed; boundary=m

            --m
            Content-Type: application/pdf
            Content-Disposition: attachment; filename*0*=utf-8''L%C3%A4rm%20; filename*1="log.pdf"

            a
            --m
            Content-Type: application/pdf; name="=?utf-8?B?R2Vyw6R1c2NoLnBkZg==?="

            b
            --m
            Content-Type: application/octet-stream
            Content-Disposition: attachment; filename="C:\\\\Users\\\\sam\\\\evidence.doc"

            c
            --m
            Content-Type: application/octet-stream
            Content-Disposition: attachment; filename="../../etc/passwd"

            d
            --m
            Content-Type: application/x-unknown
            Content-Disposition: attachment

            e
            --m
            Content-Type: application/x-unknown
            Content-Disposition: attachment; filename=".."

            f
            --m
            Content-Type: application/pdf; name=My photo list.pdf

            g
            --m--
            """)
        #expect(message.attachments.map(\.fileName)
            == ["Lärm log.pdf", "Geräusch.pdf", "evidence.doc", "passwd", "attachment.bin", "attachment-2.bin", "My photo list.pdf"])
    }

    @Test("Several forwarded messages get distinct names")
    func severalForwards() throws {
        let message = try parseMail("""
            From: sam@example.org
            Content-Type: multipart/mixed; boundary=m

            --m
            Content-Type: message/rfc822

            From: a@example.com

            One
            --m
            Content-Type: message/rfc822

            From: b@example.com

            Two
            --m
            Content-Type: message/rfc822
            Content-Disposition: attachment; filename="complaint.eml"

            From: c@example.com

            Three
            --m--
            """)
        #expect(message.attachments.map(\.fileName) == ["forwarded.eml", "forwarded-2.eml", "complaint.eml"])
        #expect(message.text == "")
    }

    @Test("Boundaries: unquoted with odd characters, a missing closing boundary, and look-alike lines that are not boundaries")
    func boundaries() throws {
        let message = try parseMail("""
            From: sam@example.org
            Content-Type: multipart/mixed; boundary=----=_Part_0_1.2+3

            preamble text
            ------=_Part_0_1.2+3
            Content-Type: text/plain

            Line one.
            ------=_Part_0_1.2+3X is not a boundary
            ------=_Part_0_1.2+3 \t
            Content-Type: text/plain

            Part two, never closed.
            """)
        #expect(message.text == "Line one.\n------=_Part_0_1.2+3X is not a boundary\n\nPart two, never closed.")
    }

    @Test("A multipart without a boundary parameter uses its first dash-dash line; with no boundary lines at all the body is text")
    func missingBoundary() throws {
        let guessed = try parseMail("""
            From: sam@example.org
            Content-Type: multipart/mixed

            --guess
            Content-Type: text/plain

            Found it.
            --guess--
            """)
        #expect(guessed.text == "Found it.")
        let none = try parseMail("From: sam@example.org\nContent-Type: multipart/mixed; boundary=zzz\n\nNo parts here.")
        #expect(none.text == "No parts here.")
    }

    @Test("A part without headers defaults to text/plain; a digest's parts default to message/rfc822")
    func partDefaults() throws {
        let message = try parseMail("""
            From: sam@example.org
            Content-Type: multipart/mixed; boundary=m

            --m

            Headerless part.
            --m
            Content-Type: multipart/digest; boundary=d

            --d

            From: a@example.com

            Digest entry
            --d--
            --m--
            """)
        #expect(message.text == "Headerless part.")
        #expect(message.attachments.map(\.contentType) == ["message/rfc822"])
    }

    @Test("format=flowed text is joined; delsp=yes removes the joining space")
    func formatFlowed() throws {
        let flowed = try parseMail("""
            From: sam@example.org
            Content-Type: text/plain; charset=utf-8; format=flowed

            This line was\u{20}
            flowed and\u{20}
             stuffed.
            > Quoted\u{20}
            > flowed.
            Hard break.
            """)
        #expect(flowed.text == "This line was flowed and stuffed.\n> Quoted flowed.\nHard break.")
        let delsp = try parseMail("""
            From: sam@example.org
            Content-Type: text/plain; format=flowed; delsp=yes

            Bre\u{20}
            ak
            """)
        #expect(delsp.text == "Break")
    }

    @Test("A malformed Content-Type is read as plain text")
    func malformedContentType() throws {
        #expect(try parseMail("From: sam@example.org\nContent-Type: ;;; /\n\nStill readable").text == "Still readable")
        #expect(try parseMail("From: sam@example.org\nContent-Type: text/plain; charset=\"unterminated\n\nOK").text == "OK")
        #expect(try parseMail("From: sam@example.org\nContent-Type: text/plain; charset=utf-8 (comment)\n\nZoë").text == "Zoë")
    }

    @Test("A signed message shows its text; the PGP or S/MIME signature is not an attachment")
    func signedMessage() throws {
        let message = try parseMail("""
            From: sam@example.org
            Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="sig"

            --sig
            Content-Type: multipart/mixed; boundary="inner"

            --inner
            Content-Type: text/plain; charset=utf-8

            Signed report.
            --inner
            Content-Type: image/jpeg; name="door.jpg"
            Content-Transfer-Encoding: base64

            /9j/
            --inner--

            --sig
            Content-Type: application/pgp-signature; name="signature.asc"

            -----BEGIN PGP SIGNATURE-----
            -----END PGP SIGNATURE-----
            --sig
            Content-Type: application/pkcs7-signature; name="smime.p7s"
            Content-Transfer-Encoding: base64

            MIAGCSqGSIb3DQEHAqCAMIACAQE=
            --sig--
            """)
        #expect(message.text == "Signed report.")
        #expect(message.attachments.map(\.fileName) == ["door.jpg"])
    }

    @Test("A single-part non-text message is an attachment with no text")
    func singlePartAttachment() throws {
        let message = try parseMail("""
            From: scanner@example.com
            Content-Type: application/pdf
            Content-Transfer-Encoding: base64

            JVBERi0xLjQK
            """)
        #expect(message.text == "")
        #expect(message.attachments == [MailAttachment(fileName: "attachment.pdf", contentType: "application/pdf", data: Data("%PDF-1.4\n".utf8))])
    }

    @Test("Deeply nested multiparts stop at a depth limit instead of overflowing the stack")
    func deepNesting() throws {
        var raw = "From: sam@example.org\nContent-Type: multipart/mixed; boundary=b0\n\n"
        for level in 0..<300 { raw += "--b\(level)\nContent-Type: multipart/mixed; boundary=b\(level + 1)\n\n" }
        raw += "--b300\nContent-Type: text/plain\n\nDeep\n"
        let message = try parseMail(raw)
        #expect(message.text == "")
    }

    @Test("Text parts joined in a multipart/mixed keep their order; an HTML part among them is converted")
    func mixedTextParts() throws {
        let message = try parseMail("""
            From: sam@example.org
            Content-Type: multipart/mixed; boundary=m

            --m
            Content-Type: text/plain

            Before the photo.
            --m
            Content-Type: text/html

            <p>After &amp; below.</p>
            --m--
            """)
        #expect(message.text == "Before the photo.\n\nAfter & below.")
    }
}

// MARK: - Case references in subjects

@Suite("Mail: case references in subjects")
struct MailSubjectTests {
    @Test("SS-REP-1: a reply's subject finds its case, in any case, printed upper-case",
          arguments: [
              ("Re: Your report asb-2026-00042", "ASB-2026-00042"),
              ("RE: FW: [ASB-2026-00042] noise", "ASB-2026-00042"),
              ("ASB-2027-123456 update", "ASB-2027-123456"),
              ("Case (asb-2026-00001).", "ASB-2026-00001"),
              ("first asb-2026-0000 then ASB-2026-00007", "ASB-2026-00007"),
          ])
    func found(subject: String, expected: String) {
        #expect(MailSubject.caseReference(in: subject) == expected)
        #expect(MailMessage.caseReference(in: subject) == expected)
    }

    @Test("Subjects without a valid, free-standing reference give nil",
          arguments: ["", "Noise again", "ASB-2026-0042", "ASB-26-00042", "XASB-2026-00042", "ASB-2026-00042X",
                      "ASB-2026-00000", "ASB 2026 00042", "ASB-2026-", "ASB-", "ASB-２０２６-00001"])
    func notFound(subject: String) {
        #expect(MailSubject.caseReference(in: subject) == nil)
    }
}
