import Foundation

/// A reporting period in UK dates: a calendar month, a quarter of the financial year, or the
/// financial year itself (1 April to 31 March, the sector's reporting year).
public struct ReportingPeriod: Sendable, Hashable, Comparable {
    public enum Kind: String, Sendable { case month, quarter, financialYear }

    public let kind: Kind
    /// First day, inclusive.
    public let start: LocalDate
    /// The day after the last day (exclusive).
    public let end: LocalDate
    /// "November 2026", "2026/27 Q3 (Oct–Dec 2026)" or "2026/27".
    public let label: String

    public static func < (lhs: ReportingPeriod, rhs: ReportingPeriod) -> Bool { lhs.start < rhs.start }

    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let fullMonthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                                         "October", "November", "December"]

    /// The calendar month containing `date`.
    public static func month(of date: LocalDate) -> ReportingPeriod {
        ReportingPeriod(kind: .month, start: date.firstOfMonth, end: date.firstOfNextMonth,
                        label: "\(fullMonthNames[date.month - 1]) \(date.year)")
    }

    /// The calendar months of `period`, oldest first.
    public static func months(of period: ReportingPeriod) -> [ReportingPeriod] {
        var result: [ReportingPeriod] = []
        var first = period.start.firstOfMonth
        while first < period.end {
            result.append(month(of: first))
            first = first.firstOfNextMonth
        }
        return result
    }

    /// "Nov 26": a month's label for a chart axis.
    public var shortLabel: String {
        "\(Self.monthNames[start.month - 1]) \(String(start.year).suffix(2))"
    }

    /// The financial year starting in April of `startYear`.
    public static func financialYear(startingIn startYear: Int) -> ReportingPeriod {
        ReportingPeriod(kind: .financialYear, start: LocalDate(year: startYear, month: 4, day: 1)!,
                        end: LocalDate(year: startYear + 1, month: 4, day: 1)!, label: yearLabel(startYear))
    }

    /// The financial year that contains `date`.
    public static func financialYear(containing date: LocalDate) -> ReportingPeriod {
        financialYear(startingIn: date.month >= 4 ? date.year : date.year - 1)
    }

    /// Quarter `n` (1 = April to June) of the financial year starting in `startYear`.
    public static func quarter(_ n: Int, ofYearStartingIn startYear: Int) -> ReportingPeriod {
        precondition((1...4).contains(n))
        let firstMonth = 4 + (n - 1) * 3          // 4, 7, 10, 13
        let year = startYear + (firstMonth > 12 ? 1 : 0)
        let month = (firstMonth - 1) % 12 + 1
        let start = LocalDate(year: year, month: month, day: 1)!
        let endMonth = month + 3
        let end = endMonth > 12 ? LocalDate(year: year + 1, month: endMonth - 12, day: 1)! : LocalDate(year: year, month: endMonth, day: 1)!
        let lastMonth = month + 2
        let label = "\(yearLabel(startYear)) Q\(n) (\(monthNames[month - 1])–\(monthNames[lastMonth - 1]) \(year))"
        return ReportingPeriod(kind: .quarter, start: start, end: end, label: label)
    }

    /// The quarter containing `date`.
    public static func quarter(containing date: LocalDate) -> ReportingPeriod {
        let startYear = date.month >= 4 ? date.year : date.year - 1
        let n = ((date.month + 8) % 12) / 3 + 1   // Apr–Jun 1, Jul–Sep 2, Oct–Dec 3, Jan–Mar 4
        return quarter(n, ofYearStartingIn: startYear)
    }

    /// The last `count` quarters up to and including the one containing `date`, oldest first.
    public static func quarters(endingAt date: LocalDate, count: Int = 4) -> [ReportingPeriod] {
        var result = [quarter(containing: date)]
        while result.count < count {
            result.insert(quarter(containing: result[0].start.adding(days: -1)), at: 0)
        }
        return result
    }

    /// "2026/27".
    public static func yearLabel(_ startYear: Int) -> String {
        "\(startYear)/\(String(format: "%02d", (startYear + 1) % 100))"
    }
}

/// Publishing small numbers safely (SS-MON-4): counts from 1 to 4 are shown as "fewer than 5",
/// and a percentage of fewer than 5 cases is withheld, so no one can be identified.
public enum DisclosureControl {
    public static let threshold = 5

    public static func count(_ n: Int) -> String {
        (1..<threshold).contains(n) ? "fewer than \(threshold)" : String(n)
    }

    /// "83%", or nil when the base is too small to publish (or empty).
    public static func percentage(_ part: Int, of whole: Int) -> String? {
        guard whole >= threshold else { return nil }
        return "\(Int((Double(part) * 100 / Double(whole)).rounded()))%"
    }

    /// Cases per 1,000 homes to one decimal place (NM01), or nil without a homes count.
    public static func perThousandHomes(_ cases: Int, homes: Int?) -> String? {
        TenantSatisfactionMeasures.perThousandHomes(cases, homes: homes).map { String(format: "%.1f", $0) }
    }
}
