import Foundation

// `Priority` (p1 = 1, p2 = 2, p3 = 3) is declared in Domain/Priority.swift.

/// A promised step whose time is measured against the service standard.
public enum Milestone: String, Sendable, Hashable, Codable, CaseIterable {
    /// Priorities 1 and 3: the landlord responds to the report.
    case response
    /// Priority 2: the report is acknowledged.
    case acknowledgement
    /// Priority 2: the investigation begins.
    case investigationStart

    /// For a person: "Response", "Acknowledgement", "Investigation start".
    public var displayName: String {
        switch self {
        case .response: "Response"
        case .acknowledgement: "Acknowledgement"
        case .investigationStart: "Investigation start"
        }
    }
}

/// How a due time is computed from the time a report was received (UK local time).
///
/// Stored and encoded as a short string, `"workingHours:24"` or `"workingDays:5"`.
public enum DeadlineRule: Sendable, Hashable, StorageStringCodable, CustomStringConvertible {
    public static let storageFormat = "\"workingHours:N\" or \"workingDays:N\""

    /// Due when this many hours that fall on working days have passed since receipt.
    ///
    /// Working hours are wall-clock hours: every working day contributes its whole local day,
    /// 00:00 to 24:00, as 24 hours, and the due time is computed as a UK wall-clock time and
    /// then converted to an instant. No working day has a clock change in the UK (they happen
    /// on Sundays), so this equals real elapsed working time; the real time from receipt to
    /// due can still differ from the wall-clock difference by an hour when a weekend with a
    /// clock change lies between them (Friday 15:00 GMT → Monday 15:00 BST is 71 real hours).
    /// A report received on a non-working day starts counting at 00:00 of the next working day.
    case workingHours(Int)
    /// Due at the end (24:00, the instant of 00:00 on the following calendar day) of the
    /// n-th working day after the day of receipt; the day of receipt never counts, whatever
    /// the time of receipt.
    case workingDays(Int)

    /// "24 working hours", "5 working days", "1 working day".
    public var description: String {
        switch self {
        case .workingHours(let hours): hours == 1 ? "1 working hour" : "\(hours) working hours"
        case .workingDays(let days): days == 1 ? "1 working day" : "\(days) working days"
        }
    }

    /// `"workingHours:24"` or `"workingDays:5"`, for storage.
    public var storageValue: String {
        switch self {
        case .workingHours(let hours): "workingHours:\(hours)"
        case .workingDays(let days): "workingDays:\(days)"
        }
    }

    /// Reads `storageValue`; `nil` for anything else.
    public init?(storageValue: String) {
        let parts = storageValue.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let amount = Int(parts[1]), amount >= 0 else { return nil }
        switch parts[0] {
        case "workingHours": self = .workingHours(amount)
        case "workingDays": self = .workingDays(amount)
        default: return nil
        }
    }
}

/// One milestone of a priority and the rule that times it.
public struct MilestoneRule: Sendable, Hashable, Codable {
    public let milestone: Milestone
    public let rule: DeadlineRule

    public init(milestone: Milestone, rule: DeadlineRule) {
        self.milestone = milestone
        self.rule = rule
    }
}

/// A milestone's due time, kept with the rule that produced it and an explanation a person
/// can read.
public struct Deadline: Sendable, Hashable, Codable {
    public let milestone: Milestone
    public let receivedAt: Date
    public let dueAt: Date
    public let rule: DeadlineRule
    private let explanationSource: ExplanationSource

    private enum ExplanationSource: Sendable {
        case text(String)
        /// Written on demand from the calendar the deadline was computed on, so computing
        /// deadlines in bulk costs no string work.
        case calendar(WorkingCalendar)
    }

    /// A deadline with a given explanation (for example one read back from storage).
    public init(
        milestone: Milestone, receivedAt: Date, dueAt: Date, rule: DeadlineRule,
        explanation: String
    ) {
        self.milestone = milestone
        self.receivedAt = receivedAt
        self.dueAt = dueAt
        self.rule = rule
        self.explanationSource = .text(explanation)
    }

    init(
        milestone: Milestone, receivedAt: Date, dueAt: Date, rule: DeadlineRule,
        calendar: WorkingCalendar
    ) {
        self.milestone = milestone
        self.receivedAt = receivedAt
        self.dueAt = dueAt
        self.rule = rule
        self.explanationSource = .calendar(calendar)
    }

    /// In British English, naming the receipt time, the non-working days skipped and the due
    /// time, for example "24 working hours from Thu 24 Dec 2026 16:00 GMT (only time on
    /// working days counts); skipped 25–28 Dec 2026 (Christmas Day, weekend, Boxing Day
    /// (substitute day)); due Tue 29 Dec 2026 16:00 GMT."
    ///
    /// For a deadline made by `ServiceClock` the text is written when read (a few
    /// microseconds), so keep the string if you need it more than once.
    public var explanation: String {
        switch explanationSource {
        case .text(let text):
            text
        case .calendar(let calendar):
            ServiceClock.explanation(
                rule: rule, receivedAt: receivedAt, dueAt: dueAt, calendar: calendar)
        }
    }

    /// The milestone's state: see `ServiceClock.state(dueAt:metAt:now:)`.
    public func state(metAt: Date?, now: Date) -> MilestoneState {
        ServiceClock.state(dueAt: dueAt, metAt: metAt, now: now)
    }

    // Equal when milestone, times, rule and explanation text are equal.

    public static func == (lhs: Deadline, rhs: Deadline) -> Bool {
        lhs.milestone == rhs.milestone && lhs.receivedAt == rhs.receivedAt
            && lhs.dueAt == rhs.dueAt && lhs.rule == rhs.rule
            && lhs.explanation == rhs.explanation
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(milestone)
        hasher.combine(receivedAt)
        hasher.combine(dueAt)
        hasher.combine(rule)
    }

    private enum CodingKeys: String, CodingKey {
        case milestone, receivedAt, dueAt, rule, explanation
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            milestone: try container.decode(Milestone.self, forKey: .milestone),
            receivedAt: try container.decode(Date.self, forKey: .receivedAt),
            dueAt: try container.decode(Date.self, forKey: .dueAt),
            rule: try container.decode(DeadlineRule.self, forKey: .rule),
            explanation: try container.decode(String.self, forKey: .explanation))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(milestone, forKey: .milestone)
        try container.encode(receivedAt, forKey: .receivedAt)
        try container.encode(dueAt, forKey: .dueAt)
        try container.encode(rule, forKey: .rule)
        try container.encode(explanation, forKey: .explanation)
    }
}

/// Where a milestone stands against its due time.
public enum MilestoneState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Not yet recorded, and the due time has not passed.
    case pending
    /// Recorded at or before the due time.
    case met
    /// Recorded after the due time, or not recorded and the due time has passed.
    case breached

    /// Met when the event is recorded at or before `dueAt` (whatever `now` is); breached when
    /// it is recorded after `dueAt`, or is still unrecorded once `now` is past `dueAt`;
    /// pending otherwise (unrecorded, and `now` is at or before `dueAt`).
    public static func state(dueAt: Date, metAt: Date?, now: Date) -> MilestoneState {
        if let metAt { return metAt <= dueAt ? .met : .breached }
        return now > dueAt ? .breached : .pending
    }
}

/// The response-time clocks of the service standard (SS-RT-2, SS-RT-3, SS-RT-4), in UK local
/// time (Europe/London), on a `WorkingCalendar`.
///
/// - Priority 1: response within 24 working hours (SS-RT-2).
/// - Priority 2: acknowledgement within 24 working hours; investigation begins within
///   5 working days (SS-RT-3).
/// - Priority 3: response within 10 working days (SS-RT-4).
///
/// Every function is pure: the receipt time, the current time and the calendar are arguments.
public enum ServiceClock {
    /// The service standard clause that sets the response times of `priority`.
    public static func clause(for priority: Priority) -> String {
        switch priority {
        case .p1: "SS-RT-2"
        case .p2: "SS-RT-3"
        case .p3: "SS-RT-4"
        }
    }

    /// The milestones of `priority` and their rules, in the order they fall due.
    public static func schedule(for priority: Priority) -> [MilestoneRule] {
        switch priority {
        case .p1:
            [MilestoneRule(milestone: .response, rule: .workingHours(24))]
        case .p2:
            [
                MilestoneRule(milestone: .acknowledgement, rule: .workingHours(24)),
                MilestoneRule(milestone: .investigationStart, rule: .workingDays(5)),
            ]
        case .p3:
            [MilestoneRule(milestone: .response, rule: .workingDays(10))]
        }
    }

    /// The deadlines of a report of `priority` received at `receivedAt`.
    public static func deadlines(
        receivedAt: Date, priority: Priority, calendar: WorkingCalendar
    ) -> [Deadline] {
        schedule(for: priority).map {
            deadline(for: $0.milestone, rule: $0.rule, receivedAt: receivedAt, calendar: calendar)
        }
    }

    /// One deadline, with its explanation.
    public static func deadline(
        for milestone: Milestone, rule: DeadlineRule, receivedAt: Date, calendar: WorkingCalendar
    ) -> Deadline {
        Deadline(
            milestone: milestone, receivedAt: receivedAt,
            dueAt: dueAt(receivedAt: receivedAt, rule: rule, calendar: calendar), rule: rule,
            calendar: calendar)
    }

    /// The due time alone: the fast path (no allocation), for bulk recomputation.
    ///
    /// The arithmetic is done in UK wall-clock time and the result converted to an instant:
    /// `.workingHours(n)` counts the wall-clock time of working days from receipt (each working
    /// day is 00:00–24:00, 24 hours; a receipt on a non-working day starts at 00:00 of the next
    /// working day) and is due when n hours have been counted; `.workingDays(n)` is due at
    /// 00:00 after the n-th working day following the day of receipt. See `DeadlineRule`.
    public static func dueAt(receivedAt: Date, rule: DeadlineRule, calendar: WorkingCalendar)
        -> Date
    {
        let receipt = LondonTime.localSeconds(for: receivedAt)
        var day = Int((receipt / secondsPerDay).rounded(.down))
        switch rule {
        case .workingHours(let hours):
            // Walk forward day by day, taking what is left of each working day.
            var remaining = Double(max(hours, 0)) * 3600
            var position = receipt  // local seconds; the start of `day` after the first day
            while true {
                if calendar.isWorkingDay(daysSince1970: day) {
                    let endOfDay = Double(day + 1) * secondsPerDay
                    let available = endOfDay - position
                    if remaining <= available {
                        return LondonTime.date(localSeconds: position + remaining)
                    }
                    remaining -= available
                }
                day += 1
                position = Double(day) * secondsPerDay
            }
        case .workingDays(let count):
            var found = 0
            while found < count {
                day += 1
                if calendar.isWorkingDay(daysSince1970: day) { found += 1 }
            }
            // The end of the n-th working day: 00:00 on the next calendar day.
            return LondonTime.date(localSeconds: Double(day + 1) * secondsPerDay)
        }
    }

    /// Met when the event is recorded at or before the due time; breached when it is recorded
    /// after the due time, or is still unrecorded once `now` is past it; pending otherwise.
    public static func state(dueAt: Date, metAt: Date?, now: Date) -> MilestoneState {
        MilestoneState.state(dueAt: dueAt, metAt: metAt, now: now)
    }

    // MARK: Explanation

    /// A British English account of how `dueAt` follows from `receivedAt` under `rule`.
    public static func explanation(
        rule: DeadlineRule, receivedAt: Date, dueAt: Date, calendar: WorkingCalendar
    ) -> String {
        let receipt = LondonTime.localDateTime(for: receivedAt)
        let due = LondonTime.localDateTime(for: dueAt)
        // The last calendar day the clock runs on: a due time of 00:00 ends the day before.
        let lastDay = due.secondsIntoDay == 0 ? due.date.adding(days: -1) : due.date
        var text = "\(rule) from \(format(receivedAt))"
        let firstDay: LocalDate
        switch rule {
        case .workingHours:
            text += " (only time on working days counts)"
            firstDay = receipt.date
            if !calendar.isWorkingDay(receipt.date) {
                let start = calendar.nextWorkingDay(after: receipt.date)
                text += "; received on a non-working day, so counting began at 00:00 on "
                text += format(start)
            }
        case .workingDays:
            text += " (the day of receipt does not count)"
            firstDay = receipt.date.adding(days: 1)
        }
        text += "; " + skippedDays(from: firstDay, through: lastDay, calendar: calendar)
        switch rule {
        case .workingHours:
            text += "; due \(format(dueAt))"
            if due.secondsIntoDay == 0 { text += " (the end of \(format(lastDay)))" }
        case .workingDays:
            text += "; due at the end of \(format(lastDay)) (\(format(dueAt)))"
        }
        return text + "."
    }

    /// "skipped 25–28 Dec 2026 (Christmas Day, weekend, Boxing Day (substitute day))", one
    /// entry per run of consecutive non-working days, or "no non-working days skipped".
    static func skippedDays(from first: LocalDate, through last: LocalDate, calendar: WorkingCalendar)
        -> String
    {
        guard first <= last else { return "no non-working days skipped" }
        var namesByDate: [LocalDate: [String]] = [:]
        for year in first.year...last.year {
            for holiday in calendar.holidays(in: year) {
                namesByDate[holiday.date, default: []].append(holiday.name)
            }
        }
        var runs: [String] = []
        var runStart: LocalDate?
        var runEnd = first
        var reasons: [String] = []
        func closeRun() {
            if let start = runStart {
                runs.append("\(formatRange(start, runEnd)) (\(reasons.joined(separator: ", ")))")
            }
            runStart = nil
            reasons = []
        }
        var day = first
        while day <= last {
            if calendar.isWorkingDay(day) {
                closeRun()
            } else {
                if runStart == nil { runStart = day }
                runEnd = day
                for reason in namesByDate[day] ?? ["weekend"] where !reasons.contains(reason) {
                    reasons.append(reason)
                }
            }
            day = day.adding(days: 1)
        }
        closeRun()
        return runs.isEmpty ? "no non-working days skipped" : "skipped " + runs.joined(separator: "; ")
    }

    // MARK: Formatting (fixed British English, independent of the server's locale)

    private static let secondsPerDay: Double = 86_400
    private static let monthNames = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// "Thu 24 Dec 2026".
    static func format(_ date: LocalDate) -> String {
        "\(date.weekday.shortName) \(date.day) \(monthNames[date.month - 1]) \(date.year)"
    }

    /// "Thu 24 Dec 2026 16:00 GMT" (seconds shown only when not zero).
    static func format(_ instant: Date) -> String {
        let local = LondonTime.localDateTime(for: instant)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var time = "\(two(local.hour)):\(two(local.minute))"
        if local.second != 0 { time += ":\(two(local.second))" }
        return "\(format(local.date)) \(time) \(LondonTime.abbreviation(at: instant))"
    }

    /// "Sat 28 Nov 2026", "25–28 Dec 2026", "30 Nov – 1 Dec 2026", "31 Dec 2026 – 3 Jan 2027".
    static func formatRange(_ start: LocalDate, _ end: LocalDate) -> String {
        if start == end { return format(start) }
        let endText = "\(end.day) \(monthNames[end.month - 1]) \(end.year)"
        if start.year != end.year {
            return "\(start.day) \(monthNames[start.month - 1]) \(start.year) – \(endText)"
        }
        if start.month != end.month {
            return "\(start.day) \(monthNames[start.month - 1]) – \(endText)"
        }
        return "\(start.day)–\(endText)"
    }
}
