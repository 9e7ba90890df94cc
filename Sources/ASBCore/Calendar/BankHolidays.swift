/// A day on which the office does not work: a bank holiday of the region, or a closure day
/// that an admin added (for example an office closure between Christmas and New Year).
public struct BankHoliday: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A bank or public holiday of the region (computed by rule, imported from GOV.UK, or
        /// added by an admin, for example a newly proclaimed one).
        case bankHoliday
        /// A day the landlord's office is closed although it is not a bank holiday.
        case closureDay
    }

    public let date: LocalDate
    /// As a person reads it, in the GOV.UK style, for example "Boxing Day (substitute day)".
    public let name: String
    public let kind: Kind

    public init(date: LocalDate, name: String, kind: Kind = .bankHoliday) {
        self.date = date
        self.name = name
        self.kind = kind
    }

    /// Whether the name marks a substitute day (a holiday moved off a weekend).
    public var isSubstituteDay: Bool { name.hasSuffix(BankHolidays.substituteSuffix) }

    /// "2026-12-28 Boxing Day (substitute day)".
    public var description: String { "\(date) \(name)" }

    /// By date, then bank holidays before closure days, then by name.
    public static func < (lhs: BankHoliday, rhs: BankHoliday) -> Bool {
        if lhs.date != rhs.date { return lhs.date < rhs.date }
        if lhs.kind != rhs.kind { return lhs.kind == .bankHoliday }
        return lhs.name < rhs.name
    }
}

/// The UK bank holidays of each region, computed by rule.
///
/// The rules follow the Banking and Financial Dealings Act 1971, the royal proclamations made
/// under it, and GOV.UK's published lists (https://www.gov.uk/bank-holidays). They are written
/// for the years in `supportedYears`; for other years the modern rules are applied unchanged.
/// A year that GOV.UK publishes can also be imported (see `GovUKBankHolidays`), and an admin can
/// add or remove days (see `WorkingCalendar`), so a holiday proclaimed after this code was
/// written needs no code change.
///
/// Substitute days: when a fixed-date holiday falls on a Saturday or Sunday, the next weekday
/// that is not already a holiday becomes its substitute day, so substitutes never collide
/// (25 December on a Saturday: Christmas Day moves to Monday 27, Boxing Day to Tuesday 28).
public enum BankHolidays {
    /// The years the rules (including historical changes and one-off days) are written for.
    public static let supportedYears: ClosedRange<Int> = 1970...2100

    /// Appended to the name of a substitute day, as GOV.UK's "Substitute day" note.
    public static let substituteSuffix = " (substitute day)"

    // Names, as GOV.UK writes them (with a typographic apostrophe).
    static let newYearsDay = "New Year’s Day"
    static let secondJanuary = "2nd January"
    static let stPatricksDay = "St Patrick’s Day"
    static let goodFriday = "Good Friday"
    static let easterMonday = "Easter Monday"
    static let earlyMay = "Early May bank holiday"
    static let earlyMayVEDay = "Early May bank holiday (VE day)"
    static let spring = "Spring bank holiday"
    static let battleOfTheBoyne = "Battle of the Boyne (Orangemen’s Day)"
    static let summer = "Summer bank holiday"
    static let stAndrewsDay = "St Andrew’s Day"
    static let christmasDay = "Christmas Day"
    static let boxingDay = "Boxing Day"

    /// Extra one-off bank holidays, proclaimed for the whole United Kingdom.
    static let oneOffDays: [Int: [(month: Int, day: Int, name: String)]] = [
        1973: [(11, 14, "Royal wedding (Princess Anne and Captain Mark Phillips)")],
        1977: [(6, 7, "Silver Jubilee of Queen Elizabeth II")],
        1981: [(7, 29, "Royal wedding (Prince Charles and Lady Diana Spencer)")],
        1999: [(12, 31, "Millennium celebrations")],
        2002: [(6, 3, "Golden Jubilee of Queen Elizabeth II")],
        2011: [(4, 29, "Royal wedding")],
        2012: [(6, 5, "Queen’s Diamond Jubilee")],
        2022: [
            (6, 3, "Platinum Jubilee bank holiday"),
            (9, 19, "Bank Holiday for the State Funeral of Queen Elizabeth II"),
        ],
        2023: [(5, 8, "Bank holiday for the coronation of King Charles III")],
    ]

    /// Years in which the Spring bank holiday was moved from the last Monday in May
    /// to give a long weekend with a jubilee.
    static let movedSpringHoliday: [Int: (month: Int, day: Int)] = [
        2002: (6, 4),  // Tuesday; Golden Jubilee on Monday 3 June
        2012: (6, 4),  // Monday; Diamond Jubilee on Tuesday 5 June
        2022: (6, 2),  // Thursday; Platinum Jubilee on Friday 3 June
    ]

    /// Years in which the Early May bank holiday was moved to 8 May for a VE Day anniversary.
    static let movedEarlyMayHoliday: [Int: (month: Int, day: Int)] = [
        1995: (5, 8),  // Monday 8 May, the 50th anniversary (instead of Monday 1 May)
        2020: (5, 8),  // Friday 8 May, the 75th anniversary (instead of Monday 4 May)
    ]

    /// The bank holidays of `region` in `year`, sorted by date.
    public static func holidays(in year: Int, region: CalendarRegion) -> [BankHoliday] {
        // Holidays that never move, and fixed-date holidays that get a substitute day when
        // they fall at a weekend (kept in date order, so the earlier one takes the earlier
        // substitute day).
        var settled: [BankHoliday] = []
        var movable: [(date: LocalDate, name: String)] = []

        func on(_ month: Int, _ day: Int) -> LocalDate { LocalDate(unchecked: year, month, day) }
        func add(_ date: LocalDate, _ name: String) {
            settled.append(BankHoliday(date: date, name: name))
        }

        // New Year.
        switch region {
        case .scotland:
            // 1 and 2 January. GOV.UK names the days when 1 January is a Sunday as
            // "New Year’s Day" on Monday 2 and "2nd January" on Tuesday 3 (both substitute days).
            if on(1, 1).weekday == .sunday {
                add(on(1, 2), newYearsDay + substituteSuffix)
                add(on(1, 3), secondJanuary + substituteSuffix)
            } else {
                movable.append((on(1, 1), newYearsDay))
                movable.append((on(1, 2), secondJanuary))
            }
        case .englandAndWales, .northernIreland:
            // First observed on 1 January 1974 in England, Wales and Northern Ireland.
            if year >= 1974 { movable.append((on(1, 1), newYearsDay)) }
        }

        if region == .northernIreland {
            movable.append((on(3, 17), stPatricksDay))
        }

        // Easter: Good Friday everywhere, Easter Monday except in Scotland.
        let easter = easterSunday(in: year)
        add(easter.adding(days: -2), goodFriday)
        if region != .scotland {
            add(easter.adding(days: 1), easterMonday)
        }

        // Early May bank holiday: the first Monday in May. In England, Wales and Northern
        // Ireland it began in 1978; in Scotland the first Monday in May is an old bank holiday.
        if region == .scotland || year >= 1978 {
            if let moved = movedEarlyMayHoliday[year] {
                add(on(moved.month, moved.day), earlyMayVEDay)
            } else {
                add(firstMonday(of: 5, in: year), earlyMay)
            }
        }

        // Spring bank holiday: the last Monday in May (moved in some jubilee years).
        if let moved = movedSpringHoliday[year] {
            add(on(moved.month, moved.day), spring)
        } else {
            add(lastMonday(of: 5, in: year), spring)
        }

        if region == .northernIreland {
            movable.append((on(7, 12), battleOfTheBoyne))
        }

        // Summer bank holiday: first Monday in August in Scotland, last Monday elsewhere.
        add(region == .scotland ? firstMonday(of: 8, in: year) : lastMonday(of: 8, in: year), summer)

        // St Andrew's Day (Scotland), a bank holiday since the 2007 Act.
        if region == .scotland && year >= 2007 {
            movable.append((on(11, 30), stAndrewsDay))
        }

        // Christmas Day and Boxing Day (Boxing Day in Scotland since 1974).
        movable.append((on(12, 25), christmasDay))
        if region != .scotland || year >= 1974 {
            movable.append((on(12, 26), boxingDay))
        }

        for oneOff in oneOffDays[year] ?? [] {
            add(on(oneOff.month, oneOff.day), oneOff.name)
        }

        // Substitute days. A weekday holiday keeps its own date; each weekend one moves to the
        // next weekday not already taken (so 25 Dec on a Sunday gives Boxing Day on Monday 26
        // and Christmas Day's substitute on Tuesday 27, as GOV.UK publishes).
        var taken = Set(settled.map(\.date))
        for holiday in movable where !holiday.date.isWeekend {
            taken.insert(holiday.date)
            settled.append(BankHoliday(date: holiday.date, name: holiday.name))
        }
        for holiday in movable where holiday.date.isWeekend {
            var substitute = holiday.date.adding(days: 1)
            while substitute.isWeekend || taken.contains(substitute) {
                substitute = substitute.adding(days: 1)
            }
            taken.insert(substitute)
            settled.append(BankHoliday(date: substitute, name: holiday.name + substituteSuffix))
        }

        return settled.sorted()
    }

    /// Easter Sunday in the Gregorian calendar (the anonymous Gregorian computus).
    public static func easterSunday(in year: Int) -> LocalDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate(unchecked: year, month, day)
    }

    /// The first Monday of `month` in `year`.
    static func firstMonday(of month: Int, in year: Int) -> LocalDate {
        let first = LocalDate(unchecked: year, month, 1)
        return first.adding(days: (8 - first.weekday.rawValue) % 7)
    }

    /// The last Monday of `month` in `year`.
    static func lastMonday(of month: Int, in year: Int) -> LocalDate {
        let last = LocalDate(unchecked: year, month, LocalDate.daysInMonth(year: year, month: month))
        return last.adding(days: -((last.weekday.rawValue - 1) % 7))
    }
}
