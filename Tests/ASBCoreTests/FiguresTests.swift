import Foundation
import Testing
@testable import ASBCore

@Suite("The rules behind the figures")
struct FiguresTests {
    let calendar = WorkingCalendar(region: .englandAndWales)

    static func day(_ iso: String) -> LocalDate { LocalDate(iso: iso)! }
    static func at(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    @Test("SS-MON-1: an open case's age band is whole calendar months since receipt", arguments: [
        ("2026-03-15", "2026-04-14", CaseloadAgeBand.underOneMonth),
        ("2026-03-15", "2026-04-15", .oneToThreeMonths),
        ("2026-03-15", "2026-06-14", .oneToThreeMonths),
        ("2026-03-15", "2026-06-15", .threeToSixMonths),
        ("2026-03-15", "2026-09-15", .sixToTwelveMonths),
        ("2026-03-15", "2027-03-14", .sixToTwelveMonths),
        ("2026-03-15", "2027-03-15", .twelveMonthsOrMore),
        // 31 January + 1 month is 28 February: a month old on the last day of February.
        ("2026-01-31", "2026-02-27", .underOneMonth),
        ("2026-01-31", "2026-02-28", .oneToThreeMonths),
        ("2026-11-24", "2026-11-24", .underOneMonth),
    ])
    func ageBands(received: String, asAt: String, band: CaseloadAgeBand) {
        #expect(CaseloadAgeBand(receivedOn: Self.day(received), asAt: Self.day(asAt)) == band)
    }

    @Test("SS-MON-1: each age band is the receipt days up to its last receipt day, the same as the band of each case, every day of two years")
    func ageBandReceiptDays() {
        var asAt = Self.day("2026-01-01"), mismatches: [String] = []
        while asAt < Self.day("2028-01-01") {
            let limits = CaseloadAgeBand.allCases.map { ($0, $0.lastReceiptDay(asAt: asAt)) }
            var received = asAt.adding(days: -800)
            while received <= asAt {
                // The band counted from the limits: the oldest band whose last receipt day is not before it.
                let counted = limits.last { received <= $0.1 }?.0
                if counted != CaseloadAgeBand(receivedOn: received, asAt: asAt) { mismatches.append("received \(received) as at \(asAt)") }
                received = received.adding(days: 1)
            }
            asAt = asAt.adding(days: 1)
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("SS-MON-5: a complaint is acknowledged on time within 5 working days (the day of receipt not counted, bank holidays skipped)")
    func acknowledgement() {
        // Received Friday 28 August 2026; Monday 31 August is the Summer bank holiday: 1, 2, 3, 4
        // and 7 September are the five working days: on time up to the end of Monday 7 September (BST).
        let received = Self.at("2026-08-28T15:00:00Z")
        #expect(ComplaintTimeliness.acknowledgedOnTime(receivedAt: received, acknowledgedAt: Self.at("2026-09-07T22:59:00Z"), calendar: calendar))
        #expect(!ComplaintTimeliness.acknowledgedOnTime(receivedAt: received, acknowledgedAt: Self.at("2026-09-07T23:00:01Z"), calendar: calendar))
        // Answered within 10 working days of the acknowledgement.
        let acknowledged = Self.at("2026-11-06T10:00:00Z")
        #expect(ComplaintTimeliness.respondedOnTime(acknowledgedAt: acknowledged, closedAt: Self.at("2026-11-20T23:59:00Z"), calendar: calendar))
        #expect(!ComplaintTimeliness.respondedOnTime(acknowledgedAt: acknowledged, closedAt: Self.at("2026-11-23T00:00:01Z"), calendar: calendar))
    }

    @Test("SS-MON-1: a repeat victim in the figures follows an earlier case within twelve months; a later case does not count")
    func repeatVictims() {
        let case2 = Self.at("2026-06-02T09:00:00Z")
        #expect(RepeatFlags.followsEarlierCase(receivedAt: case2, earlierCasesReceivedAt: [Self.at("2025-06-02T08:00:00Z")]))
        #expect(!RepeatFlags.followsEarlierCase(receivedAt: case2, earlierCasesReceivedAt: [Self.at("2025-06-01T08:00:00Z")]))
        // Looking back only: a case received afterwards, or at the same instant, does not make this one a repeat.
        #expect(!RepeatFlags.followsEarlierCase(receivedAt: case2, earlierCasesReceivedAt: [Self.at("2026-06-03T09:00:00Z"), case2]))
        #expect(RepeatFlags.followsEarlierCase(receivedAt: case2, earlierCasesReceivedAt: [Self.at("2026-06-02T08:59:00Z")]))
        #expect(!RepeatFlags.followsEarlierCase(receivedAt: case2, earlierCasesReceivedAt: []))
    }

    @Test("NM01: cases per 1,000 homes to one decimal place; nothing without homes")
    func nm01() {
        #expect(TenantSatisfactionMeasures.perThousandHomes(6, homes: 4000) == 1.5)
        #expect(TenantSatisfactionMeasures.perThousandHomes(7, homes: 4000) == 1.8)
        #expect(TenantSatisfactionMeasures.perThousandHomes(1, homes: 12_480) == 0.1)
        #expect(TenantSatisfactionMeasures.perThousandHomes(0, homes: 12_480) == 0)
        #expect(TenantSatisfactionMeasures.perThousandHomes(5, homes: nil) == nil)
        #expect(TenantSatisfactionMeasures.perThousandHomes(5, homes: 0) == nil)
    }

    @Test("SS-MON-1: means and medians of durations")
    func averages() {
        #expect(Percentiles.mean([14, 31, 48]) == 31)
        #expect(Percentiles.mean([]) == nil)
        #expect(Percentiles.median([48, 14, 31]) == 31)
    }

    @Test("SS-MON-1: a financial year's months, oldest first")
    func months() {
        let months = ReportingPeriod.months(of: .financialYear(startingIn: 2026))
        #expect(months.count == 12)
        #expect(months.first?.label == "April 2026" && months.first?.kind == .month && months.first?.start.description == "2026-04-01")
        #expect(months.last?.label == "March 2027" && months.last?.end.description == "2027-04-01")
        #expect(ReportingPeriod.month(of: Self.day("2026-11-25")).shortLabel == "Nov 26")
    }
}

@Suite("Retention and redaction rules")
struct RetentionRulesTests {
    static func day(_ iso: String) -> LocalDate { LocalDate(iso: iso)! }

    @Test("A closed case is due on the same day six years after closure; a held one never", arguments: [
        ("2020-05-04", "2026-05-03", false), ("2020-05-04", "2026-05-04", true), ("2020-02-29", "2026-02-28", true),
        ("2020-02-29", "2026-02-27", false),
    ])
    func due(closed: String, today: String, due: Bool) {
        let state = RetentionRules.CaseState(closedOn: Self.day(closed), legalHold: false, anonymised: false)
        #expect(state.isDue(today: Self.day(today), years: 6) == due)
        #expect(!RetentionRules.CaseState(closedOn: Self.day(closed), legalHold: true, anonymised: false).isDue(today: Self.day(today), years: 6))
        #expect(!RetentionRules.CaseState(closedOn: nil, legalHold: false, anonymised: false).isDue(today: Self.day(today), years: 6))
    }

    @Test("A person goes only when every one of their cases is due or anonymised, and none is held")
    func parties() {
        let today = Self.day("2026-11-24")
        let due = RetentionRules.CaseState(closedOn: Self.day("2019-01-01"), legalHold: false, anonymised: false)
        let done = RetentionRules.CaseState(closedOn: Self.day("2018-01-01"), legalHold: false, anonymised: true)
        let open = RetentionRules.CaseState(closedOn: nil, legalHold: false, anonymised: false)
        let held = RetentionRules.CaseState(closedOn: Self.day("2019-01-01"), legalHold: true, anonymised: false)
        #expect(RetentionRules.mayAnonymiseParty(cases: [due, done], today: today, years: 6))
        #expect(!RetentionRules.mayAnonymiseParty(cases: [due, open], today: today, years: 6))
        #expect(!RetentionRules.mayAnonymiseParty(cases: [due, held], today: today, years: 6))
        #expect(!RetentionRules.mayAnonymiseParty(cases: [], today: today, years: 6))
    }

    @Test("Names, their parts, contact details and anything shaped like an email or UK phone number are taken out of text")
    func redaction() {
        let text = "Sam Example said SAM's neighbour Jo-Ann Sample (jo@example.org, 07700 900123) shouted at Samuel; ring 01632 960001."
        #expect(Redaction.redact(text, names: ["Sam Example", "Jo-Ann Sample"]) ==
                "[name] said [name]'s neighbour [name] ([email], [phone]) shouted at Samuel; ring [phone].")
        #expect(Redaction.redact("Nothing personal here.", names: []) == "Nothing personal here.")
        #expect(Redaction.redact("Call Al.", names: ["Al"]) == "Call [name].")
        // One redaction for many texts; a name part never matches inside another word or inside
        // what was already put in, whatever the case or the letters around it.
        let people = Redaction(names: ["Name Ölund", "Ann Annabel"], contacts: ["ann@example.org"])
        #expect(people.redact("NAME ÖLUND met name and Ölundson; ann@example.org; ANNABEL, Ann, Annie.") ==
                "[name] met [name] and Ölundson; [contact]; [name], [name], Annie.")
        #expect(people.redact("Nothing personal here.") == "Nothing personal here.")
    }
}
