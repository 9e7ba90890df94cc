import Foundation
import Testing

@testable import ASBCore

@Suite("Mail: new text of a reply")
struct MailQuotedReplyTests {
    @Test("SS-REP-1: the reply stops at a one-line \"On … wrote:\" attribution")
    func oneLineAttribution() {
        let text = """
            The noise is worse this week.

            On Tue, 24 Nov 2026 at 10:15, Sam Example <sam@example.org> wrote:
            > Thank you for your report.
            """
        #expect(QuotedReply.newText(of: text) == "The noise is worse this week.")
    }

    @Test("SS-REP-1: the reply stops at an attribution wrapped over two lines")
    func wrappedAttribution() {
        let text = """
            Still happening.

            On Tue, 24 Nov 2026 at 10:15, Sam Example
            <sam@example.org> wrote:

            > Thank you.
            """
        #expect(QuotedReply.newText(of: text) == "Still happening.")
    }

    @Test("Other attribution styles: an address with \"wrote:\", and French and German clients")
    func otherAttributions() {
        #expect(QuotedReply.newText(of: "Yes.\nSam Example <sam@example.org> wrote:\n> Is it?") == "Yes.")
        #expect(QuotedReply.newText(of: "Oui.\nLe mar. 24 nov. 2026 à 10:15, Sam <sam@example.org> a écrit :\n> ?") == "Oui.")
        #expect(QuotedReply.newText(of: "Ja.\nAm 24.11.2026 um 10:15 schrieb Sam Example <sam@example.org>:\n> ?") == "Ja.")
    }

    @Test("A sentence that merely starts with \"On\" is kept")
    func onSentenceKept() {
        let text = "On Tuesday the neighbour shouted at me.\nOn Wednesday he wrote a note.\nIt said: go away."
        #expect(QuotedReply.newText(of: text) == text)
        let outlookForward = "Please look at this.\n\n________________________________\nFrom: Pat <pat@example.com>\nSent: 23 November 2026 18:02\nTo: Sam <sam@example.org>\nSubject: FW: Parking\n\nThe van is back."
        #expect(QuotedReply.newText(of: outlookForward) == outlookForward)
    }

    @Test("SS-REP-1: the reply stops at Outlook's -----Original Message-----")
    func originalMessage() {
        #expect(QuotedReply.newText(of: "See attached.\n\n-----Original Message-----\nFrom: ASB Team\nSent: Tuesday\n\nOld") == "See attached.")
        #expect(QuotedReply.newText(of: "Thanks\n----- Original Message -----\nold") == "Thanks")
    }

    @Test("SS-REP-1: the reply stops at Outlook's From/Sent/To block, and the rule above it")
    func outlookHeaderBlock() {
        let text = """
            Thanks for calling me back.

            ________________________________
            From: ASB Team <asb@example.com>
            Sent: 24 November 2026 10:15
            To: Sam Example <sam@example.org>
            Subject: Your report ASB-2026-00042

            Thank you for your report.
            """
        #expect(QuotedReply.newText(of: text) == "Thanks for calling me back.")
        #expect(QuotedReply.newText(of: "Noted.\nFrom: ASB Team\nDate: 24 Nov 2026\nSubject: Hi\n\nOld") == "Noted.")
        #expect(QuotedReply.newText(of: "From: my window I saw it.\nTo: be honest it was loud.") == "From: my window I saw it.\nTo: be honest it was loud.",
                "From: without Sent: is ordinary text")
    }

    @Test("Trailing quoted lines are dropped; quotes answered inline keep the answers")
    func trailingQuotes() {
        #expect(QuotedReply.newText(of: "New text.\n\n> old line\n>\n> > older\n") == "New text.")
        let inline = "> Did it happen again?\nYes, twice.\n> When?\nSaturday night.\n> Anything else?"
        #expect(QuotedReply.newText(of: inline) == "> Did it happen again?\nYes, twice.\n> When?\nSaturday night.")
    }

    @Test("A signature after \"-- \" is dropped")
    func signature() {
        #expect(QuotedReply.newText(of: "Please call me.\n\n-- \nSam Example\n07700 900123") == "Please call me.")
        #expect(QuotedReply.newText(of: "Please call me.\n--\nSam") == "Please call me.")
        #expect(QuotedReply.newText(of: "A dash -- inside a line stays.") == "A dash -- inside a line stays.")
    }

    @Test("When nothing new remains, newText is the whole text")
    func nothingLeft() {
        let onlyQuote = "> Thank you for your report.\n> Please tell us if it happens again."
        #expect(QuotedReply.newText(of: onlyQuote) == onlyQuote)
        let onlyAttribution = "On Tue, 24 Nov 2026 at 10:15, Sam <sam@example.org> wrote:\n> Hi"
        #expect(QuotedReply.newText(of: onlyAttribution) == onlyAttribution)
        #expect(QuotedReply.newText(of: "") == "")
    }

    @Test("A forwarded message is not quoted history and is kept")
    func forwardKept() {
        let text = "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Pat <pat@example.com>\nDate: Mon, 23 Nov 2026\nSubject: Parking\nTo: Sam <sam@example.org>\n\nThe van is back."
        #expect(QuotedReply.newText(of: text) == text)
        let outlookForward = "Please look at this.\n\n________________________________\nFrom: Pat <pat@example.com>\nSent: 23 November 2026 18:02\nTo: Sam <sam@example.org>\nSubject: FW: Parking\n\nThe van is back."
        #expect(QuotedReply.newText(of: outlookForward) == outlookForward)
    }

    @Test("SS-REP-1: a whole Outlook plain-text reply parses to just the new words")
    func wholeOutlookReply() throws {
        let message = try parseMail("""
            From: Sam Example <sam@example.org>
            To: ASB Team <asb@example.com>
            Subject: RE: Your report ASB-2026-00042
            Content-Type: text/plain; charset="us-ascii"
            Content-Transfer-Encoding: 7bit

            It was number 12 again.

            -----Original Message-----
            From: ASB Team <asb@example.com>
            Sent: 24 November 2026 10:15
            To: Sam Example <sam@example.org>
            Subject: Your report ASB-2026-00042

            Which house was it?
            """)
        #expect(message.newText == "It was number 12 again.")
        #expect(message.text.hasSuffix("Which house was it?"))
    }
}
