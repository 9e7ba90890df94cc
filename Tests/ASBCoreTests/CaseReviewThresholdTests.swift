import ASBCore
import Foundation
import Testing

/// A date from `YYYY-MM-DD`, for the case review threshold tests.
private func closureTestThresholdDate(_ iso: String) -> LocalDate {
    guard let date = LocalDate(iso: iso) else { fatalError("Not a date: \(iso)") }
    return date
}

/// A report received on `received`, about behaviour on `occurred` (unknown when `nil`).
private func closureTestReport(_ received: String, occurred: String? = nil, hate: Bool = false) -> QualifyingReportCandidate {
    QualifyingReportCandidate(receivedOn: closureTestThresholdDate(received),
                              occurredOn: occurred.map(closureTestThresholdDate), hate: hate)
}

/// The "today" of most threshold tests: its six-month window starts on 15 January 2026.
private let closureTestToday = closureTestThresholdDate("2026-07-15")

@Suite("ASB Case Review threshold (SS-PRT-1)")
struct CaseReviewThresholdTests {
    @Test("SS-PRT-1: the Southend default is 3 reports in 6 months, or 1 hate report, each within 31 days")
    func defaults() {
        let config = CaseReviewThresholdConfig.southEssexDefault
        #expect(config == CaseReviewThresholdConfig(reportsNeeded: 3, windowMonths: 6, hateReportsNeeded: 1,
                                                    reportWithinDaysOfBehaviour: 31, applicationWindowMonths: 6))
        #expect(config.hateRuleOn)
        #expect(config.validate().isEmpty)
    }

    @Test("SS-PRT-1: months are calendar months, clamped to the end of a shorter month",
          arguments: [
              ("2026-07-15", -6, "2026-01-15"),
              ("2026-01-15", -1, "2025-12-15"),
              ("2026-08-31", -6, "2026-02-28"),
              ("2024-08-31", -6, "2024-02-29"),
              ("2026-03-31", -1, "2026-02-28"),
              ("2026-03-31", -13, "2025-02-28"),
              ("2026-01-31", 1, "2026-02-28"),
              ("2024-01-31", 1, "2024-02-29"),
              ("2025-08-31", 6, "2026-02-28"),
              ("2026-05-20", 0, "2026-05-20"),
              ("2026-11-30", 14, "2028-01-30"),
          ])
    func monthArithmetic(from: String, months: Int, expected: String) {
        #expect(CaseReviewThreshold.shift(closureTestThresholdDate(from), months: months) == closureTestThresholdDate(expected))
    }

    @Test("SS-PRT-1: 3 qualifying reports in 6 months meet the threshold; 2 do not",
          arguments: [(0, false), (1, false), (2, false), (3, true), (4, true)])
    func reportCount(count: Int, met: Bool) {
        let days = ["2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01"]
        let reports = days.prefix(count).map { closureTestReport($0, occurred: $0) }
        let result = CaseReviewThreshold.evaluate(reports, today: closureTestToday, config: .southEssexDefault)
        #expect(result.met == met)
        #expect(result.qualifyingReports == count)
        #expect(result.qualifyingHateReports == 0)
        #expect(result.lateReports == 0)
        #expect(result.explanation.hasPrefix("The threshold for an ASB Case Review is \(met ? "met" : "not met"): "))
        let counted = count == 0 ? "no qualifying reports" : "\(count) qualifying report\(count == 1 ? "" : "s")"
        #expect(result.explanation.contains("\(counted) in the last 6 months (since 15 January 2026)"))
        #expect(result.explanation.contains("since 15 January 2026"))
        #expect(result.explanation.contains("The threshold is 3 reports about the same problem in 6 months, "
            + "or 1 hate crime or hate incident report, each made within 31 days of the behaviour."))
        #expect(result.latestQualifyingReportOn == (count == 0 ? nil : closureTestThresholdDate(days[count - 1])))
    }

    @Test("SS-PRT-1: the window runs from the same day 6 months ago to today, both included",
          arguments: [
              ("2026-01-14", false),
              ("2026-01-15", true),
              ("2026-07-15", true),
              ("2026-07-16", false),
          ])
    func windowEdges(received: String, counted: Bool) {
        let reports = [closureTestReport("2026-03-01"), closureTestReport("2026-04-01"), closureTestReport(received)]
        let result = CaseReviewThreshold.evaluate(reports, today: closureTestToday, config: .southEssexDefault)
        #expect(result.qualifyingReports == (counted ? 3 : 2))
        #expect(result.met == counted)
        #expect(CaseReviewThreshold.windowStart(today: closureTestToday, config: .southEssexDefault)
            == closureTestThresholdDate("2026-01-15"))
    }

    @Test("SS-PRT-1: at a month end the window start is clamped (31 August → 28 or 29 February)",
          arguments: [
              ("2026-08-31", "2026-02-27", false), ("2026-08-31", "2026-02-28", true),
              ("2024-08-31", "2024-02-28", false), ("2024-08-31", "2024-02-29", true),
          ])
    func windowClamped(today: String, received: String, counted: Bool) {
        let result = CaseReviewThreshold.evaluate([closureTestReport(received)], today: closureTestThresholdDate(today),
                                                  config: .southEssexDefault)
        #expect(result.qualifyingReports == (counted ? 1 : 0))
    }

    @Test("SS-PRT-1: a report qualifies when made within 31 days of the behaviour",
          arguments: [
              ("2026-05-01", nil as String?, true),
              ("2026-05-01", "2026-05-01", true),
              ("2026-05-01", "2026-03-31", true),
              ("2026-05-01", "2026-03-30", false),
              ("2026-05-02", "2026-05-03", false),
          ])
    func qualifyingReport(received: String, occurred: String?, qualifies: Bool) {
        let report = closureTestReport(received, occurred: occurred)
        #expect(CaseReviewThreshold.qualifies(report, config: .southEssexDefault) == qualifies)
    }

    @Test("SS-PRT-1: late reports do not count, and the explanation says so")
    func lateReports() {
        let reports = [
            closureTestReport("2026-03-01", occurred: "2026-02-20"),
            closureTestReport("2026-04-01", occurred: "2026-03-25"),
            closureTestReport("2026-05-10", occurred: "2026-04-01"),  // 39 days late
        ]
        let result = CaseReviewThreshold.evaluate(reports, today: closureTestToday, config: .southEssexDefault)
        #expect(!result.met)
        #expect(result.qualifyingReports == 2)
        #expect(result.lateReports == 1)
        #expect(result.explanation.contains(
            "1 report in that time does not count, because it was made more than 31 days after the behaviour."))
        #expect(result.latestQualifyingReportOn == closureTestThresholdDate("2026-04-01"))

        let inconsistent = CaseReviewThreshold.evaluate(
            reports + [closureTestReport("2026-05-11", occurred: "2026-05-12")], today: closureTestToday,
            config: .southEssexDefault)
        #expect(inconsistent.lateReports == 2)
        #expect(inconsistent.explanation.contains("the behaviour is dated after the report"))
    }

    @Test("SS-PRT-1: one qualifying hate crime or hate incident report meets the threshold")
    func oneHateReport() {
        let result = CaseReviewThreshold.evaluate([closureTestReport("2026-06-01", occurred: "2026-05-30", hate: true)],
                                                  today: closureTestToday, config: .southEssexDefault)
        #expect(result.met)
        #expect(result.qualifyingReports == 1)
        #expect(result.qualifyingHateReports == 1)
        #expect(result.explanation.contains("1 qualifying report in the last 6 months (since 15 January 2026), "
            + "about a hate crime or hate incident."))
        let two = CaseReviewThreshold.evaluate(
            [closureTestReport("2026-05-01"), closureTestReport("2026-06-01", hate: true)],
            today: closureTestToday, config: .southEssexDefault)
        #expect(two.met)
        #expect(two.explanation.contains("2 qualifying reports in the last 6 months (since 15 January 2026), "
            + "1 of them about a hate crime or hate incident."))

        let late = CaseReviewThreshold.evaluate([closureTestReport("2026-06-01", occurred: "2026-04-01", hate: true)],
                                                today: closureTestToday, config: .southEssexDefault)
        #expect(!late.met, "A late hate report does not qualify either")
        #expect(late.qualifyingHateReports == 0)

        let old = CaseReviewThreshold.evaluate([closureTestReport("2025-12-01", hate: true)],
                                               today: closureTestToday, config: .southEssexDefault)
        #expect(!old.met, "A hate report outside the window does not count")
    }

    @Test("SS-PRT-1: with hateReportsNeeded 0 the hate rule is off")
    func hateRuleOff() {
        let config = CaseReviewThresholdConfig(hateReportsNeeded: 0)
        #expect(!config.hateRuleOn)
        let result = CaseReviewThreshold.evaluate([closureTestReport("2026-06-01", hate: true)],
                                                  today: closureTestToday, config: config)
        #expect(!result.met)
        #expect(result.qualifyingHateReports == 1)
        #expect(!result.explanation.contains("hate"))
        let three = CaseReviewThreshold.evaluate(
            [closureTestReport("2026-04-01", hate: true), closureTestReport("2026-05-01"), closureTestReport("2026-06-01")],
            today: closureTestToday, config: config)
        #expect(three.met)
    }

    @Test("SS-PRT-1: a local partnership may set its own numbers")
    func customThreshold() {
        let config = CaseReviewThresholdConfig(reportsNeeded: 2, windowMonths: 3, hateReportsNeeded: 2,
                                               reportWithinDaysOfBehaviour: 14, applicationWindowMonths: 1)
        let reports = [
            closureTestReport("2026-04-14", hate: true),  // before the 3-month window (from 15 April)
            closureTestReport("2026-05-01", occurred: "2026-04-16", hate: true),  // 15 days: late
            closureTestReport("2026-06-01", occurred: "2026-05-18", hate: true),  // 14 days: qualifies
        ]
        let result = CaseReviewThreshold.evaluate(reports, today: closureTestToday, config: config)
        #expect(!result.met)
        #expect(result.qualifyingReports == 1)
        #expect(result.qualifyingHateReports == 1)
        #expect(result.explanation.contains("The threshold is 2 reports about the same problem in 3 months, "
            + "or 2 hate crime or hate incident reports, each made within 14 days of the behaviour."))
        let more = CaseReviewThreshold.evaluate(reports + [closureTestReport("2026-07-01")], today: closureTestToday,
                                                config: config)
        #expect(more.met)
    }

    @Test("SS-PRT-1: a review is requested within 6 months of the latest qualifying report",
          arguments: [
              ("2026-01-15", "2026-01-14", false),
              ("2026-01-15", "2026-01-15", true),
              ("2026-01-15", "2026-07-15", true),
              ("2026-01-15", "2026-07-16", false),
              ("2025-08-31", "2026-02-28", true),
              ("2025-08-31", "2026-03-01", false),
              ("2023-08-31", "2024-02-29", true),
          ])
    func applicationWindow(latest: String, applied: String, within: Bool) {
        #expect(CaseReviewThreshold.isWithinApplicationWindow(
            appliedOn: closureTestThresholdDate(applied), latestQualifyingReportOn: closureTestThresholdDate(latest),
            config: .southEssexDefault) == within)
    }

    @Test("SS-PRT-1: an anonymous reporter cannot apply, and is told why in plain English")
    func anonymous() {
        let text = CaseReviewThreshold.anonymousCannotApply
        #expect(text.contains("anonymously"))
        #expect(text.contains("outcome"))
        #expect(text.contains("Community Safety Partnership"))
    }

    @Test("SS-PRT-1: the configuration decodes with defaults for missing keys, and is checked")
    func configuration() throws {
        let empty = try JSONDecoder().decode(CaseReviewThresholdConfig.self, from: Data("{}".utf8))
        #expect(empty == .southEssexDefault)
        let partial = try JSONDecoder().decode(CaseReviewThresholdConfig.self,
                                               from: Data(#"{"reportsNeeded": 4, "hateReportsNeeded": 0}"#.utf8))
        #expect(partial == CaseReviewThresholdConfig(reportsNeeded: 4, hateReportsNeeded: 0))
        let roundTrip = try JSONDecoder().decode(CaseReviewThresholdConfig.self,
                                                 from: JSONEncoder().encode(partial))
        #expect(roundTrip == partial)
        let bad = CaseReviewThresholdConfig(reportsNeeded: 0, windowMonths: 0, hateReportsNeeded: -1,
                                            reportWithinDaysOfBehaviour: -1, applicationWindowMonths: 0)
        #expect(bad.validate().map(\.field)
            == ["reportsNeeded", "windowMonths", "hateReportsNeeded", "reportWithinDaysOfBehaviour", "applicationWindowMonths"])
    }
}
