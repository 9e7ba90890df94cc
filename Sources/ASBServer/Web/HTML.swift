import ASBCore

/// HTML written in Swift: the building blocks a page repeats dozens or hundreds of times (form
/// fields, table cells, a case page's sections), where Leaf's cost per variable was most of a
/// staff page's CPU. Leaf still lays out every page; the templates put these in with
/// `#unsafeHTML(...)`, and every value from a person or the database passes through
/// `Markup.escape`, the same five characters Leaf escapes.
///
/// Appends markup: literal strings as they are, values escaped.
struct HTMLWriter {
    var html = ""

    mutating func raw(_ markup: String) { html += markup }
    mutating func text(_ value: String) { Markup.escape(value, into: &html) }

    /// `<strong class="tag <class>">text</strong>`: a coloured tag, which always says its meaning in words.
    mutating func tag(_ text: String, class tagClass: String) {
        html += "<strong class=\"tag "
        Markup.escape(tagClass, into: &html)
        html += "\">"
        Markup.escape(text, into: &html)
        html += "</strong>"
    }

    /// ` name="value"`, escaped; nothing when the value is nil.
    mutating func attribute(_ name: String, _ value: String?) {
        guard let value else { return }
        html += " " + name + "=\""
        Markup.escape(value, into: &html)
        html += "\""
    }
}

