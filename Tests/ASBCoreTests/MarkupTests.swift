import ASBCore
import Testing

@Suite("Markup escaping")
struct MarkupTests {
    @Test("The five characters are entities; everything else, multi-byte text included, is kept as it is",
          arguments: [
              ("", ""),
              ("plain text", "plain text"),
              ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\"", "&quot;"), ("'", "&#39;"),
              (#"<b a="1">Tom & Jerry's</b>"#, "&lt;b a=&quot;1&quot;&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;"),
              ("Zoë — naïve café 🏠", "Zoë — naïve café 🏠"),
              ("🏠<🏠>", "🏠&lt;🏠&gt;"),
              ("&amp;", "&amp;amp;"),
              ("line one\nline two", "line one\nline two"),
          ])
    func escapes(text: String, escaped: String) {
        #expect(Markup.escape(text) == escaped)
        var out = "kept: "
        Markup.escape(text, into: &out)
        #expect(out == "kept: " + escaped)
    }

    @Test("With a line break, each newline becomes it, after escaping the rest")
    func lineBreaks() {
        #expect(Markup.escape("Dear Sam,\nYours <sincerely>\n", lineBreak: "<br>") == "Dear Sam,<br>Yours &lt;sincerely&gt;<br>")
        #expect(Markup.escape("\n\n", lineBreak: "<br>") == "<br><br>")
        #expect(Markup.escape("no break", lineBreak: "<br>") == "no break")
    }
}
