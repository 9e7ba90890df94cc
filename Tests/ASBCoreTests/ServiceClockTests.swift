import Foundation
import Testing

@testable import ASBCore

/// A UK wall-clock time, "2026-11-13 15:00" (or with seconds), as an instant.
private func clockTestUK(_ text: String) -> Date {
    let parts = text.split(separator: " ")
    guard parts.count == 2, let date = LocalDate(iso: parts[0]) else { fatalError("bad time \(text)") }
    let clock = parts[1].split(separator: ":").map { Int($0)! }
    guard let local = LocalDateTime(date: date, hour: clock[0], minute: clock[1], second: Double(clock.count > 2 ? clock[2] : 0))
    else { fatalError("bad time \(text)") }
    return LondonTime.date(for: local)
}

/// An instant written in UTC, "2026-03-29T01:00:00Z".
private func clockTestUTC(_ text: String) -> Date {
    guard let date = ISO8601DateFormatter().date(from: text) else { fatalError("bad instant \(text)") }
    return date
}

/// How an instant reads in the UK, "2026-11-16 15:00" (seconds when not zero).
private func clockTestText(_ instant: Date) -> String {
    let local = LondonTime.localDateTime(for: instant)
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    let seconds = local.second == 0 ? "" : ":\(two(local.second))"
    return "\(local.date) \(two(local.hour)):\(two(local.minute))\(seconds)"
}


private let clockTestCalendar = WorkingCalendar(region: .englandAndWales)

private func clockTestDue(_ received: String, _ rule: DeadlineRule, _ calendar: WorkingCalendar = clockTestCalendar) -> String {
    clockTestText(ServiceClock.dueAt(receivedAt: clockTestUK(received), rule: rule, calendar: calendar))
}

@Suite("Service clock (SS-RT-2, SS-RT-3, SS-RT-4)")
struct ServiceClockTests {

    // MARK: The worked examples of the standard

    @Test("SS-RT-2: a P1 report on Tuesday 10:15 is due Wednesday 10:15")
    func tuesdayToWednesday() {
        #expect(clockTestDue("2026-11-10 10:15", .workingHours(24)) == "2026-11-11 10:15")
    }

    @Test("SS-RT-2: a P1 report on Friday 15:00 is due Monday 15:00")
    func fridayToMonday() {
        #expect(clockTestDue("2026-11-13 15:00", .workingHours(24)) == "2026-11-16 15:00")
    }

    @Test("SS-RT-2: a P1 report on Saturday 11:00 is due Tuesday 00:00, the end of Monday")
    func saturdayToEndOfMonday() {
        #expect(clockTestDue("2026-11-14 11:00", .workingHours(24)) == "2026-11-17 00:00")
    }

    @Test("SS-RT-2: a P1 report on Thu 2 Apr 2026 09:00, before Easter, is due Tue 7 Apr 09:00")
    func acrossEaster() {
        #expect(clockTestDue("2026-04-02 09:00", .workingHours(24)) == "2026-04-07 09:00")
    }

    @Test("SS-RT-3: investigation of a P2 report on Mon 23 Nov 2026 14:00 begins by the end of Mon 30 Nov")
    func fiveWorkingDays() {
        #expect(clockTestDue("2026-11-23 14:00", .workingDays(5)) == "2026-12-01 00:00")
    }

    @Test("SS-RT-4: a P3 report on Fri 18 Dec 2026 is due by the end of Wed 6 Jan 2027")
    func tenWorkingDaysOverChristmas() {
        #expect(clockTestDue("2026-12-18 11:00", .workingDays(10)) == "2027-01-07 00:00")
    }

    // MARK: Milestones per priority

    @Test(
        "SS-RT-2..4: each priority has its milestones and rules",
        arguments: [
            (Priority.p1, [MilestoneRule(milestone: .response, rule: .workingHours(24))]),
            (.p2, [
                MilestoneRule(milestone: .acknowledgement, rule: .workingHours(24)),
                MilestoneRule(milestone: .investigationStart, rule: .workingDays(5)),
            ]),
            (.p3, [MilestoneRule(milestone: .response, rule: .workingDays(10))]),
        ])
    func schedule(priority: Priority, expected: [MilestoneRule]) {
        #expect(ServiceClock.schedule(for: priority) == expected)
        let deadlines = ServiceClock.deadlines(
            receivedAt: clockTestUK("2026-11-23 14:00"), priority: priority, calendar: clockTestCalendar)
        #expect(deadlines.map(\.milestone) == expected.map(\.milestone))
        #expect(deadlines.map(\.rule) == expected.map(\.rule))
        for deadline in deadlines {
            #expect(deadline.receivedAt == clockTestUK("2026-11-23 14:00"))
            #expect(deadline.dueAt == ServiceClock.dueAt(
                receivedAt: deadline.receivedAt, rule: deadline.rule, calendar: clockTestCalendar))
        }
    }

    @Test("SS-RT-3: a P2 report on Mon 23 Nov 2026 14:00 is acknowledged by Tue 14:00 and investigated by the end of Mon 30 Nov")
    func priorityTwo() {
        let deadlines = ServiceClock.deadlines(
            receivedAt: clockTestUK("2026-11-23 14:00"), priority: .p2, calendar: clockTestCalendar)
        #expect(deadlines.map { clockTestText($0.dueAt) } == ["2026-11-24 14:00", "2026-12-01 00:00"])
        #expect(ServiceClock.clause(for: .p2) == "SS-RT-3")
    }

    // MARK: Weekends, holidays and the edges of the day

    @Test(
        "SS-RT-2: 24 working hours skip weekends and bank holidays",
        arguments: [
            ("2026-11-11 00:00", "2026-11-12 00:00"),  // Wednesday midnight: the whole of Wednesday
            ("2026-11-10 23:59", "2026-11-11 23:59"),  // Tuesday one minute to midnight
            ("2026-11-13 23:59", "2026-11-16 23:59"),  // Friday 23:59 → Monday 23:59
            ("2026-11-13 00:00", "2026-11-14 00:00"),  // Friday 00:00 → the end of Friday
            ("2026-11-14 00:00", "2026-11-17 00:00"),  // Saturday 00:00 → the end of Monday
            ("2026-11-15 23:59", "2026-11-17 00:00"),  // Sunday 23:59 → the end of Monday
            ("2026-11-16 00:00", "2026-11-17 00:00"),  // Monday 00:00 → the end of Monday
            ("2026-11-13 15:00:30", "2026-11-16 15:00:30"),  // seconds are kept
            ("2026-12-24 16:00", "2026-12-29 16:00"),  // Christmas Eve: 25, 26, 27, 28 skipped
            ("2026-12-25 10:00", "2026-12-30 00:00"),  // on Christmas Day: the end of Tue 29
            ("2026-12-31 12:00", "2027-01-04 12:00"),  // New Year's Eve, Thursday
            ("2021-12-24 09:00", "2021-12-29 09:00"),  // 2021: 27 and 28 December substitutes
            ("2022-12-23 12:00", "2022-12-28 12:00"),  // 2022: 26 and 27 December
            ("2022-06-01 10:00", "2022-06-06 10:00"),  // Platinum Jubilee, Thu 2 and Fri 3 June
            ("2022-09-16 17:00", "2022-09-20 17:00"),  // State funeral, Mon 19 September
            ("2020-05-07 08:30", "2020-05-11 08:30"),  // VE Day, Fri 8 May 2020
            ("2026-04-03 12:00", "2026-04-08 00:00"),  // on Good Friday: the end of Tue 7 April
        ])
    func workingHours(received: String, expected: String) {
        #expect(clockTestDue(received, .workingHours(24)) == expected)
    }

    @Test(
        "SS-RT-3/SS-RT-4: working days never count the day of receipt",
        arguments: [
            ("2026-11-23 00:00", 5, "2026-12-01 00:00"),  // Monday midnight: still not counted
            ("2026-11-23 23:59", 5, "2026-12-01 00:00"),
            ("2026-11-27 23:59", 5, "2026-12-05 00:00"),  // Friday → the end of next Friday
            ("2026-11-28 10:00", 5, "2026-12-05 00:00"),  // Saturday → the end of Friday
            ("2026-11-29 23:59", 5, "2026-12-05 00:00"),  // Sunday → the end of Friday
            ("2026-12-25 09:00", 5, "2027-01-06 00:00"),  // Christmas Day: 29, 30, 31, 4, 5 Jan
            ("2020-12-23 09:00", 10, "2021-01-12 00:00"),  // over Christmas 2020
            ("2026-04-02 09:00", 5, "2026-04-14 00:00"),  // before Easter: 7, 8, 9, 10, 13 April
            ("2026-11-23 14:00", 10, "2026-12-08 00:00"),
        ])
    func workingDays(received: String, days: Int, expected: String) {
        #expect(clockTestDue(received, .workingDays(days)) == expected)
    }

    @Test("SS-RT-2: an admin’s closure days are skipped like bank holidays")
    func closureDays() {
        let calendar = clockTestCalendar
            .addingClosureDay(LocalDate(year: 2026, month: 12, day: 29)!, name: "Office closed")
            .addingClosureDay(LocalDate(year: 2026, month: 12, day: 30)!, name: "Office closed")
            .addingClosureDay(LocalDate(year: 2026, month: 12, day: 31)!, name: "Office closed")
        #expect(clockTestDue("2026-12-24 16:00", .workingHours(24), calendar) == "2027-01-04 16:00")
        #expect(clockTestDue("2026-12-18 11:00", .workingDays(10), calendar) == "2027-01-12 00:00")
        let text = ServiceClock.deadline(
            for: .response, rule: .workingHours(24), receivedAt: clockTestUK("2026-12-24 16:00"), calendar: calendar
        ).explanation
        #expect(text.contains("25 Dec 2026 – 3 Jan 2027 (Christmas Day, weekend, Boxing Day (substitute day), Office closed, New Year’s Day)"))
    }

    // MARK: Regions

    @Test(
        "SS-RT-2: the clock follows the region’s bank holidays",
        arguments: [
            (CalendarRegion.scotland, "2026-04-02 09:00", "2026-04-06 09:00"),  // no Easter Monday
            (.englandAndWales, "2026-04-02 09:00", "2026-04-07 09:00"),
            (.scotland, "2026-11-27 15:00", "2026-12-01 15:00"),  // St Andrew's Day, Mon 30 Nov
            (.englandAndWales, "2026-11-27 15:00", "2026-11-30 15:00"),
            (.northernIreland, "2026-07-10 15:00", "2026-07-14 15:00"),  // the Boyne, Mon 13 Jul
            (.northernIreland, "2026-03-16 10:00", "2026-03-18 10:00"),  // St Patrick's Day
            (.scotland, "2026-07-31 12:00", "2026-08-04 12:00"),  // summer holiday, Mon 3 Aug
            (.scotland, "2025-12-31 12:00", "2026-01-05 12:00"),  // 1 and 2 January
            (.scotland, "2023-12-29 09:00", "2024-01-03 09:00"),
            (.northernIreland, "2024-03-15 09:00", "2024-03-19 09:00"),  // St Patrick's substitute
            (.scotland, "2024-11-29 09:00", "2024-12-03 09:00"),  // St Andrew's substitute
            (.northernIreland, "2025-07-11 09:00", "2025-07-15 09:00"),  // the Boyne substitute
        ])
    func regions(region: CalendarRegion, received: String, expected: String) {
        #expect(clockTestDue(received, .workingHours(24), WorkingCalendar(region: region)) == expected)
    }

    // MARK: The clock changes

    @Test(
        "SS-RT-2: the weekend the clocks go forward (29 March 2026)",
        arguments: [
            // Friday 15:00 GMT → Monday 15:00 BST: 71 real hours.
            ("2026-03-27T15:00:00Z", "2026-03-30T14:00:00Z"),
            // Saturday before: the end of Monday, 00:00 BST on Tuesday.
            ("2026-03-28T11:00:00Z", "2026-03-30T23:00:00Z"),
            // In the small hours of the Sunday itself (00:30 GMT, and 02:30 BST).
            ("2026-03-29T00:30:00Z", "2026-03-30T23:00:00Z"),
            ("2026-03-29T01:30:00Z", "2026-03-30T23:00:00Z"),
            // Thursday before → Friday; no change crossed.
            ("2026-03-26T10:00:00Z", "2026-03-27T10:00:00Z"),
        ])
    func springForward(received: String, expected: String) {
        #expect(ServiceClock.dueAt(receivedAt: clockTestUTC(received), rule: .workingHours(24), calendar: clockTestCalendar) == clockTestUTC(expected))
    }

    @Test(
        "SS-RT-2: the weekend the clocks go back (25 October 2026)",
        arguments: [
            // Friday 15:00 BST → Monday 15:00 GMT: 73 real hours.
            ("2026-10-23T14:00:00Z", "2026-10-26T15:00:00Z"),
            ("2026-10-24T10:00:00Z", "2026-10-27T00:00:00Z"),
            // 01:30 on the Sunday happens twice; both are before Monday.
            ("2026-10-25T00:30:00Z", "2026-10-27T00:00:00Z"),
            ("2026-10-25T01:30:00Z", "2026-10-27T00:00:00Z"),
        ])
    func fallBack(received: String, expected: String) {
        #expect(ServiceClock.dueAt(receivedAt: clockTestUTC(received), rule: .workingHours(24), calendar: clockTestCalendar) == clockTestUTC(expected))
    }

    @Test(
        "SS-RT-3: working days ending just after a clock change end at local midnight",
        arguments: [
            ("2026-03-26T10:00:00Z", "2026-04-02T23:00:00Z"),  // the end of Thu 2 April (BST)
            ("2026-10-22T09:00:00Z", "2026-10-30T00:00:00Z"),  // the end of Thu 29 October (GMT)
            // Saturday before: 30, 31 March, 1, 2 April, then Good Friday and Easter Monday
            // are skipped, so the end of Tue 7 April (BST).
            ("2026-03-28T11:00:00Z", "2026-04-07T23:00:00Z"),
        ])
    func workingDaysAcrossClockChange(received: String, expected: String) {
        #expect(ServiceClock.dueAt(receivedAt: clockTestUTC(received), rule: .workingDays(5), calendar: clockTestCalendar) == clockTestUTC(expected))
    }

    // MARK: Explanations

    @Test("SS-RT-2: the explanation names the receipt, the days skipped and the due time")
    func explanationHours() {
        let deadline = ServiceClock.deadlines(
            receivedAt: clockTestUK("2026-12-24 16:00"), priority: .p1, calendar: clockTestCalendar)[0]
        #expect(deadline.explanation == """
            24 working hours from Thu 24 Dec 2026 16:00 GMT (only time on working days counts); \
            skipped 25–28 Dec 2026 (Christmas Day, weekend, Boxing Day (substitute day)); \
            due Tue 29 Dec 2026 16:00 GMT.
            """)
    }

    @Test("SS-RT-2: a report at the weekend explains when counting began")
    func explanationWeekendReceipt() {
        let deadline = ServiceClock.deadlines(
            receivedAt: clockTestUK("2026-11-14 11:00"), priority: .p1, calendar: clockTestCalendar)[0]
        #expect(deadline.explanation == """
            24 working hours from Sat 14 Nov 2026 11:00 GMT (only time on working days counts); \
            received on a non-working day, so counting began at 00:00 on Mon 16 Nov 2026; \
            skipped 14–15 Nov 2026 (weekend); \
            due Tue 17 Nov 2026 00:00 GMT (the end of Mon 16 Nov 2026).
            """)
    }

    @Test("SS-RT-3: the working-days explanation")
    func explanationDays() {
        let deadline = ServiceClock.deadlines(
            receivedAt: clockTestUK("2026-11-23 14:00"), priority: .p2, calendar: clockTestCalendar)[1]
        #expect(deadline.explanation == """
            5 working days from Mon 23 Nov 2026 14:00 GMT (the day of receipt does not count); \
            skipped 28–29 Nov 2026 (weekend); \
            due at the end of Mon 30 Nov 2026 (Tue 1 Dec 2026 00:00 GMT).
            """)
    }

    @Test("SS-RT-4: the explanation over Christmas and New Year")
    func explanationChristmas() {
        let deadline = ServiceClock.deadlines(
            receivedAt: clockTestUK("2026-12-18 11:00"), priority: .p3, calendar: clockTestCalendar)[0]
        #expect(deadline.explanation == """
            10 working days from Fri 18 Dec 2026 11:00 GMT (the day of receipt does not count); \
            skipped 19–20 Dec 2026 (weekend); 25–28 Dec 2026 (Christmas Day, weekend, Boxing Day (substitute day)); \
            1–3 Jan 2027 (New Year’s Day, weekend); \
            due at the end of Wed 6 Jan 2027 (Thu 7 Jan 2027 00:00 GMT).
            """)
    }

    @Test("SS-RT-2: no days skipped, in summer time")
    func explanationNothingSkipped() {
        let deadline = ServiceClock.deadlines(
            receivedAt: clockTestUK("2026-07-14 10:15"), priority: .p1, calendar: clockTestCalendar)[0]
        #expect(deadline.explanation == """
            24 working hours from Tue 14 Jul 2026 10:15 BST (only time on working days counts); \
            no non-working days skipped; due Wed 15 Jul 2026 10:15 BST.
            """)
    }

    @Test("A deadline round-trips through JSON with its explanation")
    func deadlineCodable() throws {
        let deadline = ServiceClock.deadlines(
            receivedAt: clockTestUK("2026-12-24 16:00"), priority: .p1, calendar: clockTestCalendar)[0]
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let data = try encoder.encode(deadline)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""rule":"workingHours:24""#))
        #expect(text.contains(#""milestone":"response""#))
        let decoded = try decoder.decode(Deadline.self, from: data)
        #expect(decoded == deadline)
        #expect(decoded.explanation == deadline.explanation)
        #expect(decoded.hashValue == deadline.hashValue)
    }

    @Test(
        "Deadline rules are stored as short strings",
        arguments: [
            (DeadlineRule.workingHours(24), "workingHours:24", "24 working hours"),
            (.workingDays(5), "workingDays:5", "5 working days"),
            (.workingDays(1), "workingDays:1", "1 working day"),
        ])
    func ruleStorage(rule: DeadlineRule, stored: String, text: String) throws {
        #expect(rule.storageValue == stored)
        #expect(DeadlineRule(storageValue: stored) == rule)
        #expect(rule.description == text)
        let data = try JSONEncoder().encode([rule])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(stored)\"]")
        #expect(try JSONDecoder().decode([DeadlineRule].self, from: data) == [rule])
    }

    @Test("Unknown stored rules are refused", arguments: ["", "workingHours", "workingWeeks:2", "workingDays:-1", "workingDays:x"])
    func badRuleStorage(text: String) {
        #expect(DeadlineRule(storageValue: text) == nil)
    }

    @Test("Decoding a bad stored string names the forms each type accepts")
    func storageStringDecodingErrors() {
        func message<T: StorageStringCodable>(_ type: T.Type, _ text: String) -> String? {
            do {
                _ = try JSONDecoder().decode([T].self, from: Data("[\"\(text)\"]".utf8))
                return nil
            } catch DecodingError.dataCorrupted(let context) {
                return context.debugDescription
            } catch {
                return "\(error)"
            }
        }
        #expect(message(DeadlineRule.self, "workingWeeks:2") == #"Expected "workingHours:N" or "workingDays:N", found "workingWeeks:2""#)
        #expect(message(ContactFrequency.self, "everyDays:400") == #"Expected weekly, fortnightly, monthly or everyDays:N (N from 1 to 365), found "everyDays:400""#)
        #expect(message(LeadAgency.self, "partner: ") == #"Expected landlord or partner:<name>, found "partner: ""#)
        #expect(message(LeadAgency.self, "landlord") == nil)
    }

    // MARK: Milestone state

    @Test(
        "A milestone is met at or before its due time, breached after",
        arguments: [
            // met at, now → state (due 2026-11-17 00:00)
            (Optional("2026-11-16 12:00"), "2026-11-16 13:00", MilestoneState.met),
            ("2026-11-17 00:00", "2026-11-20 09:00", .met),  // exactly on time
            ("2026-11-17 00:01", "2026-11-17 00:01", .breached),  // a minute late
            ("2026-11-16 12:00", "2026-11-30 09:00", .met),  // met stays met
            (nil, "2026-11-16 23:59", .pending),
            (nil, "2026-11-17 00:00", .pending),  // due now: not yet breached
            (nil, "2026-11-17 00:00:01", .breached),
        ] as [(String?, String, MilestoneState)])
    func milestoneState(metAt: String?, now: String, expected: MilestoneState) {
        let dueAt = clockTestUK("2026-11-17 00:00")
        #expect(ServiceClock.state(dueAt: dueAt, metAt: metAt.map(clockTestUK), now: clockTestUK(now)) == expected)
        let deadline = Deadline(
            milestone: .response, receivedAt: clockTestUK("2026-11-14 11:00"), dueAt: dueAt,
            rule: .workingHours(24), explanation: "")
        #expect(deadline.state(metAt: metAt.map(clockTestUK), now: clockTestUK(now)) == expected)
        #expect(MilestoneState.state(dueAt: dueAt, metAt: metAt.map(clockTestUK), now: clockTestUK(now)) == expected)
    }

    // MARK: Properties over 2,000 random receipts, 1990–2090

    static let receipts: [Date] = {
        var generator = SplitMix64(seed: 0xA5B_CA5E_2026)
        let low: UInt64 = 631_152_000  // 1990-01-01T00:00Z
        let high: UInt64 = 3_786_825_600  // 2090-01-01T00:00Z
        var result: [Date] = []
        for index in 0..<2_000 {
            var seconds = Double(low + generator.next() % (high - low))
            switch index % 10 {
            case 0: seconds = (seconds / 86_400).rounded(.down) * 86_400  // midnight UTC
            case 1: seconds = (seconds / 3_600).rounded(.down) * 3_600 - 1  // a second before the hour
            case 2: seconds += Double(generator.next() % 1_000) / 1_000  // fractions of a second
            default: break
            }
            result.append(Date(timeIntervalSince1970: seconds))
        }
        return result
    }()

    static let rules: [DeadlineRule] = [.workingHours(24), .workingDays(5), .workingDays(10), .workingHours(1), .workingDays(1)]

    @Test("Property: a deadline is never before its receipt", arguments: rules)
    func neverBeforeReceipt(rule: DeadlineRule) {
        for receipt in Self.receipts {
            let due = ServiceClock.dueAt(receivedAt: receipt, rule: rule, calendar: clockTestCalendar)
            #expect(due > receipt, "\(receipt)")
        }
    }

    @Test("Property: a later receipt never gives an earlier deadline", arguments: rules)
    func monotonic(rule: DeadlineRule) {
        var generator = SplitMix64(seed: 7)
        for receipt in Self.receipts {
            let later = receipt.addingTimeInterval(Double(generator.next() % 400_000) / 3)
            let first = ServiceClock.dueAt(receivedAt: receipt, rule: rule, calendar: clockTestCalendar)
            let second = ServiceClock.dueAt(receivedAt: later, rule: rule, calendar: clockTestCalendar)
            #expect(first <= second, "\(receipt) then \(later)")
        }
        let sorted = Self.receipts.sorted()
        let dues = sorted.map { ServiceClock.dueAt(receivedAt: $0, rule: rule, calendar: clockTestCalendar) }
        #expect(dues == dues.sorted())
    }

    @Test("Property: a working-days deadline is local midnight at the end of the n-th working day", arguments: [1, 5, 10])
    func workingDaysEndAtMidnight(days: Int) {
        for receipt in Self.receipts {
            let due = ServiceClock.dueAt(receivedAt: receipt, rule: .workingDays(days), calendar: clockTestCalendar)
            let local = LondonTime.localDateTime(for: due)
            #expect(local.secondsIntoDay == 0, "\(receipt)")
            let lastDay = local.date.adding(days: -1)
            #expect(clockTestCalendar.isWorkingDay(lastDay), "\(receipt)")
            // Exactly `days` working days after the day of receipt, up to and including lastDay.
            var count = 0
            var day = LondonTime.localDateTime(for: receipt).date.adding(days: 1)
            while day <= lastDay {
                if clockTestCalendar.isWorkingDay(day) { count += 1 }
                day = day.adding(days: 1)
            }
            #expect(count == days, "\(receipt)")
        }
    }

    /// 24 working hours: exactly 24 wall-clock hours of working days lie between receipt and
    /// due; the due time lies in a working day (or ends one); the real time taken is at least
    /// 24 hours, less the hour the clocks may lose over a weekend.
    @Test("Property: 24 working hours are exactly 24 hours of working days")
    func workingHoursAreExact() {
        for receipt in Self.receipts {
            let due = ServiceClock.dueAt(receivedAt: receipt, rule: .workingHours(24), calendar: clockTestCalendar)
            #expect(due.timeIntervalSince(receipt) >= 23 * 3_600, "\(receipt)")
            let start = LondonTime.localDateTime(for: receipt)
            let end = LondonTime.localDateTime(for: due)
            var working = 0.0
            var day = start.date
            while day <= end.date {
                if clockTestCalendar.isWorkingDay(day) {
                    let from = day == start.date ? start.secondsIntoDay : 0
                    let to = day == end.date ? end.secondsIntoDay : 86_400
                    working += max(0, to - from)
                }
                day = day.adding(days: 1)
            }
            #expect(abs(working - 24 * 3_600) < 0.001, "\(receipt): \(working / 3_600) h")
            let lastMoment = LondonTime.localDateTime(for: due.addingTimeInterval(-0.001)).date
            #expect(clockTestCalendar.isWorkingDay(lastMoment), "\(receipt)")
        }
    }

    /// An independent oracle: receipts on the hour, walked hour by hour on Foundation's own
    /// Europe/London calendar, counting the hours that belong to working days.
    @Test("Property: 24 working hours agree with an hour-by-hour walk on Foundation’s calendar")
    func agreesWithHourlyWalk() {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: "Europe/London")!
        for receipt in Self.receipts.prefix(500) {
            let parts = gregorian.dateComponents([.year, .month, .day, .hour], from: receipt)
            var date = LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)!
            var hour = parts.hour!
            let onTheHour = gregorian.date(
                from: DateComponents(year: date.year, month: date.month, day: date.day, hour: hour))!
            if !clockTestCalendar.isWorkingDay(date) {
                repeat { date = date.adding(days: 1) } while !clockTestCalendar.isWorkingDay(date)
                hour = 0
            }
            var counted = 0
            while counted < 24 {
                if clockTestCalendar.isWorkingDay(date) { counted += 1 }  // the hour from `hour`
                hour += 1
                if hour == 24 {
                    hour = 0
                    date = date.adding(days: 1)
                }
            }
            let expected = gregorian.date(
                from: DateComponents(year: date.year, month: date.month, day: date.day, hour: hour))!
            let mine = ServiceClock.dueAt(
                receivedAt: onTheHour, rule: .workingHours(24), calendar: clockTestCalendar)
            #expect(mine == expected, "\(onTheHour)")
        }
    }

    @Test("Property: deadlines() and dueAt agree, for every priority")
    func deadlinesAgree() {
        for receipt in Self.receipts.prefix(300) {
            for priority in Priority.allCases {
                for deadline in ServiceClock.deadlines(receivedAt: receipt, priority: priority, calendar: clockTestCalendar) {
                    #expect(deadline.dueAt == ServiceClock.dueAt(receivedAt: receipt, rule: deadline.rule, calendar: clockTestCalendar))
                    #expect(!deadline.explanation.isEmpty)
                }
            }
        }
    }
}
