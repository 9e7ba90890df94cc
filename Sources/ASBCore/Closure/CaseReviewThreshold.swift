import Foundation

/// The local threshold for an ASB Case Review (the "community trigger", Anti-social Behaviour,
/// Crime and Policing Act 2014 s.104), on which the Community Safety Partnership offers advocacy
/// and information (SS-PRT-1). Each local partnership sets its own threshold; an admin may change it.
public struct CaseReviewThresholdConfig: Sendable, Equatable, Codable {
    /// Qualifying reports about the same problem needed…
    public var reportsNeeded: Int = 3
    /// …in the last this many calendar months.
    public var windowMonths: Int = 6
    /// Or this many qualifying hate crime or hate incident reports in the same window; 0 turns the hate rule off.
    public var hateReportsNeeded: Int = 1
    /// A report qualifies when it was made within this many days of the behaviour (one month).
    public var reportWithinDaysOfBehaviour: Int = 31
    /// A review must be requested within this many calendar months of the latest qualifying report.
    public var applicationWindowMonths: Int = 6

    public init(reportsNeeded: Int = 3, windowMonths: Int = 6, hateReportsNeeded: Int = 1,
                reportWithinDaysOfBehaviour: Int = 31, applicationWindowMonths: Int = 6) {
        self.reportsNeeded = reportsNeeded
        self.windowMonths = windowMonths
        self.hateReportsNeeded = hateReportsNeeded
        self.reportWithinDaysOfBehaviour = reportWithinDaysOfBehaviour
        self.applicationWindowMonths = applicationWindowMonths
    }

    /// The threshold of the Southend Community Safety Partnership: three reports about the same
    /// problem in six months, or one hate crime or hate incident report, each made within a month
    /// of the behaviour; a review requested within six months of the reports.
    public static let southEssexDefault = CaseReviewThresholdConfig()

    /// Whether the hate crime or hate incident rule applies (`hateReportsNeeded` > 0).
    public var hateRuleOn: Bool { hateReportsNeeded > 0 }

    /// The problems of a configuration an admin submits: reports needed 1…100, window 1…60 months,
    /// hate reports needed 0…100, days 0…366, application window 1…60 months.
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        func check(_ value: Int, _ range: ClosedRange<Int>, _ field: String, _ what: String) {
            if !range.contains(value) {
                errors.append(FieldError(field, "\(what) must be from \(range.lowerBound) to \(range.upperBound)."))
            }
        }
        check(reportsNeeded, 1...100, "reportsNeeded", "The number of reports needed")
        check(windowMonths, 1...60, "windowMonths", "The window in months")
        check(hateReportsNeeded, 0...100, "hateReportsNeeded", "The number of hate reports needed (0 turns the rule off)")
        check(reportWithinDaysOfBehaviour, 0...366, "reportWithinDaysOfBehaviour", "The days allowed between the behaviour and the report")
        check(applicationWindowMonths, 1...60, "applicationWindowMonths", "The application window in months")
        return errors
    }

    private enum CodingKeys: String, CodingKey {
        case reportsNeeded, windowMonths, hateReportsNeeded, reportWithinDaysOfBehaviour, applicationWindowMonths
    }

    /// Decodes a configuration; a missing key keeps its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = CaseReviewThresholdConfig()
        reportsNeeded = try container.decodeIfPresent(Int.self, forKey: .reportsNeeded) ?? defaults.reportsNeeded
        windowMonths = try container.decodeIfPresent(Int.self, forKey: .windowMonths) ?? defaults.windowMonths
        hateReportsNeeded = try container.decodeIfPresent(Int.self, forKey: .hateReportsNeeded) ?? defaults.hateReportsNeeded
        reportWithinDaysOfBehaviour = try container.decodeIfPresent(Int.self, forKey: .reportWithinDaysOfBehaviour)
            ?? defaults.reportWithinDaysOfBehaviour
        applicationWindowMonths = try container.decodeIfPresent(Int.self, forKey: .applicationWindowMonths)
            ?? defaults.applicationWindowMonths
    }
}

/// One report on a case, as far as the case review threshold needs to know it.
public struct QualifyingReportCandidate: Sendable, Equatable {
    /// The UK local date the report was received.
    public var receivedOn: LocalDate
    /// The date the behaviour happened, when known.
    public var occurredOn: LocalDate?
    /// Reported as a hate crime or hate incident (SS-DEF-2).
    public var hate: Bool

    public init(receivedOn: LocalDate, occurredOn: LocalDate?, hate: Bool) {
        self.receivedOn = receivedOn
        self.occurredOn = occurredOn
        self.hate = hate
    }
}

/// Whether the case review threshold is met, and why.
public struct CaseReviewThresholdResult: Sendable, Equatable {
    public var met: Bool
    /// Qualifying reports in the window (hate reports included).
    public var qualifyingReports: Int
    /// Of those, the hate crime or hate incident reports.
    public var qualifyingHateReports: Int
    /// Plain English: why it is met or not, with the numbers and the rule.
    public var explanation: String
    /// The date of the latest qualifying report in the window (for `isWithinApplicationWindow`), if any.
    public var latestQualifyingReportOn: LocalDate?
    /// Reports in the window that do not qualify because they were made too long after the
    /// behaviour (or are dated before it happened).
    public var lateReports: Int

    public init(met: Bool, qualifyingReports: Int, qualifyingHateReports: Int, explanation: String,
                latestQualifyingReportOn: LocalDate? = nil, lateReports: Int = 0) {
        self.met = met
        self.qualifyingReports = qualifyingReports
        self.qualifyingHateReports = qualifyingHateReports
        self.explanation = explanation
        self.latestQualifyingReportOn = latestQualifyingReportOn
        self.lateReports = lateReports
    }
}

/// The ASB Case Review threshold (SS-PRT-1, 2014 Act s.104), with the numbers of
/// `CaseReviewThresholdConfig`.
///
/// Month arithmetic: "N months before (or after) a date" is the same day N calendar months
/// earlier (or later), clamped to the end of a shorter month (31 August less six months is
/// 28 February, or 29 February in a leap year).
public enum CaseReviewThreshold {
    /// The date `months` calendar months after `date` (before it when negative), clamped to the month's end.
    public static func shift(_ date: LocalDate, months: Int) -> LocalDate {
        let index = date.year * 12 + (date.month - 1) + months
        let year = index >= 0 ? index / 12 : (index - 11) / 12
        let month = index - year * 12 + 1
        let day = min(date.day, LocalDate.daysInMonth(year: year, month: month))
        return LocalDate(year: year, month: month, day: day)!
    }

    /// The first day of the window: `windowMonths` calendar months before `today`. The window runs
    /// from this day to `today`, both included.
    public static func windowStart(today: LocalDate, config: CaseReviewThresholdConfig) -> LocalDate {
        shift(today, months: -config.windowMonths)
    }

    /// Whether a report qualifies, wherever it falls in time: the date of the behaviour is unknown,
    /// or it is not after the report and at most `reportWithinDaysOfBehaviour` days before it.
    public static func qualifies(_ report: QualifyingReportCandidate, config: CaseReviewThresholdConfig) -> Bool {
        guard let occurredOn = report.occurredOn else { return true }
        return occurredOn <= report.receivedOn
            && occurredOn.days(until: report.receivedOn) <= config.reportWithinDaysOfBehaviour
    }

    /// Counts the qualifying reports received in the window (from `windowMonths` calendar months
    /// before `today` to `today`, both included; reports dated after `today` are ignored) and
    /// decides the threshold: met with at least `reportsNeeded` qualifying reports, or at least
    /// `hateReportsNeeded` qualifying hate crime or hate incident reports when that rule is on.
    public static func evaluate(_ reports: [QualifyingReportCandidate], today: LocalDate,
                                config: CaseReviewThresholdConfig) -> CaseReviewThresholdResult {
        let start = windowStart(today: today, config: config)
        let inWindow = reports.filter { $0.receivedOn >= start && $0.receivedOn <= today }
        let qualifying = inWindow.filter { qualifies($0, config: config) }
        let hate = qualifying.filter(\.hate).count
        let late = inWindow.count - qualifying.count
        let metByCount = qualifying.count >= config.reportsNeeded
        let metByHate = config.hateRuleOn && hate >= config.hateReportsNeeded
        let met = metByCount || metByHate

        var text = "The threshold for an ASB Case Review is \(met ? "met" : "not met"): "
            + (qualifying.isEmpty ? "no qualifying reports" : ClosureWording.count(qualifying.count, "qualifying report"))
            + " in the last "
            + "\(ClosureWording.count(config.windowMonths, "month")) (since \(ClosureWording.date(start)))"
        if config.hateRuleOn {
            switch (qualifying.count, hate) {
            case (0, _): break
            case (1, 0): text += ", not about a hate crime or hate incident"
            case (1, _): text += ", about a hate crime or hate incident"
            case (_, 0): text += ", none of them about a hate crime or hate incident"
            default: text += ", \(hate) of them about a hate crime or hate incident"
            }
        }
        text += ". The threshold is \(ClosureWording.count(config.reportsNeeded, "report")) about the same problem in "
            + "\(ClosureWording.count(config.windowMonths, "month"))"
        if config.hateRuleOn {
            text += ", or \(ClosureWording.count(config.hateReportsNeeded, "hate crime or hate incident report"))"
        }
        text += ", each made within \(ClosureWording.count(config.reportWithinDaysOfBehaviour, "day")) of the behaviour."
        let datedBefore = inWindow.filter { report in report.occurredOn.map { $0 > report.receivedOn } ?? false }.count
        let tooLate = late - datedBefore
        if tooLate > 0 {
            text += " \(ClosureWording.count(tooLate, "report")) in that time \(tooLate == 1 ? "does" : "do") not count, "
                + "because \(tooLate == 1 ? "it was" : "they were") made more than "
                + "\(ClosureWording.count(config.reportWithinDaysOfBehaviour, "day")) after the behaviour."
        }
        if datedBefore > 0 {
            text += " \(ClosureWording.count(datedBefore, "report")) in that time \(datedBefore == 1 ? "does" : "do") not count, "
                + "because the behaviour is dated after the report: check the dates."
        }

        return CaseReviewThresholdResult(
            met: met, qualifyingReports: qualifying.count, qualifyingHateReports: hate, explanation: text,
            latestQualifyingReportOn: qualifying.map(\.receivedOn).max(), lateReports: late)
    }

    /// Whether an application made on `appliedOn` falls within the application window: not before
    /// the latest qualifying report, and at most `applicationWindowMonths` calendar months after it
    /// (the last day included).
    public static func isWithinApplicationWindow(appliedOn: LocalDate, latestQualifyingReportOn: LocalDate,
                                                 config: CaseReviewThresholdConfig) -> Bool {
        appliedOn >= latestQualifyingReportOn
            && appliedOn <= shift(latestQualifyingReportOn, months: config.applicationWindowMonths)
    }

    /// Why an anonymous reporter cannot apply for an ASB Case Review, in plain English.
    public static let anonymousCannotApply =
        "An ASB Case Review cannot be requested anonymously: the review needs to know who is applying, "
        + "so that it can tell you the outcome. Give your name and a way to contact you, or ask the "
        + "Community Safety Partnership for advocacy and information about the ASB Case Review."
}
