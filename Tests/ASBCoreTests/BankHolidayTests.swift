import Testing

@testable import ASBCore

private func holidayTestDate(_ iso: String) -> LocalDate {
    guard let date = LocalDate(iso: iso) else { fatalError("bad test date \(iso)") }
    return date
}

private func holidayTestDates(_ year: Int, _ region: CalendarRegion) -> [String] {
    BankHolidays.holidays(in: year, region: region).map(\.date.description)
}

private func holidayTestNames(on iso: String, _ region: CalendarRegion) -> [String] {
    let date = holidayTestDate(iso)
    return BankHolidays.holidays(in: date.year, region: region).filter { $0.date == date }.map(\.name)
}

@Suite("Bank holidays by rule")
struct BankHolidayTests {

    // MARK: Published GOV.UK lists

    /// England and Wales, as published on GOV.UK (2015–2027).
    static let englandAndWales: [(Int, [String])] = [
        (2015, ["2015-01-01", "2015-04-03", "2015-04-06", "2015-05-04", "2015-05-25", "2015-08-31", "2015-12-25", "2015-12-28"]),
        (2016, ["2016-01-01", "2016-03-25", "2016-03-28", "2016-05-02", "2016-05-30", "2016-08-29", "2016-12-26", "2016-12-27"]),
        (2017, ["2017-01-02", "2017-04-14", "2017-04-17", "2017-05-01", "2017-05-29", "2017-08-28", "2017-12-25", "2017-12-26"]),
        (2018, ["2018-01-01", "2018-03-30", "2018-04-02", "2018-05-07", "2018-05-28", "2018-08-27", "2018-12-25", "2018-12-26"]),
        (2019, ["2019-01-01", "2019-04-19", "2019-04-22", "2019-05-06", "2019-05-27", "2019-08-26", "2019-12-25", "2019-12-26"]),
        (2020, ["2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"]),
        (2021, ["2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28"]),
        (2022, ["2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"]),
        (2023, ["2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26"]),
        (2024, ["2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26"]),
        (2025, ["2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"]),
        (2026, ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"]),
        (2027, ["2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"]),
    ]

    @Test("England and Wales matches the GOV.UK list", arguments: englandAndWales)
    func englandAndWalesMatchesGovUK(year: Int, expected: [String]) {
        #expect(holidayTestDates(year, .englandAndWales) == expected)
    }

    static let scotland: [(Int, [String])] = [
        (2020, ["2020-01-01", "2020-01-02", "2020-04-10", "2020-05-08", "2020-05-25", "2020-08-03", "2020-11-30", "2020-12-25", "2020-12-28"]),
        (2021, ["2021-01-01", "2021-01-04", "2021-04-02", "2021-05-03", "2021-05-31", "2021-08-02", "2021-11-30", "2021-12-27", "2021-12-28"]),
        (2022, ["2022-01-03", "2022-01-04", "2022-04-15", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-01", "2022-09-19", "2022-11-30", "2022-12-26", "2022-12-27"]),
        (2023, ["2023-01-02", "2023-01-03", "2023-04-07", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-07", "2023-11-30", "2023-12-25", "2023-12-26"]),
        (2024, ["2024-01-01", "2024-01-02", "2024-03-29", "2024-05-06", "2024-05-27", "2024-08-05", "2024-12-02", "2024-12-25", "2024-12-26"]),
        (2025, ["2025-01-01", "2025-01-02", "2025-04-18", "2025-05-05", "2025-05-26", "2025-08-04", "2025-12-01", "2025-12-25", "2025-12-26"]),
        (2026, ["2026-01-01", "2026-01-02", "2026-04-03", "2026-05-04", "2026-05-25", "2026-08-03", "2026-11-30", "2026-12-25", "2026-12-28"]),
        (2027, ["2027-01-01", "2027-01-04", "2027-03-26", "2027-05-03", "2027-05-31", "2027-08-02", "2027-11-30", "2027-12-27", "2027-12-28"]),
    ]

    @Test("Scotland matches the GOV.UK list", arguments: scotland)
    func scotlandMatchesGovUK(year: Int, expected: [String]) {
        #expect(holidayTestDates(year, .scotland) == expected)
    }

    static let northernIreland: [(Int, [String])] = [
        (2018, ["2018-01-01", "2018-03-19", "2018-03-30", "2018-04-02", "2018-05-07", "2018-05-28", "2018-07-12", "2018-08-27", "2018-12-25", "2018-12-26"]),
        (2020, ["2020-01-01", "2020-03-17", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-07-13", "2020-08-31", "2020-12-25", "2020-12-28"]),
        (2022, ["2022-01-03", "2022-03-17", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-07-12", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"]),
        (2023, ["2023-01-02", "2023-03-17", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-07-12", "2023-08-28", "2023-12-25", "2023-12-26"]),
        (2024, ["2024-01-01", "2024-03-18", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-07-12", "2024-08-26", "2024-12-25", "2024-12-26"]),
        (2025, ["2025-01-01", "2025-03-17", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-07-14", "2025-08-25", "2025-12-25", "2025-12-26"]),
        (2026, ["2026-01-01", "2026-03-17", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-07-13", "2026-08-31", "2026-12-25", "2026-12-28"]),
        (2027, ["2027-01-01", "2027-03-17", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-07-12", "2027-08-30", "2027-12-27", "2027-12-28"]),
    ]

    @Test("Northern Ireland matches the GOV.UK list", arguments: northernIreland)
    func northernIrelandMatchesGovUK(year: Int, expected: [String]) {
        #expect(holidayTestDates(year, .northernIreland) == expected)
    }

    // MARK: Names, as GOV.UK writes them

    @Test(
        "Names follow GOV.UK, substitute days included",
        arguments: [
            ("2022-12-26", CalendarRegion.englandAndWales, ["Boxing Day"]),
            ("2022-12-27", .englandAndWales, ["Christmas Day (substitute day)"]),
            ("2021-12-27", .englandAndWales, ["Christmas Day (substitute day)"]),
            ("2021-12-28", .englandAndWales, ["Boxing Day (substitute day)"]),
            ("2026-12-28", .englandAndWales, ["Boxing Day (substitute day)"]),
            ("2022-01-03", .englandAndWales, ["New Year’s Day (substitute day)"]),
            ("2020-05-08", .englandAndWales, ["Early May bank holiday (VE day)"]),
            ("2022-06-02", .englandAndWales, ["Spring bank holiday"]),
            ("2022-06-03", .englandAndWales, ["Platinum Jubilee bank holiday"]),
            ("2022-09-19", .englandAndWales, ["Bank Holiday for the State Funeral of Queen Elizabeth II"]),
            ("2023-05-08", .englandAndWales, ["Bank holiday for the coronation of King Charles III"]),
            ("2023-01-02", .scotland, ["New Year’s Day (substitute day)"]),
            ("2023-01-03", .scotland, ["2nd January (substitute day)"]),
            ("2021-01-04", .scotland, ["2nd January (substitute day)"]),
            ("2022-01-03", .scotland, ["New Year’s Day (substitute day)"]),
            ("2022-01-04", .scotland, ["2nd January (substitute day)"]),
            ("2024-12-02", .scotland, ["St Andrew’s Day (substitute day)"]),
            ("2023-08-07", .scotland, ["Summer bank holiday"]),
            ("2024-03-18", .northernIreland, ["St Patrick’s Day (substitute day)"]),
            ("2025-07-14", .northernIreland, ["Battle of the Boyne (Orangemen’s Day) (substitute day)"]),
            ("2023-07-12", .northernIreland, ["Battle of the Boyne (Orangemen’s Day)"]),
        ])
    func namesFollowGovUK(date: String, region: CalendarRegion, expected: [String]) {
        #expect(holidayTestNames(on: date, region) == expected)
    }

    // MARK: Substitute days

    /// Christmas and Boxing Day in every weekend pattern (England and Wales).
    @Test(
        "Christmas and Boxing Day substitutes never collide",
        arguments: [
            // 25 December on a Saturday: Mon 27 (Christmas) and Tue 28 (Boxing Day).
            (2004, ["2004-12-27", "2004-12-28"]),
            (2010, ["2010-12-27", "2010-12-28"]),
            (2021, ["2021-12-27", "2021-12-28"]),
            (2027, ["2027-12-27", "2027-12-28"]),
            // 25 December on a Sunday: Mon 26 (Boxing Day) and Tue 27 (Christmas substitute).
            (2005, ["2005-12-26", "2005-12-27"]),
            (2011, ["2011-12-26", "2011-12-27"]),
            (2016, ["2016-12-26", "2016-12-27"]),
            (2022, ["2022-12-26", "2022-12-27"]),
            // 26 December on a Saturday: Fri 25 and Mon 28.
            (2009, ["2009-12-25", "2009-12-28"]),
            (2015, ["2015-12-25", "2015-12-28"]),
            (2020, ["2020-12-25", "2020-12-28"]),
            (2026, ["2026-12-25", "2026-12-28"]),
            // Weekdays: the days themselves.
            (2023, ["2023-12-25", "2023-12-26"]),
            (2024, ["2024-12-25", "2024-12-26"]),
        ])
    func christmasSubstitutes(year: Int, expected: [String]) {
        for region in CalendarRegion.allCases {
            let december = holidayTestDates(year, region).filter { $0 >= "\(year)-12-24" }
            #expect(december == expected, "\(region)")
        }
    }

    @Test(
        "New Year’s Day at a weekend moves to Monday (England, Wales, Northern Ireland)",
        arguments: [
            (2011, "2011-01-03"), (2022, "2022-01-03"),  // Saturday
            (2012, "2012-01-02"), (2017, "2017-01-02"), (2023, "2023-01-02"),  // Sunday
            (2021, "2021-01-01"), (2027, "2027-01-01"),  // Friday
        ])
    func newYearSubstitute(year: Int, expected: String) {
        for region in [CalendarRegion.englandAndWales, .northernIreland] {
            #expect(holidayTestDates(year, region).filter { $0.hasPrefix("\(year)-01") } == [expected])
        }
    }

    @Test(
        "Scotland: 1 and 2 January with substitutes that never collide",
        arguments: [
            (2026, ["2026-01-01", "2026-01-02"]),  // Thursday, Friday
            (2021, ["2021-01-01", "2021-01-04"]),  // Friday: 2 Jan (Sat) → Mon 4
            (2027, ["2027-01-01", "2027-01-04"]),
            (2011, ["2011-01-03", "2011-01-04"]),  // Saturday: Mon 3 and Tue 4
            (2022, ["2022-01-03", "2022-01-04"]),
            (2012, ["2012-01-02", "2012-01-03"]),  // Sunday: Mon 2 and Tue 3
            (2017, ["2017-01-02", "2017-01-03"]),
            (2023, ["2023-01-02", "2023-01-03"]),
            (2024, ["2024-01-01", "2024-01-02"]),  // Monday, Tuesday
        ])
    func scottishNewYear(year: Int, expected: [String]) {
        #expect(holidayTestDates(year, .scotland).filter { $0.hasPrefix("\(year)-01") } == expected)
    }

    @Test(
        "Scotland: St Andrew’s Day from 2007, on the Monday after when at a weekend",
        arguments: [
            (2006, nil), (2007, "2007-11-30"), (2019, "2019-12-02"), (2020, "2020-11-30"),
            (2024, "2024-12-02"), (2025, "2025-12-01"), (2026, "2026-11-30"),
        ] as [(Int, String?)])
    func stAndrewsDay(year: Int, expected: String?) {
        let found = BankHolidays.holidays(in: year, region: .scotland)
            .filter { $0.name.hasPrefix("St Andrew’s Day") }.map(\.date.description)
        #expect(found == (expected.map { [$0] } ?? []))
        #expect(!holidayTestDates(year, .englandAndWales).contains(expected ?? "-"))
    }

    @Test(
        "Northern Ireland: St Patrick’s Day and the Battle of the Boyne, Monday when at a weekend",
        arguments: [
            (2018, "2018-03-19", "2018-07-12"),  // Saturday 17 March
            (2019, "2019-03-18", "2019-07-12"),  // Sunday 17 March
            (2020, "2020-03-17", "2020-07-13"),  // Sunday 12 July
            (2024, "2024-03-18", "2024-07-12"),
            (2025, "2025-03-17", "2025-07-14"),  // Saturday 12 July
            (2026, "2026-03-17", "2026-07-13"),  // Sunday 12 July
        ])
    func northernIrelandDays(year: Int, patrick: String, boyne: String) {
        let list = holidayTestDates(year, .northernIreland)
        #expect(list.contains(patrick))
        #expect(list.contains(boyne))
        #expect(!holidayTestDates(year, .englandAndWales).contains(patrick))
        #expect(!holidayTestDates(year, .scotland).contains(boyne))
    }

    // MARK: Rules and history

    @Test(
        "Easter Sunday by the Gregorian computus",
        arguments: [
            (1970, "1970-03-29"), (1981, "1981-04-19"), (2000, "2000-04-23"),
            (2008, "2008-03-23"), (2011, "2011-04-24"), (2019, "2019-04-21"),
            (2024, "2024-03-31"), (2026, "2026-04-05"), (2038, "2038-04-25"),
            (2049, "2049-04-18"), (2100, "2100-03-28"), (1818, "1818-03-22"),
        ])
    func easter(year: Int, expected: String) {
        #expect(BankHolidays.easterSunday(in: year).description == expected)
    }

    @Test("Good Friday everywhere; Easter Monday everywhere but Scotland")
    func easterHolidays() {
        for year in BankHolidays.supportedYears {
            let easter = BankHolidays.easterSunday(in: year)
            for region in CalendarRegion.allCases {
                let list = BankHolidays.holidays(in: year, region: region)
                #expect(list.contains(BankHoliday(date: easter.adding(days: -2), name: "Good Friday")))
                let hasEasterMonday = list.contains { $0.date == easter.adding(days: 1) }
                #expect(hasEasterMonday == (region != .scotland), "\(year) \(region)")
            }
        }
    }

    @Test("The Early May bank holiday starts in 1978, except in Scotland")
    func earlyMayFrom1978() {
        #expect(!holidayTestDates(1977, .englandAndWales).contains { $0.hasPrefix("1977-05-02") })
        #expect(holidayTestDates(1978, .englandAndWales).contains("1978-05-01"))
        #expect(!holidayTestDates(1977, .northernIreland).contains("1977-05-02"))
        #expect(holidayTestDates(1977, .scotland).contains("1977-05-02"))
    }

    @Test("New Year’s Day is a bank holiday in England and Wales from 1974")
    func newYearFrom1974() {
        #expect(!holidayTestDates(1973, .englandAndWales).contains("1973-01-01"))
        #expect(holidayTestDates(1974, .englandAndWales).contains("1974-01-01"))
        #expect(holidayTestDates(1973, .scotland).contains("1973-01-01"))
    }

    @Test(
        "Spring bank holiday: the last Monday in May, moved in jubilee years",
        arguments: [
            (2001, "2001-05-28", nil), (2002, "2002-06-04", "2002-05-27"),
            (2012, "2012-06-04", "2012-05-28"), (2022, "2022-06-02", "2022-05-30"),
            (2023, "2023-05-29", nil), (2100, "2100-05-31", nil), (1970, "1970-05-25", nil),
        ] as [(Int, String, String?)])
    func springHoliday(year: Int, expected: String, notOn: String?) {
        for region in CalendarRegion.allCases {
            let list = holidayTestDates(year, region)
            #expect(list.contains(expected), "\(region)")
            if let notOn { #expect(!list.contains(notOn), "\(region)") }
        }
    }

    @Test(
        "Early May bank holiday moved to 8 May for VE Day anniversaries",
        arguments: [(1995, "1995-05-08", "1995-05-01"), (2020, "2020-05-08", "2020-05-04")])
    func earlyMayMoved(year: Int, expected: String, notOn: String) {
        for region in CalendarRegion.allCases {
            #expect(holidayTestDates(year, region).contains(expected), "\(region)")
            #expect(!holidayTestDates(year, region).contains(notOn), "\(region)")
        }
    }

    @Test(
        "Summer bank holiday: first Monday in August in Scotland, last elsewhere",
        arguments: [(2023, "2023-08-07", "2023-08-28"), (2026, "2026-08-03", "2026-08-31"),
                    (1970, "1970-08-03", "1970-08-31")])
    func summerHoliday(year: Int, scotland: String, elsewhere: String) {
        #expect(holidayTestDates(year, .scotland).contains(scotland))
        #expect(!holidayTestDates(year, .scotland).contains(elsewhere))
        #expect(holidayTestDates(year, .englandAndWales).contains(elsewhere))
        #expect(holidayTestDates(year, .northernIreland).contains(elsewhere))
    }

    @Test(
        "One-off bank holidays apply in every region",
        arguments: [
            "1973-11-14", "1977-06-07", "1981-07-29", "1999-12-31", "2002-06-03", "2011-04-29",
            "2012-06-05", "2022-06-03", "2022-09-19", "2023-05-08",
        ])
    func oneOffs(date: String) {
        for region in CalendarRegion.allCases {
            #expect(holidayTestDates(holidayTestDate(date).year, region).contains(date), "\(region)")
        }
    }

    @Test("The millennium: 31 December 1999, then 3 January 2000 (and 4 January in Scotland)")
    func millennium() {
        #expect(holidayTestDates(2000, .englandAndWales).filter { $0.hasPrefix("2000-01") } == ["2000-01-03"])
        #expect(holidayTestDates(2000, .scotland).filter { $0.hasPrefix("2000-01") } == ["2000-01-03", "2000-01-04"])
        #expect(holidayTestDates(1999, .scotland).contains("1999-12-31"))
    }

    /// Every year of the supported range, every region: no two holidays on one date, every
    /// holiday on a weekday, sorted, and the expected number of days.
    @Test("Every year 1970–2100: sorted, weekdays only, no collisions, expected count")
    func invariantsForEveryYear() {
        for year in BankHolidays.supportedYears {
            let oneOffs = BankHolidays.oneOffDays[year]?.count ?? 0
            for region in CalendarRegion.allCases {
                let list = BankHolidays.holidays(in: year, region: region)
                #expect(list == list.sorted())
                #expect(Set(list.map(\.date)).count == list.count, "\(year) \(region)")
                #expect(list.allSatisfy { !$0.date.isWeekend }, "\(year) \(region)")
                #expect(list.allSatisfy { $0.date.year == year }, "\(year) \(region)")
                let expected: Int
                switch region {
                case .englandAndWales:
                    expected = 6 + (year >= 1974 ? 1 : 0) + (year >= 1978 ? 1 : 0)
                case .northernIreland:
                    expected = 8 + (year >= 1974 ? 1 : 0) + (year >= 1978 ? 1 : 0)
                case .scotland:
                    expected = 7 + (year >= 1974 ? 1 : 0) + (year >= 2007 ? 1 : 0)
                }
                #expect(list.count == expected + oneOffs, "\(year) \(region)")
            }
        }
    }

    @Test("Years outside 1970–2100 use the modern rules")
    func outsideRange() {
        #expect(holidayTestDates(2101, .englandAndWales) == [
            "2101-01-03", "2101-04-15", "2101-04-18", "2101-05-02", "2101-05-30", "2101-08-29",
            "2101-12-26", "2101-12-27",
        ])
    }
}
