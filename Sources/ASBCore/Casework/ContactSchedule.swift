import Foundation

/// How often the landlord contacts the reporter, as agreed in the action plan (SS-NXT-5).
///
/// Stored, and `Codable`, as its `storageValue`: `weekly`, `fortnightly`, `monthly` or
/// `everyDays:N` (for example `everyDays:10`).
public enum ContactFrequency: Sendable, Hashable, StorageStringCodable, CustomStringConvertible {
    public static let storageFormat = "weekly, fortnightly, monthly or everyDays:N (N from 1 to 365)"

    case weekly
    case fortnightly
    /// The same day of the next month, or that month's last day when it is shorter.
    case monthly
    /// Every `n` days; valid for `ContactSchedule.everyDaysRange` (1 … 365).
    case everyDays(Int)

    /// `weekly`, `fortnightly`, `monthly` or `everyDays:N`.
    public var storageValue: String {
        switch self {
        case .weekly: "weekly"
        case .fortnightly: "fortnightly"
        case .monthly: "monthly"
        case .everyDays(let days): "everyDays:\(days)"
        }
    }

    /// Parses a `storageValue`; `nil` for anything else, including `everyDays:N` with `N`
    /// outside 1 … 365 or not written as plain digits without leading zeros.
    public init?(storageValue: String) {
        switch storageValue {
        case "weekly": self = .weekly
        case "fortnightly": self = .fortnightly
        case "monthly": self = .monthly
        default:
            let prefix = "everyDays:"
            guard storageValue.hasPrefix(prefix) else { return nil }
            let digits = storageValue.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.count <= 3, digits.first != "0", digits.allSatisfy({ ("0"..."9").contains($0) }),
                let days = Int(digits), ContactSchedule.everyDaysRange.contains(days)
            else { return nil }
            self = .everyDays(days)
        }
    }

    /// Whether the frequency may be agreed (`everyDays` only within 1 … 365).
    public var isValid: Bool {
        if case .everyDays(let days) = self { return ContactSchedule.everyDaysRange.contains(days) }
        return true
    }

    /// In British English: "weekly", "fortnightly", "monthly", "every day", "every 10 days".
    public var description: String {
        switch self {
        case .weekly: "weekly"
        case .fortnightly: "fortnightly"
        case .monthly: "monthly"
        case .everyDays(1): "every day"
        case .everyDays(let days): "every \(days) days"
        }
    }
}

/// Whether contact with the reporter is due (SS-NXT-5).
public enum ContactState: Sendable, Hashable {
    case notYetDue
    case dueToday
    /// Due the given number of days ago (at least 1).
    case overdue(days: Int)
}

/// The agreed regular contact with the reporter (SS-NXT-5).
public enum ContactSchedule {
    /// The allowed values of `ContactFrequency.everyDays`.
    public static let everyDaysRange = 1...365

    /// When the next contact is due: one interval after the last contact, or after the date the
    /// plan was agreed when there has been no contact since. A contact recorded before the agreement
    /// does not bring the schedule forward (the interval runs from the later of the two dates).
    ///
    /// Weekly is 7 days, fortnightly 14, `everyDays(n)` n days (at least 1), and monthly the same
    /// day of the next month, or the last day of that month when it is shorter (31 January → 28 or
    /// 29 February; 31 March → 30 April).
    public static func nextContactDue(agreedOn: LocalDate, lastContactOn: LocalDate?,
                                      frequency: ContactFrequency) -> LocalDate {
        let from = max(agreedOn, lastContactOn ?? agreedOn)
        switch frequency {
        case .weekly: return from.adding(days: 7)
        case .fortnightly: return from.adding(days: 14)
        case .monthly: return CaseworkDates.adding(months: 1, to: from)
        case .everyDays(let days): return from.adding(days: max(days, 1))
        }
    }

    /// Whether contact due on `nextDue` is not yet due, due today, or overdue on `today`.
    public static func state(nextDue: LocalDate, today: LocalDate) -> ContactState {
        let late = nextDue.days(until: today)
        if late < 0 { return .notYetDue }
        if late == 0 { return .dueToday }
        return .overdue(days: late)
    }

    /// Checks an agreed frequency; the field is `frequency`.
    public static func validate(_ frequency: ContactFrequency) -> [FieldError] {
        guard frequency.isValid else {
            return [FieldError("frequency",
                               "Agree contact every 1 to \(everyDaysRange.upperBound) days.")]
        }
        return []
    }
}

/// Calendar arithmetic on `LocalDate` the casework rules share.
enum CaseworkDates {
    /// The same day `months` months later (earlier when negative), or the last day of that month
    /// when it is shorter: 31 January + 1 month is 28 February (29 in a leap year), and
    /// 29 February 2024 + 12 months is 28 February 2025.
    static func adding(months: Int, to date: LocalDate) -> LocalDate {
        let index = date.year * 12 + (date.month - 1) + months
        let year = index >= 0 ? index / 12 : (index - 11) / 12
        let month = index - year * 12 + 1
        let day = min(date.day, LocalDate.daysInMonth(year: year, month: month))
        return LocalDate(unchecked: year, month, day)
    }
}
