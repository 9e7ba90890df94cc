import Foundation

/// How long personal data is kept (UK GDPR storage limitation): a closed case's personal data is
/// anonymised once the retention period (6 years by default) has passed since it closed, unless
/// it is under a legal hold. A person on several cases keeps their details until every one of
/// their cases is due; the statistics (dates, priorities, categories, milestones, neighbourhood,
/// outcomes) are never touched.
public enum RetentionRules {
    public static let defaultYears = 6

    /// The first UK day on which a case closed on `closedOn` is due for anonymisation: the same
    /// day `years` years later (28 February for a 29 February closure in a non-leap year).
    public static func dueOn(closedOn: LocalDate, years: Int) -> LocalDate {
        CaseworkDates.adding(months: 12 * years, to: closedOn)
    }

    /// What retention knows of one case.
    public struct CaseState: Sendable, Equatable {
        public var closedOn: LocalDate?
        public var legalHold: Bool
        public var anonymised: Bool

        public init(closedOn: LocalDate?, legalHold: Bool, anonymised: Bool) {
            self.closedOn = closedOn
            self.legalHold = legalHold
            self.anonymised = anonymised
        }

        /// Closed, past its period, not held.
        public func isDue(today: LocalDate, years: Int) -> Bool {
            guard let closedOn, !legalHold else { return false }
            return today >= RetentionRules.dueOn(closedOn: closedOn, years: years)
        }
    }

    /// A person's details go only when every case they are on is due or already anonymised (and
    /// none is held): someone still active on another case keeps them until that case's period ends.
    public static func mayAnonymiseParty(cases: [CaseState], today: LocalDate, years: Int) -> Bool {
        !cases.isEmpty && cases.allSatisfy { !$0.legalHold && ($0.anonymised || $0.isDue(today: today, years: years)) }
    }
}

/// Takes known people's names and contact details, and anything shaped like an email address or a
/// UK phone number, out of free text: "Sam Example said 07700 900123" → "[name] said [phone]".
///
/// Made once for a set of people and used for every text about them: compiling the names'
/// pattern (case-insensitive, with Unicode letter classes) costs far more than running it, and
/// retention once compiled one pattern per name part for every text of every case it anonymised.
public struct Redaction: Sendable {
    public static let name = "[name]"

    private let contacts: [String]
    private let names: Pattern?

    /// `names` are full names; each full name, and each part of three letters or more, is
    /// replaced wherever it stands as a whole word, in any case. `contacts` (email addresses,
    /// phone numbers) are replaced too.
    public init(names: [String], contacts: [String] = []) {
        self.contacts = contacts.filter { $0.count >= 5 }
        var words: Set<String> = []
        for full in names {
            let trimmed = full.trimmingWhitespace()
            guard !trimmed.isEmpty else { continue }
            words.insert(trimmed)
            words.formUnion(trimmed.split(whereSeparator: { $0 == " " || $0 == "-" }).map(String.init).filter { $0.count >= 3 })
        }
        // One alternation, longest first, so "Sam Example" goes whole before "Sam".
        let alternatives = words.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }.map(NSRegularExpression.escapedPattern(for:))
        self.names = alternatives.isEmpty ? nil : Pattern(
            "(?<![\\p{L}\\p{N}])(?:" + alternatives.joined(separator: "|") + ")(?![\\p{L}\\p{N}])", caseInsensitive: true)
    }

    public func redact(_ text: String) -> String {
        var result = text
        for contact in contacts {
            result = result.replacingOccurrences(of: contact, with: "[contact]", options: [.caseInsensitive])
        }
        result = Self.email.replace(in: result, with: "[email]")
        result = Self.phone.replace(in: result, with: "[phone]")
        return names?.replace(in: result, with: Self.name) ?? result
    }

    public static func redact(_ text: String, names: [String], contacts: [String] = []) -> String {
        Redaction(names: names, contacts: contacts).redact(text)
    }

    private static let email = Pattern(#"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#)
    private static let phone = Pattern(#"(?:\+44\s?|0)(?:\d[\s-]?){9,10}"#)

    /// A compiled pattern. NSRegularExpression is immutable and safe to share once made.
    private struct Pattern: @unchecked Sendable {
        let regex: NSRegularExpression?

        init(_ pattern: String, caseInsensitive: Bool = false) {
            regex = try? NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
        }

        func replace(in text: String, with template: String) -> String {
            guard let regex else { return text }
            return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text),
                                                  withTemplate: NSRegularExpression.escapedTemplate(for: template))
        }
    }
}
