import Foundation

/// A day of the week, numbered as in ISO 8601 (Monday = 1 … Sunday = 7).
public enum Weekday: Int, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// Saturday or Sunday.
    public var isWeekend: Bool { self == .saturday || self == .sunday }

    /// The full English name, for example "Monday".
    public var name: String {
        switch self {
        case .monday: "Monday"
        case .tuesday: "Tuesday"
        case .wednesday: "Wednesday"
        case .thursday: "Thursday"
        case .friday: "Friday"
        case .saturday: "Saturday"
        case .sunday: "Sunday"
        }
    }

    /// The three-letter abbreviation, for example "Mon".
    public var shortName: String { String(name.prefix(3)) }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A calendar date with no time of day and no time zone (proleptic Gregorian calendar),
/// such as the date of a bank holiday.
///
/// Its text form, and its `Codable` form, is ISO 8601 `YYYY-MM-DD`.
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    LosslessStringConvertible
{
    public let year: Int
    /// 1 (January) … 12 (December).
    public let month: Int
    /// 1 … 31.
    public let day: Int

    /// A date, or `nil` when the month or day does not exist (for example 29 February 2023).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1,
            day <= LocalDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// For rule code whose arguments are known to be valid.
    init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1 January 1970 (negative values are before it).
    public init(daysSince1970 days: Int) {
        // Howard Hinnant's civil_from_days algorithm (exact for the whole Int range used here).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(unchecked: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Parses ISO 8601 `YYYY-MM-DD` (exactly four-digit year, two-digit month and day).
    public init?(iso text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else {
            return nil
        }
        self.init(year: y, month: m, day: d)
    }

    /// `LosslessStringConvertible`: the same as `init?(iso:)`.
    public init?(_ description: String) { self.init(iso: description) }

    /// Days since 1 January 1970 (negative before it).
    public var daysSince1970: Int {
        // Howard Hinnant's days_from_civil algorithm.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public var weekday: Weekday { LocalDate.weekday(daysSince1970: daysSince1970) }

    /// Saturday or Sunday.
    public var isWeekend: Bool { weekday.isWeekend }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> LocalDate {
        days == 0 ? self : LocalDate(daysSince1970: daysSince1970 + days)
    }

    /// The number of days from this date to `other` (negative when `other` is earlier).
    public func days(until other: LocalDate) -> Int { other.daysSince1970 - daysSince1970 }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width
                ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func weekday(daysSince1970 days: Int) -> Weekday {
        // 1 January 1970 was a Thursday (ISO 4).
        let index = ((days % 7) + 7 + 3) % 7  // 0 = Monday
        return Weekday(rawValue: index + 1)!
    }

    // MARK: Codable as an ISO string

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(iso: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "Expected a date as YYYY-MM-DD, found \"\(text)\"")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A wall-clock date and time with no time zone (in this system: UK local time).
public struct LocalDateTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let date: LocalDate
    /// Seconds since local midnight, in `0 ..< 86_400` (fractions of a second are kept).
    public let secondsIntoDay: TimeInterval

    /// A date and time; seconds outside `0 ..< 86_400` carry into earlier or later dates.
    public init(date: LocalDate, secondsIntoDay: TimeInterval) {
        let carry = (secondsIntoDay / 86_400).rounded(.down)
        self.date = date.adding(days: Int(carry))
        self.secondsIntoDay = secondsIntoDay - carry * 86_400
    }

    /// A date and time, or `nil` when the hour, minute or second is out of range.
    public init?(date: LocalDate, hour: Int, minute: Int = 0, second: Double = 0) {
        guard (0...23).contains(hour), (0...59).contains(minute), second >= 0, second < 60 else {
            return nil
        }
        self.init(date: date, secondsIntoDay: Double(hour * 3600 + minute * 60) + second)
    }

    /// Midnight at the start of `date`.
    public init(startOf date: LocalDate) { self.init(date: date, secondsIntoDay: 0) }

    public var hour: Int { Int(secondsIntoDay) / 3600 }
    public var minute: Int { Int(secondsIntoDay) % 3600 / 60 }
    /// Whole seconds (fractions are dropped).
    public var second: Int { Int(secondsIntoDay) % 60 }

    /// `YYYY-MM-DDTHH:MM:SS`.
    public var description: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(date)T\(two(hour)):\(two(minute)):\(two(second))"
    }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        (lhs.date, lhs.secondsIntoDay) < (rhs.date, rhs.secondsIntoDay)
    }
}

extension LocalDate {
    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                                     "September", "October", "November", "December"]

    /// "Monday 30 November 2026", as GOV.UK writes dates.
    public var longDescription: String {
        "\(weekday.name) \(day) \(Self.monthNames[month - 1]) \(year)"
    }
}

extension LocalDate {
    /// The 1st of this date's month.
    public var firstOfMonth: LocalDate { LocalDate(year: year, month: month, day: 1)! }

    /// The 1st of the month after this date's.
    public var firstOfNextMonth: LocalDate {
        month == 12 ? LocalDate(year: year + 1, month: 1, day: 1)! : LocalDate(year: year, month: month + 1, day: 1)!
    }

    /// The 1st of the month before this date's.
    public var firstOfPreviousMonth: LocalDate {
        month == 1 ? LocalDate(year: year - 1, month: 12, day: 1)! : LocalDate(year: year, month: month - 1, day: 1)!
    }
}
