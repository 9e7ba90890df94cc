import Foundation

/// One mailbox from an address header: `Sam Example <sam@example.org>`.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    /// The display name, decoded from any encoded words; `nil` when the header gave none.
    public var name: String?
    /// The address itself, lower-cased (`sam@example.org`).
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address.lowercased()
    }

    public var description: String {
        guard let name, !name.isEmpty else { return address }
        return "\(name) <\(address)>"
    }
}

/// A file carried by a message: an attachment proper, an inline image, or a forwarded message.
public struct MailAttachment: Sendable, Equatable {
    /// The file name the sender gave, with any directory part removed; invented (`attachment-2.jpg`,
    /// `forwarded.eml`) when the sender gave none.
    public var fileName: String
    /// The media type without parameters, lower-cased, e.g. `image/jpeg`.
    public var contentType: String
    /// The decoded content.
    public var data: Data

    public init(fileName: String, contentType: String, data: Data) {
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
    }
}

/// An email message reduced to what casework needs: who sent it, what it is about, what it says
/// and what it carries.
public struct MailMessage: Sendable, Equatable {
    /// The `Message-ID`, without angle brackets.
    public var messageID: String?
    /// The first identifier in `In-Reply-To`, without angle brackets.
    public var inReplyTo: String?
    public var from: MailAddress?
    public var replyTo: MailAddress?
    public var to: [MailAddress]
    /// The subject, decoded from any encoded words, with runs of white space reduced to one space;
    /// `""` when the message has none.
    public var subject: String
    /// When the message says it was written; `nil` when the header is missing or unreadable.
    public var date: Date?
    /// The readable body: the plain-text part when there is one, otherwise the HTML part turned into text.
    public var text: String
    /// `text` without the quoted history of a reply or the signature; `text` itself when nothing new is left.
    public var newText: String
    public var attachments: [MailAttachment]

    public init(messageID: String? = nil, inReplyTo: String? = nil, from: MailAddress? = nil,
                replyTo: MailAddress? = nil, to: [MailAddress] = [], subject: String = "", date: Date? = nil,
                text: String = "", newText: String = "", attachments: [MailAttachment] = []) {
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.from = from
        self.replyTo = replyTo
        self.to = to
        self.subject = subject
        self.date = date
        self.text = text
        self.newText = newText
        self.attachments = attachments
    }

    /// The case reference mentioned in a subject line, if any; see `MailSubject.caseReference(in:)`.
    public static func caseReference(in subject: String) -> String? {
        MailSubject.caseReference(in: subject)
    }
}

/// Why a message could not be read at all.
public struct MailParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    /// The reason alone, e.g. "there is no From header", ready to follow "Not a readable email: ".
    public var description: String { reason }
}

/// Rules about subject lines.
public enum MailSubject {
    /// Finds a case reference such as `asb-2026-00042` anywhere in a subject line, in any case, and
    /// returns it in its printed form (`ASB-2026-00042`). The reference must stand on its own:
    /// `XASB-2026-00042` or `ASB-2026-00042X` do not count. The first valid reference wins.
    public static func caseReference(in subject: String) -> String? {
        let scalars = Array(subject.unicodeScalars)
        let prefix = Array("ASB-".unicodeScalars)
        var start = 0
        while start + prefix.count <= scalars.count {
            defer { start += 1 }
            guard (0..<prefix.count).allSatisfy({ asciiUpper(scalars[start + $0]) == prefix[$0] }) else { continue }
            if start > 0, isWordScalar(scalars[start - 1]) { continue }
            var end = start + prefix.count
            // Four digits of year, a hyphen, then the whole run of digits.
            let yearEnd = end + 4
            guard yearEnd < scalars.count, (end..<yearEnd).allSatisfy({ isDigit(scalars[$0]) }),
                  scalars[yearEnd] == "-" else { continue }
            end = yearEnd + 1
            while end < scalars.count, isDigit(scalars[end]) { end += 1 }
            if end < scalars.count, isWordScalar(scalars[end]) { continue }
            var candidate = String.UnicodeScalarView()
            candidate.append(contentsOf: scalars[start..<end])
            if let reference = CaseReference(String(candidate)) { return reference.description }
        }
        return nil
    }

    private static func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }

    private static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || s.properties.numericType != nil || s == "_"
    }

    private static func asciiUpper(_ s: Unicode.Scalar) -> Unicode.Scalar {
        ("a"..."z").contains(s) ? Unicode.Scalar(s.value - 32) ?? s : s
    }
}
