import Foundation

/// Reads an email message as delivered (RFC 5322 headers, a MIME body) into a `MailMessage`.
///
/// The parser is deliberately forgiving: real mail breaks the rules all the time, so a malformed
/// header, an unknown charset, a missing closing boundary or bad base64 costs only the affected
/// piece, never the whole message. It refuses only input that is not a mail message at all.
public enum MailParser {
    /// How deeply multiparts may nest before the rest is ignored; guards against hostile input.
    static let maximumDepth = 24

    /// Parses one message as delivered (CRLF or LF line endings). Throws only when the input is not a
    /// mail message at all (no header block, or no From header); everything else degrades gracefully.
    public static func parse(_ raw: Data) throws(MailParseError) -> MailMessage {
        let bytes = [UInt8](raw)
        var start = bytes.startIndex
        // Tolerate blank lines pasted before the headers, and an mbox envelope line ("From sam@… Tue …").
        while start < bytes.endIndex, bytes[start] == .cr || bytes[start] == .lf { start += 1 }
        if bytes[start...].starts(with: Array("From ".utf8)) {
            start = bytes[start...].firstIndex(of: .lf).map { $0 + 1 } ?? bytes.endIndex
        }

        let (headers, body) = MailHeaders.split(bytes[start...])
        guard !headers.fields.isEmpty else { throw MailParseError(reason: "there is no header block") }
        guard let fromField = headers.first("from") else { throw MailParseError(reason: "there is no From header") }

        var walker = MIMEWalker()
        let content = walker.walk(headers: headers, body: body, depth: 0, defaultType: "text/plain")
        let text = content.readableText ?? ""

        return MailMessage(
            messageID: headers.first("message-id").flatMap(messageIdentifier),
            inReplyTo: headers.first("in-reply-to").flatMap(messageIdentifier),
            from: AddressList.parse(fromField).first,
            replyTo: headers.first("reply-to").flatMap { AddressList.parse($0).first },
            to: headers.all("to").flatMap(AddressList.parse),
            subject: headers.first("subject").map { TextCleaning.singleLine(EncodedWords.decode($0)) } ?? "",
            date: headers.first("date").flatMap(MailDate.parse),
            text: text,
            newText: QuotedReply.newText(of: text),
            attachments: walker.attachments
        )
    }

    /// The first `<id>` in a Message-ID or In-Reply-To header, without its brackets. A bare identifier
    /// without brackets is accepted too.
    static func messageIdentifier(_ raw: String) -> String? {
        let withoutComments = AddressList.removingComments(raw)
        if let open = withoutComments.firstIndex(of: "<"),
           let close = withoutComments[open...].firstIndex(of: ">") {
            let inner = withoutComments[withoutComments.index(after: open)..<close].filter { !$0.isWhitespace }
            return inner.isEmpty ? nil : String(inner)
        }
        let token = withoutComments.split(whereSeparator: \.isWhitespace).first.map(String.init)
        return token?.isEmpty == false ? token : nil
    }
}

// MARK: - Bytes

extension UInt8 {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let equals: UInt8 = 0x3D

    var isLinearWhiteSpace: Bool { self == .space || self == .tab }
}

// MARK: - Headers

/// A header block, in order, with names lower-cased and folded lines joined.
struct MailHeaders: Sendable {
    struct Field: Sendable {
        var name: String
        var value: String
    }

    var fields: [Field] = []

    /// The first field of that name (lower-case): for From and Subject the first occurrence wins.
    func first(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// Splits an entity into its header block and body. The block ends at the first empty line, or at
    /// the first line that is neither a header nor a continuation (which then begins the body).
    static func split(_ bytes: ArraySlice<UInt8>) -> (MailHeaders, ArraySlice<UInt8>) {
        var headers = MailHeaders()
        var currentName: String?
        var currentValue: [UInt8] = []

        func finishField() {
            if let name = currentName {
                let value = TextCleaning.removingNulls(Charset.decodeLenientUTF8(currentValue))
                headers.fields.append(Field(name: name, value: value.trimmingCharacters(in: .whitespaces)))
            }
            currentName = nil
            currentValue = []
        }

        var position = bytes.startIndex
        var bodyStart = bytes.endIndex
        while position < bytes.endIndex {
            let lineEnd = bytes[position...].firstIndex(of: .lf) ?? bytes.endIndex
            var contentEnd = lineEnd
            if contentEnd > position, bytes[contentEnd - 1] == .cr { contentEnd -= 1 }
            let line = bytes[position..<contentEnd]
            let next = lineEnd < bytes.endIndex ? lineEnd + 1 : bytes.endIndex

            if line.isEmpty {
                bodyStart = next
                break
            }
            if let first = line.first, first.isLinearWhiteSpace {
                guard currentName != nil else { bodyStart = position; break }
                // Unfolding removes only the line break; the folding white space stays.
                currentValue.append(contentsOf: line)
            } else if let colon = line.firstIndex(of: 0x3A), let name = fieldName(line[line.startIndex..<colon]) {
                finishField()
                currentName = name
                currentValue = Array(line[(colon + 1)...])
            } else {
                bodyStart = position
                break
            }
            position = next
        }
        finishField()
        return (headers, bytes[bodyStart...])
    }

    /// A valid field name (printable ASCII, no colon), lower-cased; white space before the colon is
    /// tolerated, as the obsolete syntax allows.
    private static func fieldName(_ raw: ArraySlice<UInt8>) -> String? {
        var name = raw
        while let last = name.last, last.isLinearWhiteSpace { name = name.dropLast() }
        guard !name.isEmpty, name.allSatisfy({ (33...126).contains($0) }) else { return nil }
        return String(decoding: name, as: UTF8.self).lowercased()
    }
}

/// A header value with parameters, such as Content-Type or Content-Disposition.
struct ParameterisedValue: Sendable {
    /// The main value, lower-cased, e.g. `text/plain` or `attachment`.
    var value: String
    /// Parameters by lower-cased name, unquoted and with RFC 2231 continuations and charsets applied.
    var parameters: [String: String]

    init(_ raw: String) {
        let scalars = Array(raw.unicodeScalars)
        var segments: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0
        var inQuotes = false
        var commentDepth = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if inQuotes {
                current.append(scalar)
                if scalar == "\\", index + 1 < scalars.count {
                    current.append(scalars[index + 1])
                    index += 1
                } else if scalar == "\"" {
                    inQuotes = false
                }
            } else if commentDepth > 0 {
                if scalar == "(" { commentDepth += 1 } else if scalar == ")" { commentDepth -= 1 }
            } else if scalar == "(" {
                commentDepth = 1
            } else if scalar == "\"" {
                inQuotes = true
                current.append(scalar)
            } else if scalar == ";" {
                segments.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
            index += 1
        }
        segments.append(String(current))

        value = segments[0].trimmingCharacters(in: .whitespaces).lowercased()
        var simple: [String: String] = [:]
        var sections: [String: [(index: Int, extended: Bool, value: String)]] = [:]
        for segment in segments.dropFirst() {
            guard let equals = segment.firstIndex(of: "=") else { continue }
            let key = segment[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = Self.unquote(segment[segment.index(after: equals)...].trimmingCharacters(in: .whitespaces))
            guard !key.isEmpty else { continue }
            if let star = key.firstIndex(of: "*") {
                // RFC 2231: name*=charset'lang'value, name*0=…, name*1*=…
                let base = String(key[..<star])
                let rest = key[key.index(after: star)...]
                let extended = rest.hasSuffix("*") || rest.isEmpty
                let number = Int(rest.hasSuffix("*") ? rest.dropLast() : rest) ?? 0
                sections[base, default: []].append((number, extended, value))
            } else if simple[key] == nil {
                simple[key] = value
            }
        }
        for (base, parts) in sections {
            simple[base] = Self.joinRFC2231(parts.sorted { $0.index < $1.index })
        }
        parameters = simple
    }

    private static func unquote(_ raw: String) -> String {
        guard raw.hasPrefix("\"") else { return raw }
        var result = String.UnicodeScalarView()
        var escaped = false
        for scalar in raw.unicodeScalars.dropFirst() {
            if escaped {
                result.append(scalar)
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar == "\"" {
                break
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    private static func joinRFC2231(_ parts: [(index: Int, extended: Bool, value: String)]) -> String {
        var charset: String?
        var bytes: [UInt8] = []
        for (position, part) in parts.enumerated() {
            var text = Substring(part.value)
            if part.extended, position == 0 {
                let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if pieces.count == 3 {
                    charset = String(pieces[0])
                    text = pieces[2]
                }
            }
            bytes.append(contentsOf: part.extended ? Self.percentDecoded(text) : Array(text.utf8))
        }
        return Charset.decode(bytes, charset: charset)
    }

    private static func percentDecoded(_ text: Substring) -> [UInt8] {
        let utf8 = Array(text.utf8)
        var result: [UInt8] = []
        var index = 0
        while index < utf8.count {
            if utf8[index] == 0x25, index + 2 < utf8.count,
               let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(utf8[index])
                index += 1
            }
        }
        return result
    }
}

func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: byte - 0x30
    case 0x41...0x46: byte - 0x41 + 10
    case 0x61...0x66: byte - 0x61 + 10
    default: nil
    }
}

// MARK: - Addresses

/// RFC 5322 address lists: mailboxes, groups, quoted names, comments and encoded-word names.
enum AddressList {
    private enum Token: Equatable {
        case word(String)
        case quoted(String)
        case special(Unicode.Scalar)
        case comment(String)
    }

    static func parse(_ raw: String) -> [MailAddress] {
        var result: [MailAddress] = []
        var current: [Token] = []
        var inAngle = false
        for token in tokenise(raw) {
            switch token {
            case .special("<"):
                inAngle = true
                current.append(token)
            case .special(">"):
                inAngle = false
                current.append(token)
            case .special(","), .special(";"):
                if inAngle { current.append(token); continue }
                if let mailbox = mailbox(from: current) { result.append(mailbox) }
                current = []
            case .special(":") where !inAngle:
                // "Group name: a@b, c@d;": the group name is not a mailbox.
                current = []
            default:
                current.append(token)
            }
        }
        if let mailbox = mailbox(from: current) { result.append(mailbox) }
        return result
    }

    /// The header text with parenthesised comments removed.
    static func removingComments(_ raw: String) -> String {
        var result = String.UnicodeScalarView()
        var depth = 0
        var inQuotes = false
        for scalar in raw.unicodeScalars {
            if depth == 0, scalar == "\"" { inQuotes.toggle() }
            if !inQuotes, scalar == "(" { depth += 1; continue }
            if !inQuotes, depth > 0, scalar == ")" { depth -= 1; continue }
            if depth == 0 { result.append(scalar) }
        }
        return String(result)
    }

    private static func mailbox(from tokens: [Token]) -> MailAddress? {
        guard !tokens.isEmpty else { return nil }
        if let open = tokens.firstIndex(of: .special("<")) {
            let close = tokens[open...].firstIndex(of: .special(">")) ?? tokens.endIndex
            var addressTokens = tokens[(open + 1)..<close]
            // An obsolete source route ("<@relay:sam@example.org>") is dropped.
            if let colon = addressTokens.lastIndex(of: .special(":")) { addressTokens = addressTokens[(colon + 1)...] }
            let address = render(addressTokens)
            guard !address.isEmpty else { return nil }
            var name = phrase(tokens[..<open])
            if name == nil { name = commentName(tokens[close...]) }
            return MailAddress(name: name, address: address)
        }
        // A bare addr-spec: the words either side of the first "@"; anything else is not part of it.
        let words = tokens.filter { if case .comment = $0 { return false } else { return true } }
        guard let at = words.firstIndex(of: .special("@")), at > 0, at + 1 < words.count else { return nil }
        let local = render(words[(at - 1)..<at])
        let domain = render(words[(at + 1)...(at + 1)])
        guard !local.isEmpty, !domain.isEmpty else { return nil }
        return MailAddress(name: commentName(tokens[...]), address: "\(local)@\(domain)")
    }

    private static func render(_ tokens: ArraySlice<Token>) -> String {
        var result = ""
        for token in tokens {
            switch token {
            case .word(let text): result += text
            case .quoted(let text): result += text.contains(" ") ? "\"\(text)\"" : text
            case .special(let scalar) where scalar == "@" || scalar == ".": result.unicodeScalars.append(scalar)
            default: break
            }
        }
        return result
    }

    private static func phrase(_ tokens: ArraySlice<Token>) -> String? {
        var words: [String] = []
        for token in tokens {
            switch token {
            case .word(let text), .quoted(let text): words.append(text)
            case .special(let scalar):
                if let last = words.popLast() { words.append(last + String(scalar)) } else { words.append(String(scalar)) }
            case .comment: break
            }
        }
        return cleanName(words.joined(separator: " "))
    }

    private static func commentName(_ tokens: ArraySlice<Token>) -> String? {
        let comments = tokens.compactMap { token -> String? in
            if case .comment(let text) = token { return text }
            return nil
        }
        return cleanName(comments.joined(separator: " "))
    }

    private static func cleanName(_ raw: String) -> String? {
        var name = TextCleaning.singleLine(EncodedWords.decode(raw))
        // Outlook sometimes wraps names in single quotes: 'Sam Example' <sam@example.org>.
        if name.count >= 2, name.hasPrefix("'"), name.hasSuffix("'") {
            name = String(name.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        }
        return name.isEmpty ? nil : name
    }

    private static func tokenise(_ raw: String) -> [Token] {
        let scalars = Array(raw.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        let specials: Set<Unicode.Scalar> = ["<", ">", ",", ":", ";", "@"]
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar.properties.isWhitespace {
                index += 1
            } else if scalar == "(" {
                var depth = 1
                var text = String.UnicodeScalarView()
                index += 1
                while index < scalars.count, depth > 0 {
                    let inner = scalars[index]
                    if inner == "\\", index + 1 < scalars.count {
                        text.append(scalars[index + 1])
                        index += 2
                        continue
                    }
                    if inner == "(" { depth += 1 } else if inner == ")" { depth -= 1 }
                    if depth > 0 { text.append(inner) }
                    index += 1
                }
                tokens.append(.comment(String(text)))
            } else if scalar == "\"" {
                var text = String.UnicodeScalarView()
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    text.append(scalars[index])
                    index += 1
                }
                index += 1
                tokens.append(.quoted(String(text)))
            } else if specials.contains(scalar) {
                tokens.append(.special(scalar))
                index += 1
            } else if let end = EncodedWords.encodedWordEnd(in: scalars, from: index) {
                // An encoded word is one word even when its text holds specials: =?utf-8?Q?Sam_(Example)?=
                tokens.append(.word(String(String.UnicodeScalarView(scalars[index..<end]))))
                index = end
            } else {
                var text = String.UnicodeScalarView()
                if scalar == "[" {
                    // A domain literal: [192.0.2.1]
                    while index < scalars.count, scalars[index] != "]" { text.append(scalars[index]); index += 1 }
                    if index < scalars.count { text.append(scalars[index]); index += 1 }
                } else {
                    while index < scalars.count {
                        let inner = scalars[index]
                        if inner.properties.isWhitespace || specials.contains(inner) || inner == "(" || inner == "\"" { break }
                        text.append(inner)
                        index += 1
                    }
                }
                tokens.append(.word(String(text)))
            }
        }
        return tokens
    }
}

// MARK: - Encoded words

/// RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?ISO-8859-1?Q?…?=`) in unstructured text and names.
enum EncodedWords {
    private enum Piece {
        case literal(String)
        case word(charset: String, bytes: [UInt8])
    }

    /// Decodes every encoded word in the text. White space between adjacent encoded words is dropped,
    /// and adjacent words in one charset are decoded together, so a character split across two words
    /// survives. Anything malformed is left as it was.
    static func decode(_ text: String) -> String {
        guard text.contains("=?") else { return text }
        let scalars = Array(text.unicodeScalars)
        var pieces: [Piece] = []
        var literal = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if let end = encodedWordEnd(in: scalars, from: index),
               let word = decodeWord(Array(scalars[index..<end])) {
                if !literal.isEmpty { pieces.append(.literal(String(literal))) }
                literal = String.UnicodeScalarView()
                pieces.append(word)
                index = end
            } else {
                literal.append(scalars[index])
                index += 1
            }
        }
        if !literal.isEmpty { pieces.append(.literal(String(literal))) }

        var result = ""
        var pendingCharset: String?
        var pendingBytes: [UInt8] = []
        func flush() {
            if let charset = pendingCharset { result += Charset.decode(pendingBytes, charset: charset) }
            pendingCharset = nil
            pendingBytes = []
        }
        for (position, piece) in pieces.enumerated() {
            switch piece {
            case .word(let charset, let bytes):
                if pendingCharset != charset { flush() }
                pendingCharset = charset
                pendingBytes += bytes
            case .literal(let text):
                let between = position > 0 && position + 1 < pieces.count
                if between, text.allSatisfy(\.isWhitespace),
                   case .word = pieces[position - 1], case .word = pieces[position + 1] { continue }
                flush()
                result += text
            }
        }
        flush()
        return result
    }

    /// Where an encoded word starting at `start` ends (one past its `?=`), or `nil` if none starts there.
    static func encodedWordEnd(in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start + 1 < scalars.count, scalars[start] == "=", scalars[start + 1] == "?" else { return nil }
        var index = start + 2
        let charsetStart = index
        while index < scalars.count, scalars[index] != "?" {
            if scalars[index].properties.isWhitespace { return nil }
            index += 1
        }
        guard index > charsetStart, index + 2 < scalars.count, "bBqQ".unicodeScalars.contains(scalars[index + 1]),
              scalars[index + 2] == "?" else { return nil }
        index += 3
        while index < scalars.count, scalars[index] != "?" { index += 1 }
        guard index + 1 < scalars.count, scalars[index + 1] == "=" else { return nil }
        return index + 2
    }

    private static func decodeWord(_ scalars: [Unicode.Scalar]) -> Piece? {
        let text = String(String.UnicodeScalarView(scalars.dropFirst(2).dropLast(2)))
        let parts = text.split(separator: "?", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        // RFC 2231 allows a language after the charset: =?utf-8*en?Q?…?=
        let charset = String(parts[0].split(separator: "*").first ?? parts[0]).lowercased()
        let payload = Array(parts[2].utf8)
        switch parts[1].lowercased() {
        case "b": return .word(charset: charset, bytes: TransferEncoding.base64(payload[...]))
        case "q":
            let bytes = TransferEncoding.quotedPrintable(payload.map { $0 == 0x5F ? .space : $0 }[...])
            return .word(charset: charset, bytes: bytes)
        default: return nil
        }
    }
}

// MARK: - Dates

/// RFC 5322 dates, with the obsolete forms still seen in the wild: two- and three-digit years,
/// named and military zones, missing seconds or day names, comments and dashed dates.
enum MailDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let namedZones: [String: Int] = [
        "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5 * 60, "EDT": -4 * 60, "CST": -6 * 60, "CDT": -5 * 60,
        "MST": -7 * 60, "MDT": -6 * 60, "PST": -8 * 60, "PDT": -7 * 60, "BST": 60, "CET": 60, "CEST": 120,
    ]

    static func parse(_ raw: String) -> Date? {
        let cleaned = AddressList.removingComments(raw).replacingOccurrences(of: ",", with: " ")
        var tokens: [String] = []
        for token in cleaned.split(whereSeparator: \.isWhitespace) {
            if !token.hasPrefix("+"), !token.hasPrefix("-"), !token.contains(":"), token.contains("-") {
                tokens += token.split(separator: "-").map(String.init)
            } else {
                tokens.append(String(token))
            }
        }

        var month: Int?
        var numbers: [String] = []
        var time: (Int, Int, Int)?
        var zoneMinutes: Int?
        for token in tokens {
            if time == nil, token.contains(":") {
                var clock = token
                if let sign = clock.firstIndex(where: { $0 == "+" || $0 == "-" }) {
                    zoneMinutes = zone(String(clock[sign...]))
                    clock = String(clock[..<sign])
                }
                time = parseTime(clock)
            } else if time != nil, zoneMinutes == nil, let minutes = zone(token) {
                zoneMinutes = minutes
            } else if token.allSatisfy(\.isASCII), token.allSatisfy(\.isNumber), token.count <= 4 {
                numbers.append(token)
            } else if month == nil, token.count >= 3, let index = months.firstIndex(of: token.prefix(3).lowercased()) {
                month = index + 1
            }
        }
        guard let month, let time, numbers.count >= 2 else { return nil }
        // Usually "24 Nov 2026"; asctime-style "Nov 24 … 2026" also has the day first among the numbers.
        var dayText = numbers[0]
        var yearText = numbers[1]
        if dayText.count > 2 { swap(&dayText, &yearText) }
        guard let day = Int(dayText), var year = Int(yearText) else { return nil }
        switch yearText.count {
        case 1, 2: year += year < 50 ? 2000 : 1900
        case 3: year += 1900
        default: break
        }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              (0...23).contains(time.0), (0...59).contains(time.1), (0...60).contains(time.2) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + time.0 * 3600 + time.1 * 60 + min(time.2, 59) - (zoneMinutes ?? 0) * 60
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func parseTime(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        let numbers = parts.map { part in Int(part.split(separator: ".").first.map(String.init) ?? "") }
        guard let hour = numbers[0], let minute = numbers[1] else { return nil }
        let second = parts.count == 3 ? numbers[2] : 0
        guard let second else { return nil }
        return (hour, minute, second)
    }

    private static func zone(_ token: String) -> Int? {
        if let first = token.first, first == "+" || first == "-" {
            let digits = token.dropFirst().filter { $0 != ":" }
            guard digits.count == 4 || digits.count == 2, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(digits) else { return nil }
            let hours = digits.count == 4 ? value / 100 : value
            let minutes = digits.count == 4 ? value % 100 : 0
            guard hours <= 23, minutes <= 59 else { return nil }
            return (first == "-" ? -1 : 1) * (hours * 60 + minutes)
        }
        let upper = token.uppercased()
        if let minutes = namedZones[upper] { return minutes }
        // Military zones are unreliable; RFC 5322 says to treat them as -0000.
        if upper.count == 1, upper.first?.isLetter == true, upper.first?.isASCII == true { return 0 }
        return nil
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

// MARK: - Transfer encodings

/// Content-Transfer-Encoding: quoted-printable and base64 decoding; everything else passes through.
enum TransferEncoding {
    static func decode(_ bytes: ArraySlice<UInt8>, encoding: String?) -> [UInt8] {
        switch encoding?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "quoted-printable": quotedPrintable(bytes)
        case "base64": base64(bytes)
        default: Array(bytes) // 7bit, 8bit, binary and anything unknown
        }
    }

    /// Quoted-printable: `=XX` in either case, soft line breaks (`=` at the end of a line, even with
    /// trailing white space); a stray `=` is kept as it is.
    static func quotedPrintable(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte == .equals else {
                result.append(byte)
                index += 1
                continue
            }
            if index + 2 < bytes.endIndex, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                result.append(high << 4 | low)
                index += 3
                continue
            }
            var next = index + 1
            while next < bytes.endIndex, bytes[next].isLinearWhiteSpace { next += 1 }
            if next == bytes.endIndex {
                index = next
            } else if bytes[next] == .lf {
                index = next + 1
            } else if bytes[next] == .cr {
                index = next + 1
                if index < bytes.endIndex, bytes[index] == .lf { index += 1 }
            } else {
                result.append(byte)
                index += 1
            }
        }
        return result
    }

    /// Base64, ignoring line breaks and any other stray characters, tolerating missing padding and
    /// the URL-safe alphabet. Padding in the middle (concatenated chunks) restarts the quantum.
    static func base64(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            let value: UInt32
            switch byte {
            case 0x41...0x5A: value = UInt32(byte - 0x41)
            case 0x61...0x7A: value = UInt32(byte - 0x61 + 26)
            case 0x30...0x39: value = UInt32(byte - 0x30 + 52)
            case 0x2B, 0x2D: value = 62
            case 0x2F, 0x5F: value = 63
            case .equals:
                buffer = 0
                bits = 0
                continue
            default: continue
            }
            buffer = (buffer << 6 | value) & 0xFFFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                result.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return result
    }
}

// MARK: - Charsets

/// Turns the bytes of a text part or encoded word into a string, whatever the declared charset.
enum Charset {
    /// Windows-1252 code points for bytes 0x80–0x9F (undefined bytes map to the C1 control of the same value).
    private static let windows1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]
    /// Where ISO-8859-15 differs from ISO-8859-1.
    private static let latin9: [UInt8: UInt32] = [
        0xA4: 0x20AC, 0xA6: 0x0160, 0xA8: 0x0161, 0xB4: 0x017D, 0xB8: 0x017E, 0xBC: 0x0152, 0xBD: 0x0153, 0xBE: 0x0178,
    ]
    /// Other charsets that Foundation can decode on every platform.
    private static let foundationEncodings: [String: String.Encoding] = [
        "iso-8859-2": .isoLatin2, "latin2": .isoLatin2, "l2": .isoLatin2,
        "windows-1250": .windowsCP1250, "cp1250": .windowsCP1250,
        "windows-1251": .windowsCP1251, "cp1251": .windowsCP1251,
        "windows-1253": .windowsCP1253, "cp1253": .windowsCP1253,
        "windows-1254": .windowsCP1254, "cp1254": .windowsCP1254,
        "shift_jis": .shiftJIS, "shift-jis": .shiftJIS, "sjis": .shiftJIS, "x-sjis": .shiftJIS, "cp932": .shiftJIS,
        "euc-jp": .japaneseEUC, "iso-2022-jp": .iso2022JP,
        "utf-16": .utf16, "utf-16be": .utf16BigEndian, "utf-16le": .utf16LittleEndian,
        "utf-32": .utf32, "utf-32be": .utf32BigEndian, "utf-32le": .utf32LittleEndian,
        "macintosh": .macOSRoman, "mac": .macOSRoman, "x-mac-roman": .macOSRoman,
    ]

    /// Decodes text in the named charset. ISO-8859-1 is read as its superset Windows-1252, as browsers
    /// do, since mailers routinely mislabel one as the other. A missing or unknown charset is read as
    /// UTF-8 if the bytes are valid UTF-8 and as Windows-1252 otherwise. Nothing here can fail.
    static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes, charset: String?) -> String {
        let name = (charset ?? "").trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\"'"))).lowercased()
        switch name {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8":
            return decodeLenientUTF8(bytes)
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "iso_8859-1:1987", "latin1", "latin-1", "l1", "cp819", "ibm819",
             "windows-1252", "cp1252", "x-cp1252", "cp-1252", "win-1252":
            return decodeWindows1252(bytes)
        case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9", "latin9", "l9":
            var scalars = String.UnicodeScalarView()
            for byte in bytes { scalars.append(Unicode.Scalar(latin9[byte] ?? UInt32(byte)) ?? "\u{FFFD}") }
            return String(scalars)
        default:
            if let encoding = foundationEncodings[name], let text = String(bytes: Array(bytes), encoding: encoding) {
                return text
            }
            return guess(bytes)
        }
    }

    /// UTF-8 if valid, otherwise Windows-1252.
    static func guess<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        if let text = String(bytes: Array(bytes), encoding: .utf8) { return text }
        return decodeWindows1252(bytes)
    }

    static func decodeWindows1252<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(windows1252(byte)) }
        return String(scalars)
    }

    private static func windows1252(_ byte: UInt8) -> Unicode.Scalar {
        let value = (0x80...0x9F).contains(byte) ? windows1252High[Int(byte - 0x80)] : UInt32(byte)
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }

    /// UTF-8 where each byte that is not part of a well-formed sequence is read as Windows-1252, so a
    /// stray Latin-1 pound sign in a UTF-8 message still comes out as £.
    static func decodeLenientUTF8<Bytes: Collection<UInt8>>(_ input: Bytes) -> String {
        let bytes = Array(input)
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                scalars.append(Unicode.Scalar(lead))
                index += 1
                continue
            }
            let length: Int
            let minimum: UInt32
            var value: UInt32
            switch lead {
            case 0xC2...0xDF: (length, minimum, value) = (2, 0x80, UInt32(lead & 0x1F))
            case 0xE0...0xEF: (length, minimum, value) = (3, 0x800, UInt32(lead & 0x0F))
            case 0xF0...0xF4: (length, minimum, value) = (4, 0x10000, UInt32(lead & 0x07))
            default: (length, minimum, value) = (0, 0, 0)
            }
            var valid = length > 0 && index + length <= bytes.count
            if valid {
                for offset in 1..<length {
                    let continuation = bytes[index + offset]
                    guard continuation & 0xC0 == 0x80 else { valid = false; break }
                    value = value << 6 | UInt32(continuation & 0x3F)
                }
            }
            if valid, value >= minimum, let scalar = Unicode.Scalar(value) {
                scalars.append(scalar)
                index += length
            } else {
                scalars.append(windows1252(lead))
                index += 1
            }
        }
        return String(scalars)
    }
}

// MARK: - Text clean-up

enum TextCleaning {
    /// Line breaks as `\n` only, NUL characters removed (databases refuse them).
    static func normalisingLineBreaks(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                result.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n", previousWasCR { previousWasCR = false; continue }
            previousWasCR = false
            if scalar != "\0" { result.append(scalar) }
        }
        return String(result)
    }

    static func removingNulls(_ text: String) -> String {
        text.contains("\0") ? String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\0" })) : text
    }

    /// All white space, including line breaks, reduced to single spaces; trimmed; control characters dropped.
    static func singleLine(_ text: String) -> String {
        let visible = text.unicodeScalars.map { scalar -> Unicode.Scalar in
            scalar.properties.generalCategory == .control ? " " : scalar
        }
        return String(String.UnicodeScalarView(visible)).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// RFC 3676 format=flowed: lines ending in a space join the next line at the same quote depth.
    static func unflowed(_ text: String, deleteSpace: Bool) -> String {
        var output: [String] = []
        var previousFlowed = false
        var previousDepth = -1
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(rawLine)
            var depth = 0
            while line.first == ">" { depth += 1; line = line.dropFirst() }
            if line.first == " " { line = line.dropFirst() } // space-stuffing
            let flowed = line.hasSuffix(" ") && line != "-- "
            var content = String(line)
            if flowed, deleteSpace { content.removeLast() }
            if previousFlowed, depth == previousDepth, let last = output.popLast() {
                output.append(last + content)
            } else {
                output.append((depth > 0 ? String(repeating: ">", count: depth) + " " : "") + content)
            }
            previousFlowed = flowed
            previousDepth = depth
        }
        return output.joined(separator: "\n")
    }
}

// MARK: - MIME tree

/// What a part offers as readable text.
struct BodyContent: Sendable {
    var plain: String?
    var html: String?

    static let none = BodyContent()

    var hasContent: Bool { readableText.map { !$0.isEmpty } ?? false }

    /// Plain text when it has something to say, otherwise the HTML as text.
    var readableText: String? {
        if let plain, !plain.trimmingWhitespace().isEmpty {
            return plain.trimmingWhitespace()
        }
        if let html { return HTMLText.plainText(from: html) }
        return plain.map { $0.trimmingWhitespace() }
    }
}

/// Walks the MIME tree, choosing the readable text and collecting attachments in order.
struct MIMEWalker {
    static let signatureTypes: Set<String> = [
        "application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature",
    ]

    private(set) var attachments: [MailAttachment] = []

    mutating func walk(headers: MailHeaders, body: ArraySlice<UInt8>, depth: Int, defaultType: String) -> BodyContent {
        let contentType = ParameterisedValue(headers.first("content-type") ?? defaultType)
        var mediaType = contentType.value.filter { !$0.isWhitespace }
        if !mediaType.contains("/") || mediaType.hasPrefix("/") || mediaType.hasSuffix("/") { mediaType = defaultType }
        let disposition = headers.first("content-disposition").map(ParameterisedValue.init)
        let fileName = (disposition?.parameters["filename"] ?? contentType.parameters["name"])
            .map { EncodedWords.decode($0) }
        let transferEncoding = headers.first("content-transfer-encoding")

        if mediaType.hasPrefix("multipart/") {
            guard depth < MailParser.maximumDepth else { return .none }
            let boundary = contentType.parameters["boundary"]?.trimmingCharacters(in: .whitespaces)
            guard let parts = Self.splitMultipart(body, boundary: boundary) else {
                // A multipart without any boundary line: show what is there as plain text.
                return BodyContent(plain: Self.text(Array(body), charset: nil, flowed: nil))
            }
            let childDefault = mediaType == "multipart/digest" ? "message/rfc822" : "text/plain"
            var children: [BodyContent] = []
            for part in parts {
                let (partHeaders, partBody) = MailHeaders.split(part)
                children.append(walk(headers: partHeaders, body: partBody, depth: depth + 1, defaultType: childDefault))
            }
            return Self.combine(children, alternative: mediaType == "multipart/alternative")
        }

        // The signature part of a signed message is not something the sender attached.
        if Self.signatureTypes.contains(mediaType) { return .none }
        let data = TransferEncoding.decode(body, encoding: transferEncoding)
        if mediaType == "message/rfc822" || mediaType == "message/global" {
            let name = fileName.flatMap(Self.safeFileName) ?? uniqueName("forwarded", extension: "eml")
            attachments.append(MailAttachment(fileName: name, contentType: mediaType, data: Data(data)))
            return .none
        }
        let isBodyText = mediaType == "text/plain" || mediaType == "text/html"
        if !isBodyText || disposition?.value == "attachment" || fileName != nil {
            let name = fileName.flatMap(Self.safeFileName)
                ?? uniqueName("attachment", extension: Self.fileExtension(for: mediaType))
            attachments.append(MailAttachment(fileName: name, contentType: mediaType, data: Data(data)))
            return .none
        }
        let charset = contentType.parameters["charset"]
        if mediaType == "text/html" { return BodyContent(html: Self.text(data, charset: charset, flowed: nil)) }
        let flowed = contentType.parameters["format"]?.lowercased() == "flowed"
            ? contentType.parameters["delsp"]?.lowercased() == "yes" : nil
        return BodyContent(plain: Self.text(data, charset: charset, flowed: flowed))
    }

    /// `multipart/alternative` prefers a plain-text alternative with something in it, else the last
    /// HTML one; any other multipart joins the readable text of its parts in order.
    private static func combine(_ children: [BodyContent], alternative: Bool) -> BodyContent {
        if alternative {
            let plain = children.compactMap(\.plain).first { !$0.trimmingWhitespace().isEmpty }
            let html = children.compactMap(\.html).last
            return BodyContent(plain: plain, html: html)
        }
        let withContent = children.filter(\.hasContent)
        if withContent.count <= 1 { return withContent.first ?? .none }
        return BodyContent(plain: withContent.compactMap(\.readableText).joined(separator: "\n\n"))
    }

    /// The parts of a multipart body, without preamble or epilogue; a missing closing boundary ends the
    /// last part at the end of the input. Without a boundary parameter the first `--…` line is taken as
    /// the boundary. `nil` when no boundary line is found at all.
    static func splitMultipart(_ body: ArraySlice<UInt8>, boundary: String?) -> [ArraySlice<UInt8>]? {
        var delimiter: [UInt8]
        if let boundary, !boundary.isEmpty {
            delimiter = Array("--\(boundary)".utf8)
        } else {
            guard let guessed = guessBoundary(body) else { return nil }
            delimiter = guessed
        }
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var sawDelimiter = false
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let lineEnd = body[lineStart...].firstIndex(of: .lf) ?? body.endIndex
            if body[lineStart..<lineEnd].starts(with: delimiter) {
                var rest = body[(lineStart + delimiter.count)..<lineEnd]
                let closing = rest.starts(with: [0x2D, 0x2D])
                if closing { rest = rest.dropFirst(2) }
                if rest.allSatisfy({ $0.isLinearWhiteSpace || $0 == .cr }) {
                    sawDelimiter = true
                    if let start = partStart {
                        // The line break before a delimiter belongs to the delimiter.
                        var end = lineStart
                        if end > start, body[end - 1] == .lf { end -= 1 }
                        if end > start, body[end - 1] == .cr { end -= 1 }
                        parts.append(body[start..<end])
                    }
                    if closing { return parts }
                    partStart = lineEnd < body.endIndex ? lineEnd + 1 : body.endIndex
                }
            }
            lineStart = lineEnd + 1
        }
        if let start = partStart { parts.append(body[start...]) }
        return sawDelimiter ? parts : nil
    }

    private static func guessBoundary(_ body: ArraySlice<UInt8>) -> [UInt8]? {
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let lineEnd = body[lineStart...].firstIndex(of: .lf) ?? body.endIndex
            var line = body[lineStart..<lineEnd]
            while let last = line.last, last == .cr || last.isLinearWhiteSpace { line = line.dropLast() }
            if line.count > 2, line.starts(with: [0x2D, 0x2D]) { return Array(line) }
            lineStart = lineEnd + 1
        }
        return nil
    }

    private static func text(_ bytes: [UInt8], charset: String?, flowed deleteSpace: Bool?) -> String {
        let text = TextCleaning.normalisingLineBreaks(Charset.decode(bytes, charset: charset))
        guard let deleteSpace else { return text }
        return TextCleaning.unflowed(text, deleteSpace: deleteSpace)
    }

    /// The last path component, without control characters; `nil` when nothing usable is left.
    static func safeFileName(_ raw: String) -> String? {
        let lastComponent = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = TextCleaning.singleLine(lastComponent)
        return cleaned.isEmpty || cleaned == "." || cleaned == ".." ? nil : cleaned
    }

    private mutating func uniqueName(_ stem: String, extension fileExtension: String) -> String {
        let taken = Set(attachments.map(\.fileName))
        var candidate = "\(stem).\(fileExtension)"
        var number = 2
        while taken.contains(candidate) {
            candidate = "\(stem)-\(number).\(fileExtension)"
            number += 1
        }
        return candidate
    }

    private static func fileExtension(for mediaType: String) -> String {
        let known: [String: String] = [
            "image/jpeg": "jpg", "image/jpg": "jpg", "image/pjpeg": "jpg", "image/png": "png", "image/gif": "gif",
            "image/heic": "heic", "image/heif": "heif", "image/webp": "webp", "image/bmp": "bmp", "image/tiff": "tif",
            "application/pdf": "pdf", "text/plain": "txt", "text/html": "html", "text/calendar": "ics",
            "text/csv": "csv", "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/wav": "wav", "video/mp4": "mp4",
            "video/quicktime": "mov", "application/msword": "doc", "application/zip": "zip",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
            "message/delivery-status": "txt",
        ]
        return known[mediaType] ?? "bin"
    }
}
