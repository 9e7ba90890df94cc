/// Text made safe for HTML and XML: the one escaping function for staff and public pages,
/// messages, charts, Open311 and exports.
public enum Markup {
    /// Appends `text` with `&`, `<`, `>`, `"` and `'` as entities, so it is safe in element
    /// content and in double- or single-quoted attribute values; with `lineBreak`, each newline
    /// is appended as that markup (`<br>`). Text without them is appended as it is, a run at a
    /// time (pages write thousands of values: going a character at a time was most of the cost).
    public static func escape(_ text: String, into out: inout String, lineBreak: String? = nil) {
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
            case UInt8(ascii: "\n"): lineBreak
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

    /// `text` escaped (see `escape(_:into:lineBreak:)`).
    public static func escape(_ text: String, lineBreak: String? = nil) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        escape(text, into: &out, lineBreak: lineBreak)
        return out
    }
}
