import Foundation
import Testing

@testable import ASBCore

private func calendarTestDate(_ iso: String) -> LocalDate {
    guard let date = LocalDate(iso: iso) else { fatalError("bad test date \(iso)") }
    return date
}

/// An instant written in UTC, "2026-03-29T01:00:00Z".
private func calendarTestUTC(_ text: String) -> Date {
    guard let date = ISO8601DateFormatter().date(from: text) else { fatalError("bad instant \(text)") }
    return date
}


@Suite("Local dates")
struct LocalDateTests {
    @Test(
        "ISO 8601 dates parse and print",
        arguments: [
            ("2026-12-25", 2026, 12, 25), ("2024-02-29", 2024, 2, 29), ("2000-02-29", 2000, 2, 29),
            ("0999-01-01", 999, 1, 1), ("1970-01-01", 1970, 1, 1),
        ])
    func parses(text: String, year: Int, month: Int, dayOfMonth: Int) {
        let date = LocalDate(iso: text)
        #expect(date == LocalDate(year: year, month: month, day: dayOfMonth))
        #expect(date?.description == text)
        #expect(LocalDate(text) == date)
    }

    @Test(
        "Malformed or impossible dates are refused",
        arguments: [
            "2023-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01",
            "26-01-01", "2026/01/01", "2026-01-01T00:00", "", "abcd-ef-gh", "2026-01-0a",
        ])
    func refuses(text: String) {
        #expect(LocalDate(iso: text) == nil)
    }

    @Test(
        "Day of the week",
        arguments: [
            ("1970-01-01", Weekday.thursday), ("2000-01-01", .saturday), ("2026-12-25", .friday),
            ("2026-11-23", .monday), ("2027-01-06", .wednesday), ("1969-12-31", .wednesday),
            ("2100-12-31", .friday),
        ])
    func weekday(text: String, expected: Weekday) {
        #expect(calendarTestDate(text).weekday == expected)
    }

    @Test("Day numbers round-trip for every day 1900–2200, and agree with Foundation")
    func dayNumbers() {
        let start = calendarTestDate("1900-01-01").daysSince1970
        let end = calendarTestDate("2200-12-31").daysSince1970
        var previous = LocalDate(daysSince1970: start - 1)
        for number in start...end {
            let date = LocalDate(daysSince1970: number)
            #expect(date.daysSince1970 == number)
            #expect(previous < date)
            #expect(previous.adding(days: 1) == date)
            previous = date
        }
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: "UTC")!
        for number in stride(from: start, through: end, by: 97) {
            let parts = gregorian.dateComponents(
                [.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(number) * 86_400))
            let date = LocalDate(daysSince1970: number)
            #expect([date.year, date.month, date.day] == [parts.year, parts.month, parts.day])
            // Foundation numbers Sunday 1 … Saturday 7.
            #expect(date.weekday.rawValue % 7 + 1 == parts.weekday)
        }
    }

    @Test("Adding days crosses months, leap days and years")
    func addingDays() {
        #expect(calendarTestDate("2024-02-28").adding(days: 1) == calendarTestDate("2024-02-29"))
        #expect(calendarTestDate("2023-02-28").adding(days: 1) == calendarTestDate("2023-03-01"))
        #expect(calendarTestDate("2026-12-31").adding(days: 1) == calendarTestDate("2027-01-01"))
        #expect(calendarTestDate("2027-01-01").adding(days: -1) == calendarTestDate("2026-12-31"))
        #expect(calendarTestDate("2026-11-23").days(until: calendarTestDate("2026-11-30")) == 7)
    }

    @Test("Codable as an ISO string")
    func codable() throws {
        let data = try JSONEncoder().encode([calendarTestDate("2026-12-25")])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-12-25"]"#)
        #expect(try JSONDecoder().decode([LocalDate].self, from: data) == [calendarTestDate("2026-12-25")])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([LocalDate].self, from: Data(#"["2026-02-30"]"#.utf8))
        }
    }

    @Test("Local date-times validate and carry")
    func localDateTime() {
        #expect(LocalDateTime(date: calendarTestDate("2026-01-01"), hour: 24) == nil)
        #expect(LocalDateTime(date: calendarTestDate("2026-01-01"), hour: 23, minute: 60) == nil)
        let carried = LocalDateTime(date: calendarTestDate("2026-12-31"), secondsIntoDay: 86_400 + 3_600)
        #expect(carried.date == calendarTestDate("2027-01-01"))
        #expect(carried.hour == 1)
        #expect(carried.description == "2027-01-01T01:00:00")
    }
}

@Suite("Working calendar")
struct WorkingCalendarTests {
    let calendar = WorkingCalendar(region: .englandAndWales)

    @Test(
        "Working days in England and Wales",
        arguments: [
            ("2026-11-23", true),  // Monday
            ("2026-11-27", true),  // Friday
            ("2026-11-28", false),  // Saturday
            ("2026-11-29", false),  // Sunday
            ("2026-12-25", false),  // Christmas Day
            ("2026-12-28", false),  // Boxing Day (substitute day)
            ("2026-12-29", true),
            ("2027-01-01", false),  // New Year's Day
            ("2026-04-03", false),  // Good Friday
            ("2026-04-06", false),  // Easter Monday
            ("2026-04-07", true),
            ("2022-09-19", false),  // State funeral
            ("2026-11-30", true),  // St Andrew's Day is Scottish only
            ("2026-07-13", true),  // the Boyne substitute is Northern Irish only
        ])
    func workingDays(date: String, expected: Bool) {
        #expect(calendar.isWorkingDay(calendarTestDate(date)) == expected)
    }

    @Test(
        "Regional working days",
        arguments: [
            (CalendarRegion.scotland, "2026-11-30", false), (.scotland, "2026-04-06", true),
            (.scotland, "2026-01-02", false), (.scotland, "2026-08-03", false),
            (.scotland, "2026-08-31", true), (.northernIreland, "2026-07-13", false),
            (.northernIreland, "2026-03-17", false), (.englandAndWales, "2026-03-17", true),
        ])
    func regionalWorkingDays(region: CalendarRegion, date: String, expected: Bool) {
        #expect(WorkingCalendar(region: region).isWorkingDay(calendarTestDate(date)) == expected)
    }

    /// The precomputed table agrees with the holiday lists on every day of the range.
    @Test("isWorkingDay agrees with holidays(in:) on every day 1970–2100", arguments: CalendarRegion.allCases)
    func tableAgreesWithLists(region: CalendarRegion) {
        let plain = WorkingCalendar(region: region)
        let adjusted = WorkingCalendar(
            region: region,
            additions: [
                BankHoliday(date: calendarTestDate("2026-12-29"), name: "Office closed", kind: .closureDay),
                BankHoliday(date: calendarTestDate("1970-01-02"), name: "Office closed", kind: .closureDay),
                BankHoliday(date: calendarTestDate("2100-12-31"), name: "Office closed", kind: .closureDay),
            ],
            removals: [calendarTestDate("2026-12-25"), calendarTestDate("2027-01-01")],
            importedYears: [2030: [BankHoliday(date: calendarTestDate("2030-06-12"), name: "Imported day")]])
        for calendar in [plain, adjusted] {
            for year in BankHolidays.supportedYears {
                let holidays = Set(calendar.holidays(in: year).map(\.date))
                var date = calendarTestDate("\(year)-01-01")
                while date.year == year {
                    let expected = !date.isWeekend && !holidays.contains(date)
                    if calendar.isWorkingDay(date) != expected {
                        Issue.record("\(region) \(date): expected working day \(expected)")
                    }
                    date = date.adding(days: 1)
                }
            }
        }
    }

    @Test("An admin’s closure day is not a working day and is listed as a closure day")
    func closureDay() {
        let closed = calendar.addingClosureDay(calendarTestDate("2026-12-29"), name: "Office closed")
        #expect(!closed.isWorkingDay(calendarTestDate("2026-12-29")))
        #expect(calendar.isWorkingDay(calendarTestDate("2026-12-29")))
        let december = closed.holidays(in: 2026).filter { $0.date.month == 12 }
        #expect(december.map(\.date.description) == ["2026-12-25", "2026-12-28", "2026-12-29"])
        #expect(december.map(\.kind) == [.bankHoliday, .bankHoliday, .closureDay])
        #expect(closed.nonWorkingReasons(on: calendarTestDate("2026-12-29")) == ["Office closed"])
        #expect(closed.nonWorkingReasons(on: calendarTestDate("2026-12-26")) == ["weekend"])
        #expect(closed.nonWorkingReasons(on: calendarTestDate("2026-12-30")) == [])
    }

    @Test("Removing a holiday makes its day a working day; moving one adds the new date")
    func removeAndMove() {
        let removed = calendar.removingHoliday(on: calendarTestDate("2026-05-04"))
        #expect(removed.isWorkingDay(calendarTestDate("2026-05-04")))
        #expect(!removed.holidays(in: 2026).contains { $0.date == calendarTestDate("2026-05-04") })
        let moved = calendar.movingHoliday(
            on: calendarTestDate("2026-05-04"), to: calendarTestDate("2026-05-08"), name: "Early May bank holiday")
        #expect(moved.isWorkingDay(calendarTestDate("2026-05-04")))
        #expect(!moved.isWorkingDay(calendarTestDate("2026-05-08")))
        #expect(moved.holidays(in: 2026).count == calendar.holidays(in: 2026).count)
        // A removal never removes an addition on the same date.
        let both = calendar.removingHoliday(on: calendarTestDate("2026-06-01"))
            .addingClosureDay(calendarTestDate("2026-06-01"), name: "Office closed")
        #expect(!both.isWorkingDay(calendarTestDate("2026-06-01")))
    }

    @Test("An imported year replaces the computed holidays of that year only")
    func importedYearReplaces() {
        let imported = calendar.importing(years: [
            2026: [BankHoliday(date: calendarTestDate("2026-06-15"), name: "Imported holiday")]
        ])
        #expect(imported.holidays(in: 2026).map(\.name) == ["Imported holiday"])
        #expect(imported.isWorkingDay(calendarTestDate("2026-12-25")))  // not in the imported list
        #expect(imported.isWorkingDay(calendarTestDate("2026-04-03")))  // Good Friday not in the import
        #expect(!imported.isWorkingDay(calendarTestDate("2026-06-15")))
        #expect(!imported.isWorkingDay(calendarTestDate("2027-01-01")))  // 2027 still computed
        #expect(imported != calendar)
        #expect(WorkingCalendar(region: .englandAndWales) == calendar)
    }

    @Test("Years outside the precomputed range are computed on demand")
    func outsideTheTable() {
        #expect(!calendar.isWorkingDay(calendarTestDate("2150-12-25")))
        #expect(calendar.isWorkingDay(calendarTestDate("2150-12-24")))
        #expect(!calendar.isWorkingDay(calendarTestDate("1969-12-25")))
        let closed = calendar.addingClosureDay(calendarTestDate("2150-12-24"), name: "Office closed")
        #expect(!closed.isWorkingDay(calendarTestDate("2150-12-24")))
    }

    @Test("The n-th working day after a date", arguments: [
        ("2026-11-23", 5, "2026-11-30"), ("2026-12-18", 10, "2027-01-06"),
        ("2026-12-24", 1, "2026-12-29"), ("2026-11-28", 1, "2026-11-30"),
    ])
    func nthWorkingDay(from: String, count: Int, expected: String) {
        #expect(calendar.workingDay(count, after: calendarTestDate(from)) == calendarTestDate(expected))
    }

    // MARK: UK local time

    @Test(
        "UK local time across the clock changes",
        arguments: [
            ("2026-03-29T00:59:59Z", "2026-03-29T00:59:59", "GMT"),
            ("2026-03-29T01:00:00Z", "2026-03-29T02:00:00", "BST"),
            ("2026-10-25T00:59:59Z", "2026-10-25T01:59:59", "BST"),
            ("2026-10-25T01:00:00Z", "2026-10-25T01:00:00", "GMT"),
            ("2026-07-01T23:30:00Z", "2026-07-02T00:30:00", "BST"),
            ("1970-06-01T12:00:00Z", "1970-06-01T13:00:00", "BST"),  // British Standard Time
            ("1971-12-01T12:00:00Z", "1971-12-01T12:00:00", "GMT"),
            ("2090-07-01T12:00:00Z", "2090-07-01T13:00:00", "BST"),
        ])
    func localTime(instant: String, expected: String, abbreviation: String) {
        #expect(calendar.localDateTime(for: calendarTestUTC(instant)).description == expected)
        #expect(LondonTime.abbreviation(at: calendarTestUTC(instant)) == abbreviation)
    }

    @Test("Wall-clock times in the skipped and repeated hours")
    func gapsAndOverlaps() {
        // 01:30 on 29 March 2026 does not exist: read as 01:30 GMT, which is 02:30 BST.
        let skipped = LocalDateTime(date: calendarTestDate("2026-03-29"), hour: 1, minute: 30)!
        #expect(calendar.date(for: skipped) == calendarTestUTC("2026-03-29T01:30:00Z"))
        // 01:30 on 25 October 2026 happens twice: the earlier (BST) instant.
        let repeated = LocalDateTime(date: calendarTestDate("2026-10-25"), hour: 1, minute: 30)!
        #expect(calendar.date(for: repeated) == calendarTestUTC("2026-10-25T00:30:00Z"))
        #expect(calendar.startOfDay(calendarTestDate("2026-03-29")) == calendarTestUTC("2026-03-29T00:00:00Z"))
        #expect(calendar.startOfDay(calendarTestDate("2026-03-30")) == calendarTestUTC("2026-03-29T23:00:00Z"))
        #expect(calendar.startOfDay(calendarTestDate("2026-10-26")) == calendarTestUTC("2026-10-26T00:00:00Z"))
        #expect(calendar.timeZone.identifier == "Europe/London")
    }

    /// 2,000 random instants 1960–2199: UK local time agrees with Foundation's, and converting
    /// back gives the same instant.
    @Test("UK local time agrees with Foundation’s Europe/London on random instants")
    func agreesWithFoundation() {
        var generator = SplitMix64(seed: 0x5EED_CA1E)
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: "Europe/London")!
        let low = -315_619_200.0  // 1960
        let high = 7_258_118_400.0  // 2200
        for _ in 0..<2_000 {
            let seconds = (low + Double(generator.next() % UInt64(high - low))).rounded()
            let instant = Date(timeIntervalSince1970: seconds)
            let mine = calendar.localDateTime(for: instant)
            let parts = gregorian.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
            #expect(
                [mine.date.year, mine.date.month, mine.date.day, mine.hour, mine.minute, mine.second]
                    == [parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second],
                "\(instant)")
            let back = calendar.date(for: mine)
            // Only the repeated autumn hour may map to the other (earlier) instant.
            #expect(back == instant || back == instant.addingTimeInterval(-3_600), "\(instant)")
        }
    }
}

@Suite("GOV.UK bank holidays file")
struct GovUKBankHolidaysTests {
    static let sample = #"""
        {"england-and-wales":{"division":"england-and-wales","events":[
          {"title":"New Year’s Day","date":"2026-01-01","notes":"","bunting":true},
          {"title":"Good Friday","date":"2026-04-03","notes":"","bunting":false},
          {"title":"Easter Monday","date":"2026-04-06","notes":"","bunting":true},
          {"title":"Early May bank holiday","date":"2026-05-04","notes":"","bunting":true},
          {"title":"Spring bank holiday","date":"2026-05-25","notes":"","bunting":true},
          {"title":"Summer bank holiday","date":"2026-08-31","notes":"","bunting":true},
          {"title":"Christmas Day","date":"2026-12-25","notes":"","bunting":true},
          {"title":"Boxing Day","date":"2026-12-28","notes":"Substitute day","bunting":true},
          {"title":"New Year’s Day","date":"2027-01-01","notes":"","bunting":true},
          {"title":"Good Friday","date":"2027-03-26","notes":"","bunting":false},
          {"title":"Easter Monday","date":"2027-03-29","notes":"","bunting":true},
          {"title":"Early May bank holiday","date":"2027-05-03","notes":"","bunting":true},
          {"title":"Extra day","date":"2027-05-10","notes":"","bunting":true},
          {"title":"Spring bank holiday","date":"2027-05-31","notes":"","bunting":true},
          {"title":"Summer bank holiday","date":"2027-08-30","notes":"","bunting":true},
          {"title":"Christmas Day","date":"2027-12-27","notes":"Substitute day","bunting":true},
          {"title":"Boxing Day","date":"2027-12-28","notes":"Substitute day","bunting":true}]},
         "scotland":{"division":"scotland","events":[
          {"title":"St Andrew’s Day","date":"2026-11-30"}]},
         "northern-ireland":{"division":"northern-ireland","events":[]},
         "wales-only":{"division":"wales-only","events":[]}}
        """#

    @Test("Decodes the GOV.UK format and names substitute days")
    func decodes() throws {
        let file = try GovUKBankHolidays.decode(from: Data(Self.sample.utf8))
        #expect(Set(file.divisions.keys) == Set(CalendarRegion.allCases))
        #expect(file.events(for: .englandAndWales).count == 17)
        #expect(file.events(for: .scotland).first?.notes == "")
        #expect(file.events(for: .scotland).first?.bunting == false)
        #expect(file.coveredYears(for: .englandAndWales) == 2026...2027)
        #expect(file.coveredYears(for: .northernIreland) == nil)
        let years = file.importedYears(for: .englandAndWales)
        #expect(years[2026]?.last == BankHoliday(date: calendarTestDate("2026-12-28"), name: "Boxing Day (substitute day)"))
    }

    @Test("The imported list for 2026 equals the computed one, names included")
    func matchesComputed() throws {
        let file = try GovUKBankHolidays.decode(from: Data(Self.sample.utf8))
        #expect(file.importedYears(for: .englandAndWales)[2026] == BankHolidays.holidays(in: 2026, region: .englandAndWales))
    }

    @Test("Importing a file replaces the years it covers")
    func importing() throws {
        let file = try GovUKBankHolidays.decode(from: Data(Self.sample.utf8))
        let calendar = WorkingCalendar(region: .englandAndWales).importing(file)
        #expect(!calendar.isWorkingDay(calendarTestDate("2027-05-10")))  // only in the file
        #expect(!calendar.isWorkingDay(calendarTestDate("2028-12-25")))  // 2028 is still computed
        #expect(calendar.importedYears.keys.sorted() == [2026, 2027])
        // Scotland's import covers only 2026, with one event: the rest of 2026 is working.
        let scotland = WorkingCalendar(region: .scotland).importing(file)
        #expect(scotland.isWorkingDay(calendarTestDate("2026-01-02")))
        #expect(!scotland.isWorkingDay(calendarTestDate("2026-11-30")))
        #expect(!scotland.isWorkingDay(calendarTestDate("2027-01-01")))
    }

    @Test("A bad date in the file is an error")
    func badDate() {
        let text = #"{"scotland":{"division":"scotland","events":[{"title":"X","date":"2026-02-30"}]}}"#
        #expect(throws: DecodingError.self) { try GovUKBankHolidays.decode(from: Data(text.utf8)) }
    }

    @Test("Round-trips through JSON")
    func roundTrip() throws {
        let file = try GovUKBankHolidays.decode(from: Data(Self.sample.utf8))
        let again = try GovUKBankHolidays.decode(from: JSONEncoder().encode(file))
        #expect(again == file)
    }
}
