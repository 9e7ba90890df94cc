import Foundation
import Testing

@testable import ASBCore

@Suite("Mail: HTML to text")
struct MailHTMLTextTests {
    @Test("Paragraphs, headings and divs become lines, with a blank line between paragraphs")
    func blocks() {
        #expect(HTMLText.plainText(from: "<h1>Report</h1><p>First paragraph.</p><p>Second paragraph.</p><div>A div</div><div>Another</div>")
            == "Report\n\nFirst paragraph.\n\nSecond paragraph.\n\nA div\nAnother")
    }

    @Test("<br> is a line break; two make a blank line; none at the start")
    func lineBreaks() {
        #expect(HTMLText.plainText(from: "<br>One<br>Two<br/><br />Three<BR>") == "One\nTwo\n\nThree")
    }

    @Test("List items become \"- \" lines, nested lists are indented")
    func lists() {
        let html = "<p>Incidents:</p><ul><li>Noise</li><li>Litter<ul><li>Bags</li><li>Bottles</li></ul></li><li>Graffiti</li></ul><ol><li>First</li></ol>After"
        #expect(HTMLText.plainText(from: html) == "Incidents:\n\n- Noise\n- Litter\n  - Bags\n  - Bottles\n- Graffiti\n\n- First\n\nAfter")
    }

    @Test("Links keep their text, with the address in brackets only when it differs")
    func links() {
        #expect(HTMLText.plainText(from: "See <a href=\"https://example.org/photos\">the photos</a>.")
            == "See the photos (https://example.org/photos).")
        #expect(HTMLText.plainText(from: "Visit <a href='https://www.example.org/'>www.example.org</a>") == "Visit www.example.org")
        #expect(HTMLText.plainText(from: "<a href=\"mailto:sam@example.org\">sam@example.org</a>") == "sam@example.org")
        #expect(HTMLText.plainText(from: "<a href=\"#top\">Back to top</a>") == "Back to top")
        #expect(HTMLText.plainText(from: "<a href=https://example.org/a?x=1&amp;y=2>link</a>") == "link (https://example.org/a?x=1&y=2)")
        #expect(HTMLText.plainText(from: "<a name=\"anchor\">Anchor</a> text") == "Anchor text")
        #expect(HTMLText.plainText(from: "<a href=\"https://example.org\"><img src=\"logo.png\" alt=\"\"></a>Hi") == "Hi")
    }

    @Test("Entities are decoded: common named ones and numeric ones, decimal and hex")
    func entities() {
        #expect(HTMLText.plainText(from: "Fish &amp; chips &lt;3 &quot;yes&quot; &apos;no&apos; &pound;5 &euro;6 &copy; &hellip;")
            == "Fish & chips <3 \"yes\" 'no' £5 €6 © …")
        #expect(HTMLText.plainText(from: "&#163;5 &#x20AC;6 &#X201c;hi&#x201D; &#8211; &#150;") == "£5 €6 “hi” – –")
        #expect(HTMLText.plainText(from: "caf&eacute; na&iuml;ve &Eacute;") == "café naïve É")
        #expect(HTMLText.plainText(from: "&unknown; &amp &#; &#0; &#x110000;") == "&unknown; &amp &#; \u{FFFD} \u{FFFD}")
        #expect(HTMLText.plainText(from: "a&nbsp;&nbsp;b") == "a b")
    }

    @Test("<script>, <style>, <head> and comments are dropped, including Outlook's conditional comments")
    func droppedContent() {
        let html = """
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>Ignore me</title>
            <style>p { color: red; } /* <p>not text</p> */</style></head>
            <body><!-- a comment <p>hidden</p> --><!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]-->
            <script type="text/javascript">document.write("<p>nope</p>");</script>
            <p>Visible</p><SCRIPT>alert(1)</SCRIPT><noscript>Enable JS</noscript></body></html>
            """
        #expect(HTMLText.plainText(from: html) == "Visible")
    }

    @Test("White space is collapsed as a browser would; <pre> keeps it")
    func whitespace() {
        #expect(HTMLText.plainText(from: "  Lots \n\n of\t\tspace   <b>bold</b>text  ") == "Lots of space boldtext")
        #expect(HTMLText.plainText(from: "<pre>line 1\n  indented\n</pre><p>after</p>") == "line 1\n  indented\n\nafter")
    }

    @Test("Blockquotes become \"> \" lines, nested ones \">> \"")
    func blockquotes() {
        #expect(HTMLText.plainText(from: "New text<blockquote>Old line 1<br>Old line 2<blockquote>Older</blockquote></blockquote>End")
            == "New text\n> Old line 1\n> Old line 2\n>> Older\nEnd")
    }

    @Test("Table cells are separated by spaces and rows by lines")
    func tables() {
        #expect(HTMLText.plainText(from: "<table><tr><td>Name:</td><td>Sam</td></tr><tr><th>Flat</th><td>3</td></tr></table>Next")
            == "Name: Sam\nFlat 3\n\nNext")
    }

    @Test("Malformed markup leaves no tags: unclosed tags, stray angle brackets, unknown and namespaced tags")
    func malformed() {
        #expect(HTMLText.plainText(from: "a < b and c > d") == "a < b and c > d")
        #expect(HTMLText.plainText(from: "<p>text<o:p></o:p></p><custom-tag x=\"1\">more</custom-tag>") == "text\n\nmore")
        #expect(HTMLText.plainText(from: "before <div class=\"unterminated") == "before")
        #expect(HTMLText.plainText(from: "<p title='a > b'>quoted > in attribute</p>") == "quoted > in attribute")
        #expect(HTMLText.plainText(from: "<style>never closed <p>gone") == "")
        #expect(HTMLText.plainText(from: "<head><title>Open head<p>Body still shown") == "Open head\n\nBody still shown",
                "An unclosed <head> or <title> must not swallow the body")
        #expect(HTMLText.plainText(from: "") == "")
        #expect(HTMLText.plainText(from: "<!-- never closed") == "")
    }

    @Test("Images show their alt text")
    func images() {
        #expect(HTMLText.plainText(from: "Photo: <img src=\"cid:1\" alt=\"Broken window\">.") == "Photo: Broken window .")
    }

    @Test("A messy Outlook-style HTML mail has no tags left")
    func noTagsLeft() {
        let html = """
            <html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style><!-- p.MsoNormal {margin:0cm;} --></style></head>
            <body lang=EN-GB><div class=WordSection1><p class=MsoNormal>Hi team,<o:p></o:p></p>
            <p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>The bins are on fire&#8230; again.<o:p></o:p></p>
            <div><div style='border:none;border-top:solid #E1E1E1 1.0pt'><p class=MsoNormal><b>From:</b> ASB Team
            &lt;<a href="mailto:asb@example.com">asb@example.com</a>&gt; <br><b>Sent:</b> 24 November 2026 10:15<br>
            <b>To:</b> Sam Example &lt;sam@example.org&gt;<br><b>Subject:</b> Your report</p></div></div>
            <p class=MsoNormal>Thank you for your report.</p></div></body></html>
            """
        let text = HTMLText.plainText(from: html)
        #expect(!text.contains("<o:") && !text.contains("<p") && !text.contains("<div") && !text.contains("MsoNormal"))
        #expect(text.hasPrefix("Hi team,\n\nThe bins are on fire… again."))
        #expect(QuotedReply.newText(of: text) == "Hi team,\n\nThe bins are on fire… again.")
    }
}
