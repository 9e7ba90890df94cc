/// HTML written in Swift: the building blocks a page repeats dozens or hundreds of times (form
/// fields, table cells), where Leaf's cost per variable was most of a staff page's CPU. Leaf
/// still lays out every page; the templates put these in with `#unsafeHTML(...)`, and every
/// value from a person or the database passes through `HTMLText.escape`, the same five
/// characters Leaf escapes.
enum HTMLText {
    /// `&`, `<`, `>`, `"` and `'` as entities, so text is safe in element content and in
    /// double- or single-quoted attribute values. Text without them is appended as it is.
    static func escape(_ text: String, into out: inout String) {
        let utf8 = text.utf8
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            let entity: String? = switch utf8[index] {
            case UInt8(ascii: "&"): "&amp;"
            case UInt8(ascii: "<"): "&lt;"
            case UInt8(ascii: ">"): "&gt;"
            case UInt8(ascii: "\""): "&quot;"
            case UInt8(ascii: "'"): "&#39;"
            default: nil
            }
            if let entity {
                out += text[start..<index]
                out += entity
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        out += text[start..<utf8.endIndex]
    }

    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        escape(text, into: &out)
        return out
    }
}

/// Appends markup: literal strings as they are, values escaped.
struct HTMLWriter {
    var html = ""

    mutating func raw(_ markup: String) { html += markup }
    mutating func text(_ value: String) { HTMLText.escape(value, into: &html) }

    /// `<strong class="tag <class>">text</strong>`: a coloured tag, which always says its meaning in words.
    mutating func tag(_ text: String, class tagClass: String) {
        html += "<strong class=\"tag "
        HTMLText.escape(tagClass, into: &html)
        html += "\">"
        HTMLText.escape(text, into: &html)
        html += "</strong>"
    }

    /// ` name="value"`, escaped; nothing when the value is nil.
    mutating func attribute(_ name: String, _ value: String?) {
        guard let value else { return }
        html += " " + name + "=\""
        HTMLText.escape(value, into: &html)
        html += "\""
    }
}

