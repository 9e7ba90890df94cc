import Foundation

/// Screens a community notice of positive activity (SS-PRG-6) before it is published to a
/// neighbourhood. A notice tells residents what has been done ("we have worked with the police
/// to close a property used for drug dealing") without identifying anyone: it must never name a
/// party, give a case reference or an exact address.
public enum NoticeScreening {
    /// The longest notice, in characters.
    public static let textLimit = 2000

    /// The problems of a notice's text, as field errors on `text`, one per kind of problem found,
    /// in this order (a message never repeats the name, address or reference it found):
    /// - the text is blank or longer than `textLimit` characters (a blank text is not screened further);
    /// - a party's name: any of `partyNames` of 2 or more characters, and the last word of each
    ///   (its surname, when it has 3 or more letters), as whole words, ignoring case and accents;
    /// - an exact address: the first line of any of `addresses` (for example "12 Sample Street"
    ///   from "12 Sample Street, Southend-on-Sea SS1 1AA"), ignoring case and spacing;
    /// - a full UK postcode, with or without its space (a postcode district such as "SS2" is allowed);
    /// - a case reference, `ASB-YYYY-NNNNN`.
    public static func problems(in text: String, partyNames: [String], addresses: [String]) -> [FieldError] {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty {
            return [FieldError("text", "Write the notice: it cannot be empty.")]
        }
        var errors: [FieldError] = []
        if trimmed.count > textLimit {
            errors.append(FieldError("text", "The notice must be \(textLimit) characters or fewer."))
        }
        let folded = fold(text)

        let names = partyNames.flatMap(namePatterns).uniqued()
        if names.contains(where: { containsPhrase($0, in: folded) }) {
            errors.append(FieldError(
                "text",
                "The notice names someone involved in a case: remove the name, or describe them in general terms (for example \"a resident\")."))
        }

        let lines = addresses.compactMap(firstLine).uniqued()
        if lines.contains(where: { containsPhrase($0, in: folded) }) {
            errors.append(FieldError(
                "text",
                "The notice gives an exact address: remove it, and name only the street, estate or area."))
        }

        if containsPostcode(folded) {
            errors.append(FieldError(
                "text",
                "The notice gives a full postcode: remove it, or give only the first part (for example SS2)."))
        }

        if containsCaseReference(folded) {
            errors.append(FieldError("text", "The notice gives a case reference: remove it."))
        }
        return errors
    }

    // MARK: Matching

    /// Lower case, without accents, with curly apostrophes and dashes made plain.
    private static func fold(_ text: String) -> String {
        var result = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        for (from, to) in [("\u{2019}", "'"), ("\u{2018}", "'"), ("\u{2010}", "-"), ("\u{2011}", "-"),
                           ("\u{2013}", "-"), ("\u{2014}", "-")] {
            result = result.replacingOccurrences(of: from, with: to)
        }
        return result.lowercased()
    }

    /// The words of `text`, split on white space, with punctuation trimmed from their ends.
    private static func words(_ text: String) -> [String] {
        text.split(whereSeparator: \.isWhitespace)
            .map { $0.trimmingCharacters(in: .punctuationCharacters.union(.symbols)) }
            .filter { !$0.isEmpty }
    }

    /// Suffixes that are not surnames ("John Smith Jnr").
    private static let nameSuffixes: Set<String> = ["jr", "jnr", "sr", "snr", "ii", "iii", "iv", "esq", "mbe", "obe"]

    /// The phrases that identify a party: the whole name (2+ characters) and its last word when
    /// it looks like a surname (3+ letters, not a suffix).
    private static func namePatterns(_ name: String) -> [[String]] {
        var ws = words(fold(name))
        guard !ws.isEmpty else { return [] }
        var patterns: [[String]] = []
        if ws.joined(separator: " ").count >= 2 { patterns.append(ws) }
        while let last = ws.last, nameSuffixes.contains(last), ws.count > 1 { ws.removeLast() }
        if let last = ws.last, last.filter(\.isLetter).count >= 3, last.first?.isLetter == true {
            patterns.append([last])
        }
        return patterns
    }

    /// The first line of an address as a phrase of words: the part before the first comma or line
    /// break; a part with no letters (a house number written "12, Sample Street") joins the next part;
    /// a flat or unit line ("Flat 3, 12 Sample Street") is followed by the building or street line.
    /// `nil` when nothing distinctive is left.
    private static func firstLine(_ address: String) -> [String]? {
        var parts = fold(address)
            .split(whereSeparator: { $0 == "," || $0.isNewline })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !parts.isEmpty else { return nil }
        var line = parts.removeFirst()
        let flatWords: Set<String> = ["flat", "apartment", "apt", "unit", "room", "maisonette"]
        if let first = words(line).first, flatWords.contains(first), !parts.isEmpty {
            line = parts.removeFirst()
        }
        while !line.contains(where: \.isLetter), !parts.isEmpty {
            line += " " + parts.removeFirst()
        }
        let ws = words(line)
        guard ws.joined().filter(\.isLetter).count >= 3 else { return nil }
        return ws
    }

    /// Whether `phrase` (words, already folded) occurs in `text` (folded) as whole words, with any
    /// white space between them.
    private static func containsPhrase(_ phrase: [String], in text: String) -> Bool {
        guard !phrase.isEmpty else { return false }
        let body = phrase.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "[\\s,]+")
        let pattern = "(?<![\\p{L}\\p{N}])" + body + "(?![\\p{L}\\p{N}])"
        return matches(pattern, text)
    }

    private static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Whether the text holds a full UK postcode: one word ("ss26fy") or two adjacent words
    /// ("ss2 6fy") that `Postcode` accepts, with at least one digit.
    private static func containsPostcode(_ text: String) -> Bool {
        let tokens = text.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) }).map(String.init)
        for (index, token) in tokens.enumerated() {
            if (5...7).contains(token.count), Postcode(token) != nil { return true }
            if index + 1 < tokens.count {
                let inward = tokens[index + 1]
                if (2...4).contains(token.count), inward.count == 3, inward.first?.isNumber == true,
                   Postcode(token + inward) != nil {
                    return true
                }
            }
        }
        return false
    }

    /// Whether the text holds a case reference `ASB-YYYY-NNNNN` (also with spaces, dashes or
    /// slashes between the parts).
    private static func containsCaseReference(_ text: String) -> Bool {
        matches("(?<![\\p{L}\\p{N}])asb\\s*[-/\\s]?\\s*\\d{4}\\s*[-/\\s]\\s*\\d{5,9}(?![\\p{L}\\p{N}])", text)
    }
}
