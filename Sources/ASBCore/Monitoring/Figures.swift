import Foundation

/// How old an open case is (SS-MON-1): whole calendar months from the day it was received to the
/// day the caseload is counted, in UK dates.
public enum CaseloadAgeBand: String, Sendable, Codable, CaseIterable {
    case underOneMonth, oneToThreeMonths, threeToSixMonths, sixToTwelveMonths, twelveMonthsOrMore

    /// A case received on 15 March is under a month old up to 14 April, one to three months old
    /// from 15 April, and so on (month ends clamp as in `LocalDate.adding(months:)`).
    public init(receivedOn: LocalDate, asAt: LocalDate) {
        func reached(_ months: Int) -> Bool { asAt >= CaseworkDates.adding(months: months, to: receivedOn) }
        self = if reached(12) { .twelveMonthsOrMore } else if reached(6) { .sixToTwelveMonths } else if reached(3) { .threeToSixMonths }
            else if reached(1) { .oneToThreeMonths } else { .underOneMonth }
    }

    /// The whole months at which each band after `underOneMonth` starts.
    public var months: Int {
        switch self {
        case .underOneMonth: 0
        case .oneToThreeMonths: 1
        case .threeToSixMonths: 3
        case .sixToTwelveMonths: 6
        case .twelveMonthsOrMore: 12
        }
    }

    /// The last day of receipt at which a case is in this band or an older one as at `asAt`:
    /// a case received on or before it is at least `months` old. A band is then a range of
    /// receipt days, so a database can count the bands with plain comparisons.
    public func lastReceiptDay(asAt: LocalDate) -> LocalDate {
        guard months > 0 else { return asAt }
        // Adding months is monotonic in the day of receipt (month ends clamp), so the days that
        // have reached the band are all those up to one day near `asAt` less `months`.
        func reached(_ day: LocalDate) -> Bool { asAt >= CaseworkDates.adding(months: months, to: day) }
        var day = CaseworkDates.adding(months: -months, to: asAt)
        while !reached(day) { day = day.adding(days: -1) }
        while reached(day.adding(days: 1)) { day = day.adding(days: 1) }
        return day
    }

    public var displayName: String {
        switch self {
        case .underOneMonth: "Under 1 month"
        case .oneToThreeMonths: "1 to 3 months"
        case .threeToSixMonths: "3 to 6 months"
        case .sixToTwelveMonths: "6 to 12 months"
        case .twelveMonthsOrMore: "12 months or more"
        }
    }
}

/// Complaint handling times (SS-MON-5), as the Housing Ombudsman's Complaint Handling Code sets
/// them for a stage 1 complaint: acknowledged within 5 working days of receipt, and answered
/// (closed with an outcome) within 10 working days of the acknowledgement. Working days are those
/// of the case deadlines: the day of receipt does not count, and a step is on time up to the end
/// of the last working day.
public enum ComplaintTimeliness {
    public static let acknowledge = DeadlineRule.workingDays(5)
    public static let respond = DeadlineRule.workingDays(10)

    public static func acknowledgedOnTime(receivedAt: Date, acknowledgedAt: Date, calendar: WorkingCalendar) -> Bool {
        acknowledgedAt <= ServiceClock.dueAt(receivedAt: receivedAt, rule: acknowledge, calendar: calendar)
    }

    public static func respondedOnTime(acknowledgedAt: Date, closedAt: Date, calendar: WorkingCalendar) -> Bool {
        closedAt <= ServiceClock.dueAt(receivedAt: acknowledgedAt, rule: respond, calendar: calendar)
    }
}

/// Repeat victims in the published figures (SS-MON-1). The casework flag (`RepeatFlags`) looks
/// twelve months either way; a published figure must not change when later cases arrive, so the
/// figure looks back only: a person on the reporter or victim side of a case is a repeat victim
/// when they were on that side of another case received earlier, within the twelve months before.
extension RepeatFlags {
    /// Whether a case received at `receivedAt` follows another of the same person's cases (their
    /// other victim-side cases' receipt instants, this case left out) within twelve months.
    public static func followsEarlierCase(receivedAt: Date, earlierCasesReceivedAt: [Date]) -> Bool {
        let receivedOn = LondonTime.localDateTime(for: receivedAt).date
        let firstDay = window(around: receivedOn).lowerBound
        return earlierCasesReceivedAt.contains { other in
            other < receivedAt && LondonTime.localDateTime(for: other).date >= firstDay
        }
    }
}

extension Percentiles {
    /// The arithmetic mean, or nil for no values.
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}

/// Tenant Satisfaction Measure NM01 (the Regulator of Social Housing's technical requirements):
/// ASB cases opened in the reporting year per 1,000 homes owned, and those involving hate
/// incidents per 1,000 homes. A case is one report, or a series of reports about the same matter
/// while the case is open; a report after closure is a new case; hate cases count in both.
public enum TenantSatisfactionMeasures {
    /// Cases per 1,000 homes, rounded to one decimal place as published; nil without homes.
    public static func perThousandHomes(_ cases: Int, homes: Int?) -> Double? {
        guard let homes, homes > 0 else { return nil }
        return (Double(cases) * 10_000 / Double(homes)).rounded() / 10
    }
}
