import Foundation

/// How long milestones took, in the working time their rule counts (SS-MON-1): working hours
/// for `workingHours` rules, working days for `workingDays` rules, on the same calendar and the
/// same UK wall-clock days as the deadlines themselves.
extension ServiceClock {
    /// Working time from receipt to `end`, in the unit of `rule`.
    ///
    /// Working hours: the part of each working day between the two instants (a report received
    /// on a non-working day starts counting at 00:00 of the next working day, as deadlines do).
    /// Working days: the working days after the day of receipt up to and including the day of
    /// `end` (met on the day of receipt is 0).
    public static func elapsed(from receivedAt: Date, to end: Date, rule: DeadlineRule, calendar: WorkingCalendar) -> Double {
        guard end > receivedAt else { return 0 }
        let start = LondonTime.localDateTime(for: receivedAt), finish = LondonTime.localDateTime(for: end)
        switch rule {
        case .workingHours:
            var seconds = 0.0
            var day = start.date
            while day <= finish.date {
                if calendar.isWorkingDay(day) {
                    let from = day == start.date ? start.secondsIntoDay : 0
                    let to = day == finish.date ? finish.secondsIntoDay : 86_400
                    seconds += max(0, to - from)
                }
                day = day.adding(days: 1)
            }
            return seconds / 3600
        case .workingDays:
            var days = 0
            var day = start.date.adding(days: 1)
            while day <= finish.date {
                if calendar.isWorkingDay(day) { days += 1 }
                day = day.adding(days: 1)
            }
            return Double(days)
        }
    }
}

/// Medians and percentiles of a list of durations (nearest rank: always one of the values).
public enum Percentiles {
    public static func value(_ p: Double, of values: [Double]) -> Double? {
        value(p, ofSorted: values.sorted())
    }

    /// `value(p, of:)` of values already in ascending order.
    public static func value(_ p: Double, ofSorted sorted: [Double]) -> Double? {
        guard !sorted.isEmpty, (0...100).contains(p) else { return nil }
        let rank = max(1, Int((p / 100 * Double(sorted.count)).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }

    public static func median(_ values: [Double]) -> Double? { value(50, of: values) }
}
