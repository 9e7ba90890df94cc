import Testing
@testable import ASBCore

@Suite("Reporting periods and disclosure control")
struct ReportingTests {
    @Test("SS-MON-4: quarters follow the financial year (1 April to 31 March)", arguments: [
        ("2026-04-01", "2026/27 Q1 (Apr–Jun 2026)", "2026-04-01", "2026-07-01"),
        ("2026-11-25", "2026/27 Q3 (Oct–Dec 2026)", "2026-10-01", "2027-01-01"),
        ("2027-03-31", "2026/27 Q4 (Jan–Mar 2027)", "2027-01-01", "2027-04-01"),
        ("2026-03-31", "2025/26 Q4 (Jan–Mar 2026)", "2026-01-01", "2026-04-01"),
    ])
    func quarters(day: String, label: String, start: String, end: String) throws {
        let quarter = ReportingPeriod.quarter(containing: try #require(LocalDate(iso: day)))
        #expect(quarter.label == label && quarter.start.description == start && quarter.end.description == end)
    }

    @Test("SS-MON-4: the last four quarters and the financial year containing a day")
    func lastFour() throws {
        let day = try #require(LocalDate(iso: "2026-11-25"))
        #expect(ReportingPeriod.quarters(endingAt: day).map(\.label) == [
            "2025/26 Q4 (Jan–Mar 2026)", "2026/27 Q1 (Apr–Jun 2026)", "2026/27 Q2 (Jul–Sep 2026)", "2026/27 Q3 (Oct–Dec 2026)"])
        let year = ReportingPeriod.financialYear(containing: day)
        #expect(year.label == "2026/27" && year.start.description == "2026-04-01" && year.end.description == "2027-04-01")
        #expect(ReportingPeriod.financialYear(containing: try #require(LocalDate(iso: "2027-02-01"))).label == "2026/27")
    }

    @Test("SS-MON-4: counts of 1 to 4 are 'fewer than 5'; percentages of fewer than 5 are withheld", arguments: [
        (0, "0"), (1, "fewer than 5"), (4, "fewer than 5"), (5, "5"), (120, "120"),
    ])
    func counts(n: Int, shown: String) {
        #expect(DisclosureControl.count(n) == shown)
    }

    @Test("Percentages and NM01 rates")
    func rates() {
        #expect(DisclosureControl.percentage(5, of: 6) == "83%")
        #expect(DisclosureControl.percentage(3, of: 4) == nil)
        #expect(DisclosureControl.percentage(0, of: 0) == nil)
        #expect(DisclosureControl.perThousandHomes(25, homes: 10_000) == "2.5")
        #expect(DisclosureControl.perThousandHomes(25, homes: nil) == nil)
    }

    @Test("SS-MON-4: a year and its quarters are four spans, the year all of them; overlapping periods cut each other")
    func spans() throws {
        let year = ReportingPeriod.financialYear(startingIn: 2026)
        let quarters = (1...4).map { ReportingPeriod.quarter($0, ofYearStartingIn: 2026) }
        let spans = PeriodSpans(quarters + [year])
        #expect(spans.count == 4 && spans.runs == [0..<1, 1..<2, 2..<3, 3..<4, 0..<4])
        #expect(spans.totals([1, 10, 100, 1000], zero: 0, +) == [1, 10, 100, 1000, 1111])

        // As published on 25 November 2026: the last four quarters and the last complete year.
        let day = try #require(LocalDate(iso: "2026-11-25"))
        let published = PeriodSpans(ReportingPeriod.quarters(endingAt: day) + [.financialYear(startingIn: 2025)])
        #expect(published.bounds.map(\.description) == ["2025-04-01", "2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01", "2027-01-01"])
        #expect(published.runs == [1..<2, 2..<3, 3..<4, 4..<5, 0..<2])
        #expect(published.totals([1, 2, 4, 8, 16], zero: 0, +) == [2, 4, 8, 16, 3])

        // Each day falls in the span that starts on or before it; none outside.
        for (iso, span) in [("2025-03-31", nil), ("2025-04-01", 0), ("2025-12-31", 0), ("2026-01-01", 1), ("2026-06-30", 2),
                            ("2026-12-31", 4), ("2027-01-01", nil)] as [(String, Int?)] {
            #expect(published.span(of: try #require(LocalDate(iso: iso))) == span, "\(iso)")
        }
        #expect(PeriodSpans([]).count == 0 && PeriodSpans([]).span(of: day) == nil)
        let months = PeriodSpans(ReportingPeriod.months(of: year) + [year])
        #expect(months.count == 12 && months.runs.last == 0..<12 && months.runs.dropLast() == (0..<12).map { $0..<($0 + 1) })
    }
}
