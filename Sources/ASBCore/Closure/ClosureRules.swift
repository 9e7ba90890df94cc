import Foundation

/// Why a case is closed: the only five reasons the service standard allows (SS-CLS-1).
/// Stored and exchanged as its raw value.
public enum ClosureReason: String, Sendable, Codable, CaseIterable {
    /// The reporter withdraws the complaint.
    case withdrawn
    /// The case has been resolved.
    case resolved
    /// The action plan has not been adhered to (for example, actions not completed by the complainant).
    case actionPlanNotAdheredTo
    /// Appropriate actions have been exhausted (the reasons are explained to the reporter).
    case actionsExhausted
    /// There have been no new reports for 60 days.
    case noNewReports

    /// Closing for this reason needs a team leader's approval: the two reasons that close a case
    /// the reporter may still want open (the plan was not adhered to, or actions are exhausted).
    public var needsTeamLeaderApproval: Bool {
        switch self {
        case .actionPlanNotAdheredTo, .actionsExhausted: true
        case .withdrawn, .resolved, .noNewReports: false
        }
    }

    /// Closing for this reason needs an explanation for the reporter (SS-CLS-1: "the reasons for
    /// this will be explained to you").
    public var needsExplanation: Bool {
        switch self {
        case .actionPlanNotAdheredTo, .actionsExhausted: true
        case .withdrawn, .resolved, .noNewReports: false
        }
    }

    /// The reason as the customer guide words it, in British English.
    public var displayName: String {
        switch self {
        case .withdrawn: "The reporter withdrew the complaint"
        case .resolved: "The case has been resolved"
        case .actionPlanNotAdheredTo: "The action plan has not been adhered to"
        case .actionsExhausted: "Appropriate actions have been exhausted"
        case .noNewReports: "No new reports for 60 days"
        }
    }
}

/// What the rules need to know about a proposal to close a case (SS-CLS-1).
public struct ClosureProposalFacts: Sendable, Equatable {
    public var reason: ClosureReason
    /// The explanation for the reporter; every closure message carries it. Required for the
    /// reasons whose `needsExplanation` is true, optional (but length-checked) otherwise.
    public var explanation: String?
    /// For `withdrawn`: how the reporter withdrew (for example "by phone to the officer"). Ignored otherwise.
    public var withdrawalHow: String?
    /// For `withdrawn`: the date the reporter withdrew. Ignored otherwise.
    public var withdrawalOn: LocalDate?
    /// How many of the reporter's actions in the plan were missed (`Adherence.reporterActionsMissed`).
    public var reporterActionsMissed: Int
    /// The date of the latest incident on the case.
    public var lastIncidentOn: LocalDate
    /// The date the proposal is made (UK local date).
    public var today: LocalDate

    public init(reason: ClosureReason, explanation: String? = nil, withdrawalHow: String? = nil,
                withdrawalOn: LocalDate? = nil, reporterActionsMissed: Int = 0,
                lastIncidentOn: LocalDate, today: LocalDate) {
        self.reason = reason
        self.explanation = explanation
        self.withdrawalHow = withdrawalHow
        self.withdrawalOn = withdrawalOn
        self.reporterActionsMissed = reporterActionsMissed
        self.lastIncidentOn = lastIncidentOn
        self.today = today
    }
}

/// How the landlord contacted the reporter about closing their case (SS-CLS-2).
/// Stored and exchanged as its raw value.
public enum ClosureContactMethod: String, Sendable, Codable, CaseIterable {
    case visit
    case phone
    case letter

    /// A visit or a phone call: the two ways the standard promises to agree a closure.
    public var isVisitOrPhone: Bool { self == .visit || self == .phone }

    /// The method in words, for messages.
    public var displayName: String {
        switch self {
        case .visit: "visit"
        case .phone: "phone call"
        case .letter: "letter"
        }
    }
}

/// What came of a closure contact. `agreed`, `disagreed` and `noAnswer` are for visits and
/// calls; `sent` is for letters. Stored and exchanged as its raw value.
public enum ClosureContactOutcome: String, Sendable, Codable, CaseIterable {
    /// The reporter agreed the case can close.
    case agreed
    /// The reporter was reached but does not agree (the approver is shown this).
    case disagreed
    /// The reporter could not be reached.
    case noAnswer
    /// A closure letter was sent.
    case sent

    /// The outcome in words, for messages.
    public var displayName: String {
        switch self {
        case .agreed: "agreed"
        case .disagreed: "disagreed"
        case .noAnswer: "no answer"
        case .sent: "sent"
        }
    }
}

/// One contact with the reporter about closing their case (SS-CLS-2), recorded after the proposal.
public struct ClosureContact: Sendable, Equatable, Codable {
    public var method: ClosureContactMethod
    public var outcome: ClosureContactOutcome
    /// The UK local date of the contact.
    public var on: LocalDate

    public init(method: ClosureContactMethod, outcome: ClosureContactOutcome, on: LocalDate) {
        self.method = method
        self.outcome = outcome
        self.on = on
    }

    /// A visit or call in which the reporter was reached and gave their view (agreed or disagreed).
    public var isAgreementContact: Bool {
        method.isVisitOrPhone && (outcome == .agreed || outcome == .disagreed)
    }

    /// A visit or call in which the reporter could not be reached.
    public var isUnansweredAttempt: Bool { method.isVisitOrPhone && outcome == .noAnswer }

    /// A closure letter sent to the reporter.
    public var isLetterSent: Bool { method == .letter && outcome == .sent }
}

/// What the rules need to know to close a case formally (SS-CLS-1, SS-CLS-2).
public struct ClosureFacts: Sendable, Equatable {
    public var reason: ClosureReason
    /// The case was reported anonymously: there is nobody to visit or phone.
    public var anonymous: Bool
    /// The closure contacts recorded after the proposal, in any order.
    public var contacts: [ClosureContact]
    /// A team leader has approved the closure.
    public var approvedByTeamLeader: Bool

    public init(reason: ClosureReason, anonymous: Bool, contacts: [ClosureContact], approvedByTeamLeader: Bool) {
        self.reason = reason
        self.anonymous = anonymous
        self.contacts = contacts
        self.approvedByTeamLeader = approvedByTeamLeader
    }
}

/// The rules for closing a case (SS-CLS-1, SS-CLS-2).
///
/// Closing happens in two steps. A **proposal** names one of the five reasons (`validateProposal`
/// for the fields, then `checkProposal` for the rules), and moves the case to `closurePending`.
/// The **formal closure** (`checkClosure`) then needs the closure contact with the reporter, and,
/// for the reasons that need it, a team leader's approval.
public enum ClosureRules {
    /// The "no new reports for 60 days" reason: calendar days since the last incident (SS-CLS-1).
    public static let noNewReportsDays = 60
    /// The longest explanation for the reporter, in characters.
    public static let explanationLimit = 2000
    /// The longest description of how the reporter withdrew, in characters.
    public static let withdrawalHowLimit = 500
    /// Unanswered visits or calls, on different days, needed before a letter can stand in for the
    /// closure contact (SS-CLS-2).
    public static let unansweredAttemptsNeeded = 2

    /// Rule codes, stable and machine-readable.
    public static let tooSoonForNoNewReportsCode = "closure.tooSoonForNoNewReports"
    public static let planWasAdheredToCode = "closure.planWasAdheredTo"
    public static let needsAgreementCallCode = "closure.needsAgreementCall"
    public static let needsApprovalCode = "closure.needsApproval"

    /// The field problems of a closure proposal (each one becomes part of a 422 answer):
    /// - `withdrawn` needs `withdrawalHow` (not blank, at most `withdrawalHowLimit` characters)
    ///   and `withdrawalOn` (not after `today`);
    /// - `actionPlanNotAdheredTo` and `actionsExhausted` need an `explanation` for the reporter that is not blank;
    /// - any explanation given is at most `explanationLimit` characters.
    /// Withdrawal details given with another reason are ignored.
    public static func validateProposal(_ facts: ClosureProposalFacts) -> [FieldError] {
        var errors: [FieldError] = []
        let explanation = (facts.explanation ?? "").trimmingWhitespace()
        if explanation.isEmpty {
            if facts.reason.needsExplanation {
                errors.append(FieldError(
                    "explanation",
                    "Explain to the reporter why the case is closing (\(facts.reason.displayName.lowercased()))."))
            }
        } else if explanation.count > explanationLimit {
            errors.append(FieldError("explanation", "The explanation must be \(explanationLimit) characters or fewer."))
        }

        if facts.reason == .withdrawn {
            let how = (facts.withdrawalHow ?? "").trimmingWhitespace()
            if how.isEmpty {
                errors.append(FieldError(
                    "withdrawalHow", "Say how the reporter withdrew the complaint, for example by phone or by email."))
            } else if how.count > withdrawalHowLimit {
                errors.append(FieldError("withdrawalHow", "How the reporter withdrew must be \(withdrawalHowLimit) characters or fewer."))
            }
            if let on = facts.withdrawalOn {
                if on > facts.today {
                    errors.append(FieldError("withdrawalOn", "The date the reporter withdrew cannot be in the future."))
                }
            } else {
                errors.append(FieldError("withdrawalOn", "Give the date the reporter withdrew the complaint."))
            }
        }
        return errors
    }

    /// The rules of a proposal whose fields are valid (a refusal becomes a 409 answer):
    /// - `noNewReports` only once `lastIncidentOn` is at least `noNewReportsDays` (60) calendar days
    ///   before `today` (`closure.tooSoonForNoNewReports`, SS-CLS-1; the reason says how many days remain);
    /// - `actionPlanNotAdheredTo` only when the reporter missed at least one of their actions
    ///   (`closure.planWasAdheredTo`, SS-CLS-1).
    /// The other reasons are always allowed.
    public static func checkProposal(_ facts: ClosureProposalFacts) throws(RuleViolation) {
        switch facts.reason {
        case .noNewReports:
            let days = daysSinceLastIncident(facts.lastIncidentOn, today: facts.today)
            guard days >= noNewReportsDays else {
                let remaining = noNewReportsDays - days
                let from = facts.lastIncidentOn.adding(days: noNewReportsDays)
                let since = days < 0
                    ? "the last incident is dated \(ClosureWording.date(facts.lastIncidentOn)), after today"
                    : "the last incident was on \(ClosureWording.date(facts.lastIncidentOn)), "
                        + (days == 0 ? "today" : "\(ClosureWording.count(days, "day")) ago")
                throw RuleViolation(
                    code: tooSoonForNoNewReportsCode, clause: "SS-CLS-1",
                    reason: "A case closes for no new reports only after \(noNewReportsDays) days without one: "
                        + "\(since). It can be proposed for closure on this reason in "
                        + "\(ClosureWording.count(remaining, "day")), from \(ClosureWording.date(from)).")
            }
        case .actionPlanNotAdheredTo:
            guard facts.reporterActionsMissed >= 1 else {
                throw RuleViolation(
                    code: planWasAdheredToCode, clause: "SS-CLS-1",
                    reason: "The reporter has missed none of their actions in the action plan, so the case cannot close "
                        + "because the plan was not adhered to. Record the missed actions first, or choose another reason.")
            }
        case .withdrawn, .resolved, .actionsExhausted:
            break
        }
    }

    /// The rules of the formal closure:
    /// 1. SS-CLS-2, unless the case is anonymous: the reporter was reached by a visit or phone call
    ///    and agreed or disagreed; or, when they could not be reached, there were at least two
    ///    unanswered visits or calls on two different days **and** a closure letter was sent
    ///    (in any order). Otherwise `closure.needsAgreementCall`, naming what is missing.
    /// 2. SS-CLS-1: a reason that needs a team leader's approval has it; otherwise `closure.needsApproval`.
    /// A reporter's disagreement does not stop the closure: the approver sees it (`reporterDisagreed`).
    public static func checkClosure(_ facts: ClosureFacts) throws(RuleViolation) {
        if !facts.anonymous, let missing = missingClosureContact(facts.contacts) {
            throw RuleViolation(code: needsAgreementCallCode, clause: "SS-CLS-2", reason: missing)
        }
        if facts.reason.needsTeamLeaderApproval && !facts.approvedByTeamLeader {
            throw RuleViolation(
                code: needsApprovalCode, clause: "SS-CLS-1",
                reason: "Closing a case for this reason (\(facts.reason.displayName.lowercased())) needs a team leader's "
                    + "approval: ask a team leader to approve the closure.")
        }
    }

    /// Whether the closure contacts meet SS-CLS-2 (see `checkClosure`), ignoring anonymity.
    public static func hasClosureContact(_ contacts: [ClosureContact]) -> Bool {
        missingClosureContact(contacts) == nil
    }

    /// What the closure contacts still lack for SS-CLS-2, in plain English, or `nil` when nothing is missing.
    public static func missingClosureContact(_ contacts: [ClosureContact]) -> String? {
        if contacts.contains(where: \.isAgreementContact) { return nil }
        let attemptDays = Set(contacts.filter(\.isUnansweredAttempt).map(\.on))
        let attempts = contacts.filter(\.isUnansweredAttempt).count
        let letterSent = contacts.contains(where: \.isLetterSent)
        if attemptDays.count >= unansweredAttemptsNeeded && letterSent { return nil }

        var needed: [String] = []
        switch attemptDays.count {
        case 0:
            needed.append("two unanswered visits or calls on different days")
        case 1:
            needed.append(attempts > 1
                ? "another unanswered visit or call on a different day (attempts on the same day count once)"
                : "a second unanswered visit or call on a different day")
        default:
            break
        }
        if !letterSent { needed.append("a closure letter sent to the reporter") }

        let tried = attempts == 0
            ? "No visit or phone call has reached the reporter to agree the closure."
            : "The reporter has not been reached to agree the closure (\(ClosureWording.count(attempts, "unanswered attempt")) "
                + "on \(ClosureWording.count(attemptDays.count, "day")))."
        return tried + " Visit or phone them and record whether they agree; if they cannot be reached, record "
            + needed.joined(separator: " and ") + "."
    }

    /// Whether the reporter disagreed with the closure in any contact (recorded with the outcome
    /// `disagreed`, by whatever method). The approver is shown this.
    public static func reporterDisagreed(_ contacts: [ClosureContact]) -> Bool {
        contacts.contains { $0.outcome == .disagreed }
    }

    /// Calendar days from the last incident to `today` (0 on the same day; negative if the incident is dated later).
    public static func daysSinceLastIncident(_ lastIncidentOn: LocalDate, today: LocalDate) -> Int {
        lastIncidentOn.days(until: today)
    }

    /// Whether the case is due for a closure review under the 60-day rule: at least
    /// `noNewReportsDays` calendar days since the last incident.
    public static func isDueForClosureReview(lastIncidentOn: LocalDate, today: LocalDate) -> Bool {
        daysSinceLastIncident(lastIncidentOn, today: today) >= noNewReportsDays
    }

    /// The first date on which the 60-day rule allows a `noNewReports` closure.
    public static func noNewReportsEligibleOn(lastIncidentOn: LocalDate) -> LocalDate {
        lastIncidentOn.adding(days: noNewReportsDays)
    }

    /// The field problems of a closure contact about to be recorded: a letter's outcome is `sent`;
    /// a visit's or call's outcome is `agreed`, `disagreed` or `noAnswer`; the date is not after `today`.
    public static func validateContact(_ contact: ClosureContact, today: LocalDate) -> [FieldError] {
        var errors: [FieldError] = []
        if contact.method == .letter && contact.outcome != .sent {
            errors.append(FieldError("outcome", "A closure letter is recorded as sent."))
        } else if contact.method.isVisitOrPhone && contact.outcome == .sent {
            errors.append(FieldError(
                "outcome", "Record whether the reporter agreed, disagreed or could not be reached on the \(contact.method.displayName)."))
        }
        if contact.on > today {
            errors.append(FieldError("on", "The date of the contact cannot be in the future."))
        }
        return errors
    }
}

/// Wording helpers shared by the closure and case review rules.
enum ClosureWording {
    private static let monthNames = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]

    /// For example "10 January 2026".
    static func date(_ date: LocalDate) -> String {
        "\(date.day) \(monthNames[date.month - 1]) \(date.year)"
    }

    /// For example "1 day", "3 days" (the plural adds an "s").
    static func count(_ value: Int, _ noun: String) -> String {
        "\(value) \(noun)\(value == 1 ? "" : "s")"
    }
}
