import Foundation

/// Turns the HTML of an HTML-only email into readable plain text.
///
/// Block elements and `<br>` become line breaks, list items become `- ` lines, links keep their text
/// (with the address in brackets when it says something different), quotations become `> ` lines,
/// entities are decoded, `<script>`, `<style>` and `<head>` are dropped, and white space is collapsed
/// as a browser would. No tags survive. Malformed markup is read as leniently as a browser reads it.
public enum HTMLText {
    public static func plainText(from html: String) -> String {
        var converter = Converter(Array(html.unicodeScalars))
        return converter.run()
    }

    /// Decodes character references: the common named ones and all numeric ones.
    public static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "&", let (decoded, end) = entity(in: scalars, at: index) {
                result.append(contentsOf: decoded.unicodeScalars)
                index = end
            } else {
                result.append(scalars[index])
                index += 1
            }
        }
        return String(result)
    }

    /// The entity starting at `start` (an `&`) and the index after it, or `nil` if it is not one.
    private static func entity(in scalars: [Unicode.Scalar], at start: Int) -> (String, Int)? {
        var index = start + 1
        guard index < scalars.count else { return nil }
        if scalars[index] == "#" {
            index += 1
            let hex = index < scalars.count && (scalars[index] == "x" || scalars[index] == "X")
            if hex { index += 1 }
            let digitsStart = index
            while index < scalars.count, index - digitsStart < 8,
                  hex ? scalars[index].properties.isASCIIHexDigit : ("0"..."9").contains(scalars[index]) {
                index += 1
            }
            guard index > digitsStart,
                  let value = UInt32(String(String.UnicodeScalarView(scalars[digitsStart..<index])), radix: hex ? 16 : 10)
            else { return nil }
            if index < scalars.count, scalars[index] == ";" { index += 1 }
            return (String(numericReference(value)), index)
        }
        let nameStart = index
        while index < scalars.count, index - nameStart < 32,
              scalars[index].properties.isAlphabetic || ("0"..."9").contains(scalars[index]) {
            index += 1
        }
        guard index < scalars.count, scalars[index] == ";", index > nameStart,
              let decoded = namedEntities[String(String.UnicodeScalarView(scalars[nameStart..<index]))]
        else { return nil }
        return (decoded, index + 1)
    }

    /// A numeric reference as browsers read it: 0x80–0x9F as Windows-1252, impossible values as U+FFFD.
    private static func numericReference(_ value: UInt32) -> Character {
        if (0x80...0x9F).contains(value) {
            return Character(Charset.decodeWindows1252([UInt8(value)]))
        }
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return Character(scalar)
    }

    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ensp": " ", "emsp": " ",
        "thinsp": " ", "shy": "", "zwnj": "", "zwj": "", "lrm": "", "rlm": "",
        "pound": "£", "euro": "€", "cent": "¢", "yen": "¥", "copy": "©", "reg": "®", "trade": "™",
        "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "sbquo": "‚", "ldquo": "“",
        "rdquo": "”", "bdquo": "„", "laquo": "«", "raquo": "»", "lsaquo": "‹", "rsaquo": "›", "bull": "•",
        "middot": "·", "deg": "°", "plusmn": "±", "times": "×", "divide": "÷", "frac12": "½", "frac14": "¼",
        "frac34": "¾", "sect": "§", "para": "¶", "iexcl": "¡", "iquest": "¿", "dagger": "†", "Dagger": "‡",
        "larr": "←", "rarr": "→", "uarr": "↑", "darr": "↓", "minus": "−", "prime": "′", "Prime": "″",
        "Agrave": "À", "Aacute": "Á", "Acirc": "Â", "Atilde": "Ã", "Auml": "Ä", "Aring": "Å", "AElig": "Æ",
        "Ccedil": "Ç", "Egrave": "È", "Eacute": "É", "Ecirc": "Ê", "Euml": "Ë", "Igrave": "Ì", "Iacute": "Í",
        "Icirc": "Î", "Iuml": "Ï", "Ntilde": "Ñ", "Ograve": "Ò", "Oacute": "Ó", "Ocirc": "Ô", "Otilde": "Õ",
        "Ouml": "Ö", "Oslash": "Ø", "Ugrave": "Ù", "Uacute": "Ú", "Ucirc": "Û", "Uuml": "Ü", "Yacute": "Ý",
        "szlig": "ß", "agrave": "à", "aacute": "á", "acirc": "â", "atilde": "ã", "auml": "ä", "aring": "å",
        "aelig": "æ", "ccedil": "ç", "egrave": "è", "eacute": "é", "ecirc": "ê", "euml": "ë", "igrave": "ì",
        "iacute": "í", "icirc": "î", "iuml": "ï", "ntilde": "ñ", "ograve": "ò", "oacute": "ó", "ocirc": "ô",
        "otilde": "õ", "ouml": "ö", "oslash": "ø", "ugrave": "ù", "uacute": "ú", "ucirc": "û", "uuml": "ü",
        "yacute": "ý", "yuml": "ÿ", "OElig": "Œ", "oelig": "œ", "Scaron": "Š", "scaron": "š", "Yuml": "Ÿ",
        "wcirc": "ŵ", "Wcirc": "Ŵ", "ycirc": "ŷ", "Ycirc": "Ŷ",
    ]
}

// MARK: - Converter

private struct Converter {
    /// Elements whose content is never shown. Those in `rawText` end only at their closing tag.
    static let hidden: Set<String> = ["script", "style", "head", "title", "template", "svg", "noscript", "xml", "object", "iframe"]
    static let rawText: Set<String> = ["script", "style", "xml"]
    /// Block elements that start on a new line.
    static let lineBlocks: Set<String> = [
        "div", "tr", "dt", "dd", "center", "section", "article", "header", "footer", "nav", "aside", "main",
        "address", "form", "fieldset", "figure", "figcaption", "caption", "tbody", "thead", "tfoot", "body", "html",
    ]
    /// Block elements set apart by a blank line.
    static let paragraphBlocks: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "pre", "hr", "dl"]

    let input: [Unicode.Scalar]
    var index = 0
    var output = String.UnicodeScalarView()
    /// Line breaks owed before the next visible character (at most 2: one blank line).
    var pendingBreaks = 0
    var pendingSpace = false
    var atLineStart = true
    var quoteDepth = 0
    var listDepth = 0
    var preDepth = 0
    /// Open links: their address and the text seen so far.
    var links: [(href: String, text: String)] = []
    /// Hidden elements known to have no closing tag later on, so hostile input cannot make us search again.
    var unclosed: Set<String> = []

    init(_ input: [Unicode.Scalar]) { self.input = input }

    mutating func run() -> String {
        var textStart = index
        while index < input.count {
            guard input[index] == "<" else { index += 1; continue }
            flushText(from: textStart, to: index)
            if !readMarkup() {
                // A lone "<" that starts no tag is text.
                emitText("<")
                index += 1
            }
            textStart = index
        }
        flushText(from: textStart, to: input.count)
        return String(output).trimmingWhitespace()
    }

    private mutating func flushText(from start: Int, to end: Int) {
        guard start < end else { return }
        emitText(HTMLText.decodeEntities(String(String.UnicodeScalarView(input[start..<end]))))
    }

    // MARK: Markup

    /// Reads the markup at `index` (a `<`). Returns false, consuming nothing, if it is not markup.
    private mutating func readMarkup() -> Bool {
        let next = index + 1
        guard next < input.count else { return false }
        let scalar = input[next]
        if scalar == "!" {
            if matches("<!--", at: index) {
                index = find("-->", from: index + 4).map { $0 + 3 } ?? input.count
            } else {
                index = find(">", from: next).map { $0 + 1 } ?? input.count
            }
            return true
        }
        if scalar == "?" {
            index = find(">", from: next).map { $0 + 1 } ?? input.count
            return true
        }
        let closing = scalar == "/"
        let nameStart = closing ? next + 1 : next
        guard nameStart < input.count, input[nameStart].properties.isAlphabetic, input[nameStart].isASCII else {
            return false
        }
        var nameEnd = nameStart
        while nameEnd < input.count, isNameScalar(input[nameEnd]) { nameEnd += 1 }
        let name = String(String.UnicodeScalarView(input[nameStart..<nameEnd])).lowercased()
        let (attributes, tagEnd, selfClosing) = readAttributes(from: nameEnd)
        index = tagEnd
        if closing { endTag(name) } else { startTag(name, attributes: attributes, selfClosing: selfClosing) }
        return true
    }

    private func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == ":" || scalar == "_")
    }

    /// Attributes up to the closing `>` (quotes respected), the index after it, and whether it ended `/>`.
    private func readAttributes(from start: Int) -> ([String: String], Int, Bool) {
        var attributes: [String: String] = [:]
        var position = start
        var selfClosing = false
        while position < input.count {
            let scalar = input[position]
            if scalar == ">" { return (attributes, position + 1, selfClosing) }
            if scalar.properties.isWhitespace { position += 1; continue }
            if scalar == "/" { selfClosing = true; position += 1; continue }
            selfClosing = false
            var nameEnd = position
            while nameEnd < input.count, !input[nameEnd].properties.isWhitespace,
                  !["=", ">", "/"].contains(input[nameEnd]) { nameEnd += 1 }
            if nameEnd == position { nameEnd += 1 }
            let name = String(String.UnicodeScalarView(input[position..<nameEnd])).lowercased()
            position = nameEnd
            while position < input.count, input[position].properties.isWhitespace { position += 1 }
            guard position < input.count, input[position] == "=" else {
                attributes[name] = attributes[name] ?? ""
                continue
            }
            position += 1
            while position < input.count, input[position].properties.isWhitespace { position += 1 }
            var valueStart = position
            var valueEnd = position
            if position < input.count, input[position] == "\"" || input[position] == "'" {
                let quote = input[position]
                valueStart = position + 1
                valueEnd = valueStart
                while valueEnd < input.count, input[valueEnd] != quote { valueEnd += 1 }
                position = min(valueEnd + 1, input.count)
            } else {
                while valueEnd < input.count, !input[valueEnd].properties.isWhitespace, input[valueEnd] != ">" { valueEnd += 1 }
                position = valueEnd
            }
            if attributes[name] == nil {
                attributes[name] = HTMLText.decodeEntities(String(String.UnicodeScalarView(input[valueStart..<valueEnd])))
            }
        }
        return (attributes, input.count, selfClosing)
    }

    private mutating func startTag(_ name: String, attributes: [String: String], selfClosing: Bool) {
        if Self.hidden.contains(name), !selfClosing {
            skipHiddenContent(of: name)
            return
        }
        switch name {
        case "br":
            pendingBreaks = min(pendingBreaks + 1, 2)
            pendingSpace = false
            if output.isEmpty { pendingBreaks = 0 }
        case "li":
            requestBreaks(1)
            flushBreaks()
            beginLineIfNeeded()
            output.append(contentsOf: String(repeating: "  ", count: max(0, listDepth - 1)).unicodeScalars)
            output.append(contentsOf: "- ".unicodeScalars)
            atLineStart = false
            pendingSpace = false
        case "ul", "ol", "menu":
            requestBreaks(listDepth > 0 ? 1 : 2)
            listDepth += 1
        case "blockquote":
            requestBreaks(1)
            quoteDepth += 1
        case "pre":
            requestBreaks(2)
            preDepth += 1
        case "td", "th":
            pendingSpace = true
        case "a":
            if !selfClosing { links.append((attributes["href"] ?? "", "")) }
        case "img":
            if let alt = attributes["alt"]?.trimmingWhitespace(), !alt.isEmpty {
                emitText(" \(alt) ")
            }
        default:
            if Self.paragraphBlocks.contains(name) {
                requestBreaks(2)
            } else if Self.lineBlocks.contains(name) {
                requestBreaks(1)
            }
        }
    }

    private mutating func endTag(_ name: String) {
        switch name {
        case "ul", "ol", "menu":
            listDepth = max(0, listDepth - 1)
            requestBreaks(listDepth > 0 ? 1 : 2)
        case "li":
            requestBreaks(1)
        case "blockquote":
            requestBreaks(1)
            quoteDepth = max(0, quoteDepth - 1)
        case "pre":
            preDepth = max(0, preDepth - 1)
            requestBreaks(2)
        case "a":
            guard let link = links.popLast() else { return }
            if let suffix = Self.linkSuffix(href: link.href, text: link.text) { emitText(" (\(suffix))") }
        default:
            if Self.paragraphBlocks.contains(name) {
                requestBreaks(2)
            } else if Self.lineBlocks.contains(name) {
                requestBreaks(1)
            }
        }
    }

    /// The address to show after a link's text, if it adds anything.
    private static func linkSuffix(href rawHref: String, text rawText: String) -> String? {
        let href = rawHref.trimmingWhitespace()
        let text = rawText.trimmingWhitespace()
        let lowered = href.lowercased()
        guard !href.isEmpty, !text.isEmpty, !href.hasPrefix("#"), !lowered.hasPrefix("javascript:"),
              !lowered.hasPrefix("cid:") else { return nil }
        func comparable(_ value: String) -> String {
            var result = value.lowercased()
            for prefix in ["mailto:", "tel:", "https://", "http://"] where result.hasPrefix(prefix) {
                result.removeFirst(prefix.count)
            }
            if result.hasPrefix("www.") { result.removeFirst(4) }
            while result.hasSuffix("/") { result.removeLast() }
            return result
        }
        return comparable(href) == comparable(text) ? nil : href
    }

    private mutating func skipHiddenContent(of name: String) {
        if !unclosed.contains(name), let close = findClosingTag(name, from: index) {
            index = find(">", from: close).map { $0 + 1 } ?? input.count
        } else if Self.rawText.contains(name) {
            index = input.count
        } else {
            unclosed.insert(name)
        }
        // Other hidden elements left open are ignored rather than swallowing the rest of the message.
    }

    // MARK: Output

    private mutating func requestBreaks(_ count: Int) {
        guard !output.isEmpty else { return }
        pendingBreaks = max(pendingBreaks, count)
        pendingSpace = false
    }

    private mutating func flushBreaks() {
        guard pendingBreaks > 0 else { return }
        for line in 0..<pendingBreaks {
            if line > 0, quoteDepth > 0 { output.append(contentsOf: String(repeating: ">", count: quoteDepth).unicodeScalars) }
            output.append("\n")
        }
        pendingBreaks = 0
        atLineStart = true
        pendingSpace = false
    }

    private mutating func beginLineIfNeeded() {
        guard atLineStart else { return }
        if quoteDepth > 0 { output.append(contentsOf: (String(repeating: ">", count: quoteDepth) + " ").unicodeScalars) }
        atLineStart = false
    }

    private mutating func emitText(_ text: String) {
        if !links.isEmpty { links[links.count - 1].text += text }
        for scalar in text.unicodeScalars {
            if preDepth > 0 {
                if scalar == "\n" {
                    pendingBreaks = min(pendingBreaks + 1, 2)
                    if output.isEmpty { pendingBreaks = 0 }
                    continue
                }
                if scalar == "\r" { continue }
                flushBreaks()
                beginLineIfNeeded()
                output.append(scalar)
                continue
            }
            if scalar.properties.isWhitespace {
                pendingSpace = true
                continue
            }
            if scalar.properties.generalCategory == .control || scalar == "\u{00AD}" { continue }
            flushBreaks()
            if pendingSpace, !atLineStart { output.append(" ") }
            pendingSpace = false
            beginLineIfNeeded()
            output.append(scalar)
        }
    }

    // MARK: Searching

    private func matches(_ text: String, at position: Int) -> Bool {
        matches(Array(text.unicodeScalars), at: position)
    }

    private func matches(_ scalars: [Unicode.Scalar], at position: Int) -> Bool {
        guard position >= 0, position + scalars.count <= input.count else { return false }
        for (offset, scalar) in scalars.enumerated() where input[position + offset] != scalar { return false }
        return true
    }

    private func find(_ text: String, from start: Int) -> Int? {
        let target = Array(text.unicodeScalars)
        guard let first = target.first else { return nil }
        var position = max(start, 0)
        while position + target.count <= input.count {
            if input[position] == first, matches(target, at: position) { return position }
            position += 1
        }
        return nil
    }

    /// The index of `</name` (any case) at or after `start`.
    private func findClosingTag(_ name: String, from start: Int) -> Int? {
        let target = Array(("</" + name).unicodeScalars)
        var position = start
        while position + target.count <= input.count {
            var found = true
            for offset in 0..<target.count {
                let scalar = input[position + offset]
                let lowered = ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32) ?? scalar : scalar
                if lowered != target[offset] { found = false; break }
            }
            if found {
                let after = position + target.count
                if after == input.count || !isNameScalar(input[after]) { return position }
            }
            position += 1
        }
        return nil
    }
}
