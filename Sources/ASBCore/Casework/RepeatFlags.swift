import Foundation

/// Which side of a case a party is on, for repeat flags: a repeat victim is a reporter or victim
/// in more than one case, a repeat perpetrator is complained about in more than one case.
public enum RepeatPartyGroup: String, Sendable, Codable, CaseIterable {
    /// Reporters and victims.
    case victimSide
    case allegedPerpetrator

    /// The group of a party role; `nil` for witnesses and others, who are never flagged.
    public init?(role: PartyRole) {
        switch role {
        case .reporter, .victim: self = .victimSide
        case .allegedPerpetrator: self = .allegedPerpetrator
        case .witness, .other: return nil
        }
    }
}

/// Repeat victim and repeat perpetrator flags, so the officer sees the history of the people in a
/// case when assessing risk and contacting all parties (SS-RT-1, SS-NXT-4).
///
/// **The rule.** A party is flagged as a repeat in a case when *another* case in which the same
/// party is in the same group (`RepeatPartyGroup`: reporter or victim on one side, alleged
/// perpetrator on the other) was received within twelve months before or after this case was
/// received. Two cases are within twelve months of each other when the later was received no later
/// than the same day twelve calendar months after the earlier, both ends inclusive; when there is no
/// such day (from 29 February), the last day of that month counts (28 February). So a case received
/// on 10 March 2025 is a repeat of one received on any day from 10 March 2024 to 10 March 2026, and
/// not of one received on 9 March 2024 or 11 March 2026; a case received on 29 February 2024 is a
/// repeat of one received from 1 March 2023 to 28 February 2025. In days: at most 365 apart, or 366
/// when a 29 February falls strictly between them. The rule is symmetric: if one case is a repeat
/// because of another, the other is a repeat because of it.
///
/// A different case received the same day counts; the case itself does not (the caller leaves it
/// out of the list, or uses `isRepeat(case:receivedOn:partyCases:)`).
public enum RepeatFlags {
    /// Whether cases received on `first` and `second` (in either order) are within twelve months
    /// of each other.
    public static func withinTwelveMonths(_ first: LocalDate, _ second: LocalDate) -> Bool {
        let (earlier, later) = first <= second ? (first, second) : (second, first)
        return later <= CaseworkDates.adding(months: 12, to: earlier)
    }

    /// The first and last receipt dates, inclusive, of cases that make a case received on
    /// `receivedOn` a repeat: the dates `d` with `withinTwelveMonths(d, receivedOn)`.
    public static func window(around receivedOn: LocalDate) -> ClosedRange<LocalDate> {
        var first = CaseworkDates.adding(months: -12, to: receivedOn)
        // From 29 February, twelve months earlier is clamped to 28 February, which is 12 months and a
        // day before: the window then starts on 1 March.
        if CaseworkDates.adding(months: 12, to: first) < receivedOn { first = first.adding(days: 1) }
        return first...CaseworkDates.adding(months: 12, to: receivedOn)
    }

    /// Whether any of the party's other cases (in the same group) was received within twelve
    /// months of `caseReceivedOn`. `otherCasesReceivedOn` must not include this case.
    public static func isRepeat(caseReceivedOn: LocalDate, otherCasesReceivedOn: [LocalDate]) -> Bool {
        let window = window(around: caseReceivedOn)
        return otherCasesReceivedOn.contains { window.contains($0) }
    }

    /// The same rule given every case of the party (in the same group), this one included: the case
    /// with identifier `id` is left out.
    public static func isRepeat<ID: Equatable>(case id: ID, receivedOn: LocalDate,
                                               partyCases: [(id: ID, receivedOn: LocalDate)]) -> Bool {
        isRepeat(caseReceivedOn: receivedOn,
                 otherCasesReceivedOn: partyCases.filter { $0.id != id }.map(\.receivedOn))
    }
}
