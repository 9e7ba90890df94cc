import Foundation

/// The landlord's working calendar: which days are working days, in UK local time.
///
/// A working day is Monday to Friday and not a bank holiday of `region` nor a closure day.
/// The holidays of a year are, in order of precedence:
/// 1. the imported GOV.UK list when `importedYears` covers the year, otherwise the holidays
///    computed by rule (`BankHolidays`);
/// 2. less any day in `removals` (a holiday cancelled or moved, removed by an admin);
/// 3. plus every day in `additions` (closure days, or a holiday proclaimed or moved by an admin).
///
/// The calendar is an immutable value. Its initialiser precomputes a bit per day for the years
/// `BankHolidays.supportedYears`, so `isWorkingDay` is a few integer operations and the
/// clocks can run millions of deadline computations a second. To change the overrides make a
/// new value, for example with `addingClosureDay(_:name:)`.
public struct WorkingCalendar: Sendable, Equatable {
    public let region: CalendarRegion
    /// Extra non-working days added by an admin: closure days, or bank holidays (for example
    /// one proclaimed after this code was written, or the new date of a moved holiday).
    public let additions: [BankHoliday]
    /// Dates whose rule-computed or imported holidays do not apply (cancelled or moved).
    /// A removal never removes an addition on the same date.
    public let removals: Set<LocalDate>
    /// For each year covered by an imported GOV.UK file, that year's complete list; it replaces
    /// the computed holidays of the year entirely.
    public let importedYears: [Int: [BankHoliday]]

    /// One bit per day of `BankHolidays.supportedYears`; 1 = not a working day.
    private let nonWorkingDays: DayBits

    public init(
        region: CalendarRegion = .englandAndWales,
        additions: [BankHoliday] = [],
        removals: Set<LocalDate> = [],
        importedYears: [Int: [BankHoliday]] = [:]
    ) {
        self.region = region
        self.additions = additions
        self.removals = removals
        self.importedYears = importedYears

        var bits = WorkingCalendar.baseTable(for: region)
        // Rebuild only the years an override touches, from the same `holidays(in:)` that
        // everyone else reads, so the table and the list can never disagree.
        var touchedYears = Set(importedYears.keys)
        touchedYears.formUnion(removals.map(\.year))
        touchedYears.formUnion(additions.map(\.date.year))
        if !touchedYears.isEmpty {
            let lookup = WorkingCalendar(
                region: region, additions: additions, removals: removals,
                importedYears: importedYears, table: bits)
            for year in touchedYears where DayBits.years.contains(year) {
                bits.resetToWeekends(year: year)
                for holiday in lookup.holidays(in: year) { bits.setNonWorking(holiday.date) }
            }
        }
        self.nonWorkingDays = bits
    }

    private init(
        region: CalendarRegion, additions: [BankHoliday], removals: Set<LocalDate>,
        importedYears: [Int: [BankHoliday]], table: DayBits
    ) {
        self.region = region
        self.additions = additions
        self.removals = removals
        self.importedYears = importedYears
        self.nonWorkingDays = table
    }

    /// The default calendar: England and Wales bank holidays by rule, no overrides.
    public static let englandAndWales = WorkingCalendar(region: .englandAndWales)

    // MARK: Holidays

    /// Every non-working day of `year` other than ordinary weekends, sorted by date: the bank
    /// holidays (`.bankHoliday`) and the closure days (`.closureDay`).
    public func holidays(in year: Int) -> [BankHoliday] {
        var result = importedYears[year] ?? BankHolidays.holidays(in: year, region: region)
        if !removals.isEmpty {
            result.removeAll { removals.contains($0.date) }
        }
        for addition in additions where addition.date.year == year {
            if !result.contains(addition) { result.append(addition) }
        }
        return result.sorted()
    }

    /// The bank holidays and closure days on `date` (usually none or one).
    public func holidays(on date: LocalDate) -> [BankHoliday] {
        holidays(in: date.year).filter { $0.date == date }
    }

    /// Monday to Friday and neither a bank holiday nor a closure day.
    public func isWorkingDay(_ date: LocalDate) -> Bool {
        isWorkingDay(daysSince1970: date.daysSince1970)
    }

    /// The same as `isWorkingDay(_:)`, for a day number (days since 1 January 1970).
    public func isWorkingDay(daysSince1970 day: Int) -> Bool {
        if let nonWorking = nonWorkingDays.isNonWorking(daysSince1970: day) {
            return !nonWorking
        }
        // Outside the precomputed years: compute the year's holidays (slower, still exact).
        let date = LocalDate(daysSince1970: day)
        return !date.isWeekend && holidays(in: date.year).allSatisfy { $0.date != date }
    }

    /// Why `date` is not a working day, for example `["Christmas Day"]` or `["weekend"]`;
    /// empty on a working day.
    public func nonWorkingReasons(on date: LocalDate) -> [String] {
        if isWorkingDay(date) { return [] }
        let names = holidays(on: date).map(\.name)
        return names.isEmpty ? ["weekend"] : names
    }

    /// The first working day strictly after `date`.
    public func nextWorkingDay(after date: LocalDate) -> LocalDate {
        workingDay(1, after: date)
    }

    /// The `count`-th working day strictly after `date` (`count` ≥ 1); `date` itself never
    /// counts. With `count` ≤ 0 returns `date`.
    public func workingDay(_ count: Int, after date: LocalDate) -> LocalDate {
        var day = date.daysSince1970
        var found = 0
        while found < count {
            day += 1
            if isWorkingDay(daysSince1970: day) { found += 1 }
        }
        return LocalDate(daysSince1970: day)
    }

    // MARK: Changing the overrides (each returns a new calendar)

    /// Adds a closure day, for example `addingClosureDay(d, name: "Office closed")`.
    public func addingClosureDay(_ date: LocalDate, name: String) -> WorkingCalendar {
        adding(BankHoliday(date: date, name: name, kind: .closureDay))
    }

    /// Adds a non-working day (a closure day, or a bank holiday the rules do not know).
    public func adding(_ holiday: BankHoliday) -> WorkingCalendar {
        WorkingCalendar(
            region: region, additions: additions + [holiday], removals: removals,
            importedYears: importedYears)
    }

    /// Cancels the rule-computed or imported holidays on `date`.
    public func removingHoliday(on date: LocalDate) -> WorkingCalendar {
        WorkingCalendar(
            region: region, additions: additions, removals: removals.union([date]),
            importedYears: importedYears)
    }

    /// Moves a holiday: cancels the holidays on `date` and adds `name` on `newDate`.
    public func movingHoliday(on date: LocalDate, to newDate: LocalDate, name: String)
        -> WorkingCalendar
    {
        WorkingCalendar(
            region: region, additions: additions + [BankHoliday(date: newDate, name: name)],
            removals: removals.union([date]), importedYears: importedYears)
    }

    /// Uses `years` (complete lists, for example from a GOV.UK file) instead of the computed
    /// holidays for those years; years already imported and not in `years` are kept.
    public func importing(years: [Int: [BankHoliday]]) -> WorkingCalendar {
        WorkingCalendar(
            region: region, additions: additions, removals: removals,
            importedYears: importedYears.merging(years) { _, new in new })
    }

    // MARK: UK local time

    /// "Europe/London".
    public static let timeZoneIdentifier = LondonTime.identifier

    /// Europe/London.
    public var timeZone: TimeZone { LondonTime.timeZone }

    /// The UK wall-clock date and time at `instant`.
    public func localDateTime(for instant: Date) -> LocalDateTime {
        LondonTime.localDateTime(for: instant)
    }

    /// The UK date at `instant`.
    public func localDate(for instant: Date) -> LocalDate {
        LondonTime.localDateTime(for: instant).date
    }

    /// The instant of a UK wall-clock time (see `LondonTime.date(for:)` for the hour that is
    /// skipped or repeated when the clocks change).
    public func date(for local: LocalDateTime) -> Date {
        LondonTime.date(for: local)
    }

    /// The instant of 00:00 UK time on `date`.
    public func startOfDay(_ date: LocalDate) -> Date {
        LondonTime.startOfDay(date)
    }

    // MARK: Equality compares what the calendar was made from.

    public static func == (lhs: WorkingCalendar, rhs: WorkingCalendar) -> Bool {
        lhs.region == rhs.region && lhs.additions == rhs.additions
            && lhs.removals == rhs.removals && lhs.importedYears == rhs.importedYears
    }

    // MARK: Precomputed tables

    /// The rule-computed table of each region, built once on first use and never changed.
    private static let baseTables: [CalendarRegion: DayBits] = {
        var tables: [CalendarRegion: DayBits] = [:]
        for region in CalendarRegion.allCases {
            var bits = DayBits.weekendsOnly()
            for year in DayBits.years {
                for holiday in BankHolidays.holidays(in: year, region: region) {
                    bits.setNonWorking(holiday.date)
                }
            }
            tables[region] = bits
        }
        return tables
    }()

    private static func baseTable(for region: CalendarRegion) -> DayBits {
        baseTables[region] ?? DayBits.weekendsOnly()
    }
}

/// A bit per day for `BankHolidays.supportedYears`: 1 = not a working day.
private struct DayBits: Sendable {
    static let years = BankHolidays.supportedYears
    static let firstDay = LocalDate(unchecked: years.lowerBound, 1, 1).daysSince1970
    static let dayCount =
        LocalDate(unchecked: years.upperBound + 1, 1, 1).daysSince1970 - firstDay

    private var words: [UInt64]

    private init(words: [UInt64]) { self.words = words }

    /// Saturdays and Sundays set, nothing else.
    static func weekendsOnly() -> DayBits {
        var bits = DayBits(words: Array(repeating: 0, count: (dayCount + 63) / 64))
        for index in 0..<dayCount where LocalDate.weekday(daysSince1970: firstDay + index).isWeekend {
            bits.set(index)
        }
        return bits
    }

    /// `nil` outside the table.
    @inline(__always)
    func isNonWorking(daysSince1970 day: Int) -> Bool? {
        let index = day - DayBits.firstDay
        guard index >= 0, index < DayBits.dayCount else { return nil }
        return words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }

    mutating func setNonWorking(_ date: LocalDate) {
        let index = date.daysSince1970 - DayBits.firstDay
        if index >= 0, index < DayBits.dayCount { set(index) }
    }

    /// Clears every holiday of `year`, leaving its weekends.
    mutating func resetToWeekends(year: Int) {
        let start = LocalDate(unchecked: year, 1, 1).daysSince1970
        let end = LocalDate(unchecked: year + 1, 1, 1).daysSince1970
        for day in start..<end {
            let index = day - DayBits.firstDay
            guard index >= 0, index < DayBits.dayCount else { continue }
            if LocalDate.weekday(daysSince1970: day).isWeekend {
                set(index)
            } else {
                words[index >> 6] &= ~(1 << UInt64(index & 63))
            }
        }
    }

    private mutating func set(_ index: Int) {
        words[index >> 6] |= 1 << UInt64(index & 63)
    }
}

/// UK local time (the Europe/London time zone): GMT in winter, BST (GMT+1) in summer.
///
/// The clock changes are read once from the system's time zone data (`TimeZone`) into a small
/// table, so conversions are a binary search and some arithmetic; instants outside the table
/// (before 1960 or from 2200) ask `TimeZone` directly.
public enum LondonTime {
    public static let identifier = "Europe/London"

    /// The Europe/London time zone. Its data ships with Foundation; if it were missing every
    /// deadline would be wrong, so that stops the program rather than guessing.
    public static let timeZone: TimeZone = {
        guard let zone = TimeZone(identifier: identifier) else {
            preconditionFailure("The Europe/London time zone data is not available")
        }
        return zone
    }()

    /// Seconds ahead of GMT at `instant` (0 in winter, 3600 in summer).
    public static func secondsFromGMT(at instant: Date) -> Int {
        offset(utcSeconds: instant.timeIntervalSince1970)
    }

    /// "GMT" or "BST".
    public static func abbreviation(at instant: Date) -> String {
        secondsFromGMT(at: instant) == 0 ? "GMT" : "BST"
    }

    /// The UK wall-clock date and time at `instant`.
    public static func localDateTime(for instant: Date) -> LocalDateTime {
        let local = localSeconds(for: instant)
        let day = (local / 86_400).rounded(.down)
        return LocalDateTime(
            date: LocalDate(daysSince1970: Int(day)), secondsIntoDay: local - day * 86_400)
    }

    /// The instant of a UK wall-clock time.
    ///
    /// When the clocks go forward (last Sunday in March) the local hour 01:00–01:59 does not
    /// exist; such a time is read with the offset before the change, so 01:30 becomes 02:30 BST.
    /// When they go back (last Sunday in October) 01:00–01:59 happens twice; the earlier
    /// instant (BST) is returned.
    public static func date(for local: LocalDateTime) -> Date {
        date(localSeconds: Double(local.date.daysSince1970) * 86_400 + local.secondsIntoDay)
    }

    /// The instant of 00:00 UK time on `date` (never inside a clock change in the UK).
    public static func startOfDay(_ date: LocalDate) -> Date {
        self.date(localSeconds: Double(date.daysSince1970) * 86_400)
    }

    // MARK: Fast paths, in "local seconds": wall-clock seconds since 1970-01-01T00:00 local.

    static func localSeconds(for instant: Date) -> Double {
        let utc = instant.timeIntervalSince1970
        return utc + Double(offset(utcSeconds: utc))
    }

    static func date(localSeconds local: Double) -> Date {
        // UK clock changes are months apart, so the offsets a day either side are the ones
        // before and after any change near this time.
        let before = offset(utcSeconds: local - 86_400)
        let after = offset(utcSeconds: local + 86_400)
        if before == after { return Date(timeIntervalSince1970: local - Double(before)) }
        let withBefore = local - Double(before)
        let withAfter = local - Double(after)
        let beforeValid = offset(utcSeconds: withBefore) == before
        let afterValid = offset(utcSeconds: withAfter) == after
        switch (beforeValid, afterValid) {
        case (true, true): return Date(timeIntervalSince1970: min(withBefore, withAfter))
        case (false, true): return Date(timeIntervalSince1970: withAfter)
        case (true, false), (false, false): return Date(timeIntervalSince1970: withBefore)
        }
    }

    @inline(__always)
    static func offset(utcSeconds utc: Double) -> Int {
        let table = transitions
        guard utc >= table.lower, utc < table.upper else {
            return timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: utc))
        }
        // The number of changes at or before `utc`.
        var low = 0
        var high = table.instants.count
        while low < high {
            let middle = (low + high) / 2
            if table.instants[middle] <= utc { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? table.initialOffset : table.offsets[low - 1]
    }

    private struct Transitions: Sendable {
        /// Instants (seconds since 1970 UTC) at which the offset changes, ascending.
        let instants: [Double]
        /// The offset in force from the matching instant.
        let offsets: [Int]
        let initialOffset: Int
        /// The table is exact for `lower ..< upper`.
        let lower: Double
        let upper: Double
    }

    private static let transitions: Transitions = {
        let lower = -315_619_200.0  // 1960-01-01T00:00Z
        let upper = 7_258_118_400.0  // 2200-01-01T00:00Z
        let zone = timeZone
        let initial = zone.secondsFromGMT(for: Date(timeIntervalSince1970: lower))
        var instants: [Double] = []
        var offsets: [Int] = []
        var current = initial
        var cursor = Date(timeIntervalSince1970: lower)
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor),
            next.timeIntervalSince1970 < upper, next > cursor
        {
            let offset = zone.secondsFromGMT(for: next)
            // Some entries change only the daylight-saving flag (1968–71); skip those.
            if offset != current {
                instants.append(next.timeIntervalSince1970)
                offsets.append(offset)
                current = offset
            }
            cursor = next
        }
        return Transitions(
            instants: instants, offsets: offsets, initialOffset: initial, lower: lower,
            upper: upper)
    }()
}
