import ASBCore
import Foundation
import Testing

@Suite("Regular contact with the reporter (SS-NXT-5)")
struct CaseworkContactScheduleTests {
    /// (agreed on, last contact on, frequency, next contact due)
    static let nextDue: [(String, String?, ContactFrequency, String)] = [
        // No contact yet: from the agreement.
        ("2025-06-10", nil, .weekly, "2025-06-17"),
        ("2025-06-10", nil, .fortnightly, "2025-06-24"),
        ("2025-06-10", nil, .monthly, "2025-07-10"),
        ("2025-06-10", nil, .everyDays(10), "2025-06-20"),
        // From the last contact.
        ("2025-06-10", "2025-06-13", .weekly, "2025-06-20"),
        ("2025-06-10", "2025-06-13", .fortnightly, "2025-06-27"),
        ("2025-06-10", "2025-06-13", .monthly, "2025-07-13"),
        ("2025-06-10", "2025-06-13", .everyDays(1), "2025-06-14"),
        ("2025-06-10", "2025-06-10", .weekly, "2025-06-17"),
        // A contact before the agreement does not bring the schedule forward.
        ("2025-06-10", "2025-06-01", .weekly, "2025-06-17"),
        // Across month and year ends.
        ("2025-12-29", nil, .weekly, "2026-01-05"),
        ("2025-12-25", nil, .fortnightly, "2026-01-08"),
        ("2025-12-31", nil, .monthly, "2026-01-31"),
        ("2025-11-30", nil, .monthly, "2025-12-30"),
        // Month-end clamping.
        ("2025-01-31", nil, .monthly, "2025-02-28"),
        ("2024-01-31", nil, .monthly, "2024-02-29"),
        ("2024-01-30", nil, .monthly, "2024-02-29"),
        ("2024-01-29", nil, .monthly, "2024-02-29"),
        ("2024-01-28", nil, .monthly, "2024-02-28"),
        ("2100-01-31", nil, .monthly, "2100-02-28"),
        ("2000-01-31", nil, .monthly, "2000-02-29"),
        ("2025-03-31", nil, .monthly, "2025-04-30"),
        ("2025-05-31", nil, .monthly, "2025-06-30"),
        ("2025-08-31", nil, .monthly, "2025-09-30"),
        ("2025-10-31", nil, .monthly, "2025-11-30"),
        ("2024-02-29", nil, .monthly, "2024-03-29"),
        ("2025-02-28", nil, .monthly, "2025-03-28"),
        // Leap years with day counts.
        ("2024-02-26", nil, .weekly, "2024-03-04"),
        ("2023-02-26", nil, .weekly, "2023-03-05"),
        ("2024-02-20", nil, .fortnightly, "2024-03-05"),
        ("2024-01-01", nil, .everyDays(365), "2024-12-31"),
        ("2025-01-01", nil, .everyDays(365), "2026-01-01"),
        ("2024-02-28", nil, .everyDays(2), "2024-03-01"),
    ]

    @Test("SS-NXT-5: the next contact is due one agreed interval after the last contact, or the agreement",
          arguments: nextDue)
    func nextContactDue(agreed: String, last: String?, frequency: ContactFrequency, expected: String) {
        let due = ContactSchedule.nextContactDue(agreedOn: caseworkDate(agreed), lastContactOn: last.map(caseworkDate),
                                                 frequency: frequency)
        #expect(due == caseworkDate(expected))
    }

    @Test("SS-NXT-5: an out-of-range interval still moves the schedule on by at least a day",
          arguments: [0, -3])
    func degenerateInterval(days: Int) {
        let due = ContactSchedule.nextContactDue(agreedOn: caseworkDate("2025-06-10"), lastContactOn: nil,
                                                 frequency: .everyDays(days))
        #expect(due == caseworkDate("2025-06-11"))
    }

    @Test("SS-NXT-5: contact is not yet due, due today, or overdue by a number of days",
          arguments: [
              ("2025-06-10", "2025-06-01", ContactState.notYetDue),
              ("2025-06-10", "2025-06-09", .notYetDue),
              ("2025-06-10", "2025-06-10", .dueToday),
              ("2025-06-10", "2025-06-11", .overdue(days: 1)),
              ("2025-06-10", "2025-07-10", .overdue(days: 30)),
              ("2024-02-28", "2024-03-01", .overdue(days: 2)),
              ("2025-12-31", "2026-01-01", .overdue(days: 1)),
          ])
    func state(nextDue: String, today: String, expected: ContactState) {
        #expect(ContactSchedule.state(nextDue: caseworkDate(nextDue), today: caseworkDate(today)) == expected)
    }

    @Test("SS-NXT-5: frequencies are stored as weekly, fortnightly, monthly or everyDays:N",
          arguments: [
              (ContactFrequency.weekly, "weekly", "weekly"),
              (.fortnightly, "fortnightly", "fortnightly"),
              (.monthly, "monthly", "monthly"),
              (.everyDays(1), "everyDays:1", "every day"),
              (.everyDays(10), "everyDays:10", "every 10 days"),
              (.everyDays(365), "everyDays:365", "every 365 days"),
          ])
    func storage(frequency: ContactFrequency, stored: String, words: String) throws {
        #expect(frequency.storageValue == stored)
        #expect(ContactFrequency(storageValue: stored) == frequency)
        #expect(frequency.description == words)
        #expect(frequency.isValid)
        let json = try JSONEncoder().encode([frequency])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(stored)\"]")
        #expect(try JSONDecoder().decode([ContactFrequency].self, from: json) == [frequency])
    }

    @Test("SS-NXT-5: anything else is not a frequency",
          arguments: ["", "Weekly", "daily", "everyDays", "everyDays:", "everyDays:0", "everyDays:366", "everyDays:010",
                      "everyDays:-1", "everyDays:+5", "everyDays:1.5", "everyDays: 5", "everyDays:abc",
                      "everyDays:99999999999999999999", " weekly"])
    func invalidStorage(text: String) {
        #expect(ContactFrequency(storageValue: text) == nil)
        let json = Data("[\"\(text)\"]".utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ContactFrequency].self, from: json) }
    }

    @Test("SS-NXT-5: contact every N days is agreed for 1 to 365 days",
          arguments: [(ContactFrequency.everyDays(-1), false), (.everyDays(0), false), (.everyDays(1), true),
                      (.everyDays(365), true), (.everyDays(366), false), (.weekly, true), (.fortnightly, true),
                      (.monthly, true)])
    func validation(frequency: ContactFrequency, valid: Bool) {
        #expect(frequency.isValid == valid)
        #expect(ContactSchedule.validate(frequency).map(\.field) == (valid ? [] : ["frequency"]))
        #expect(ContactSchedule.everyDaysRange == 1...365)
    }
}

@Suite("Repeat victims and perpetrators (SS-RT-1, SS-NXT-4)")
struct CaseworkRepeatFlagTests {
    /// (this case received on, another case received on, repeat)
    static let pairs: [(String, String, Bool)] = [
        ("2025-03-10", "2025-03-10", true),  // another case the same day
        ("2025-03-10", "2024-03-10", true),  // exactly 12 months before
        ("2025-03-10", "2024-03-09", false),  // 12 months and a day before
        ("2025-03-10", "2024-03-11", true),
        ("2025-03-10", "2026-03-10", true),  // exactly 12 months after
        ("2025-03-10", "2026-03-11", false),  // 12 months and a day after
        ("2025-03-10", "2026-03-09", true),
        ("2025-03-10", "2025-09-01", true),
        ("2025-03-10", "2020-01-01", false),
        // Across 29 February.
        ("2024-03-01", "2023-03-01", true),  // 366 days, across 29 February 2024
        ("2024-03-01", "2023-02-28", false),
        ("2024-02-29", "2023-03-01", true),
        ("2024-02-29", "2023-02-28", false),
        ("2024-02-29", "2025-02-28", true),
        ("2024-02-29", "2025-03-01", false),
        ("2025-02-28", "2024-02-28", true),  // 366 days, across 29 February 2024
        ("2025-02-28", "2024-02-29", true),
        ("2025-02-28", "2024-02-27", false),
        ("2025-02-28", "2026-02-28", true),
        ("2025-02-28", "2026-03-01", false),
        ("2023-02-28", "2024-02-28", true),
        ("2023-02-28", "2024-02-29", false),
        ("2023-02-28", "2022-02-28", true),
        ("2023-02-28", "2022-02-27", false),
        ("2028-02-29", "2027-03-01", true),
        ("2028-02-29", "2029-02-28", true),
    ]

    @Test("SS-NXT-4: a case is a repeat when another case was received within 12 months either side",
          arguments: pairs)
    func twelveMonths(receivedOn: String, other: String, repeatCase: Bool) {
        let date = caseworkDate(receivedOn), otherDate = caseworkDate(other)
        #expect(RepeatFlags.isRepeat(caseReceivedOn: date, otherCasesReceivedOn: [otherDate]) == repeatCase)
        #expect(RepeatFlags.withinTwelveMonths(date, otherDate) == repeatCase)
        #expect(RepeatFlags.window(around: date).contains(otherDate) == repeatCase)
        // The rule is symmetric.
        #expect(RepeatFlags.isRepeat(caseReceivedOn: otherDate, otherCasesReceivedOn: [date]) == repeatCase)
    }

    @Test("SS-NXT-4: the twelve-month window in days is 365, or 366 when a 29 February falls between")
    func windowInDays() {
        let start = caseworkDate("2022-12-01")
        for offset in 0..<(4 * 366) {
            let date = start.adding(days: offset)
            for gap in 360...370 {
                for other in [date.adding(days: gap), date.adding(days: -gap)] {
                    let (earlier, later) = date < other ? (date, other) : (other, date)
                    let leapDayBetween = (earlier.year...later.year).contains { year in
                        guard let leapDay = LocalDate(year: year, month: 2, day: 29) else { return false }
                        return earlier < leapDay && leapDay < later
                    }
                    let expected = gap <= 365 || (gap == 366 && leapDayBetween)
                    #expect(RepeatFlags.isRepeat(caseReceivedOn: date, otherCasesReceivedOn: [other]) == expected,
                            "\(date) and \(other) (\(gap) days apart; later \(later))")
                    #expect(RepeatFlags.isRepeat(caseReceivedOn: other, otherCasesReceivedOn: [date]) == expected)
                }
            }
        }
    }

    @Test("SS-NXT-4: the window runs from the same day a year before to the same day a year after",
          arguments: [("2025-03-10", "2024-03-10", "2026-03-10"), ("2024-02-29", "2023-03-01", "2025-02-28"),
                      ("2025-02-28", "2024-02-28", "2026-02-28"), ("2024-01-01", "2023-01-01", "2025-01-01"),
                      ("2024-12-31", "2023-12-31", "2025-12-31")])
    func window(receivedOn: String, first: String, last: String) {
        #expect(RepeatFlags.window(around: caseworkDate(receivedOn)) == caseworkDate(first)...caseworkDate(last))
    }

    @Test("SS-NXT-4: no other cases, or only cases far apart, is not a repeat; any one within is")
    func lists() {
        let received = caseworkDate("2025-03-10")
        #expect(!RepeatFlags.isRepeat(caseReceivedOn: received, otherCasesReceivedOn: []))
        let far = ["2019-05-01", "2024-03-09", "2026-03-11", "2030-01-01"].map(caseworkDate)
        #expect(!RepeatFlags.isRepeat(caseReceivedOn: received, otherCasesReceivedOn: far))
        #expect(RepeatFlags.isRepeat(caseReceivedOn: received, otherCasesReceivedOn: far + [caseworkDate("2025-12-25")]))
    }

    @Test("SS-NXT-4: the case itself is not its own repeat, but another case the same day is")
    func excludesItself() {
        let received = caseworkDate("2025-03-10")
        let alone: [(id: Int, receivedOn: LocalDate)] = [(1, received), (2, caseworkDate("2020-01-01"))]
        #expect(!RepeatFlags.isRepeat(case: 1, receivedOn: received, partyCases: alone))
        let sameDay: [(id: Int, receivedOn: LocalDate)] = [(1, received), (2, received)]
        #expect(RepeatFlags.isRepeat(case: 1, receivedOn: received, partyCases: sameDay))
        let within: [(id: String, receivedOn: LocalDate)] = [("ASB-1", received), ("ASB-2", caseworkDate("2024-06-01"))]
        #expect(RepeatFlags.isRepeat(case: "ASB-1", receivedOn: received, partyCases: within))
        #expect(RepeatFlags.isRepeat(case: "ASB-2", receivedOn: caseworkDate("2024-06-01"), partyCases: within))
    }

    @Test("SS-NXT-4: reporters and victims are one group, alleged perpetrators another; witnesses are not flagged",
          arguments: [(PartyRole.reporter, RepeatPartyGroup.victimSide), (.victim, .victimSide),
                      (.allegedPerpetrator, .allegedPerpetrator), (.witness, nil), (.other, nil)] as [(PartyRole, RepeatPartyGroup?)])
    func groups(role: PartyRole, group: RepeatPartyGroup?) {
        #expect(RepeatPartyGroup(role: role) == group)
    }
}
