/// A rule of the service standard refusing an action. Each carries the clause it keeps and a
/// sentence a housing officer can act on; the server turns it into a 409 problem, the web
/// layer into a message beside the field.
public struct RuleViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable code, e.g. `case.openNeedsOfficer`.
    public let code: String
    /// The service standard clause the rule keeps, e.g. `SS-NXT-1`.
    public let clause: String?
    /// What went wrong and what to do, in plain British English.
    public let reason: String

    public init(code: String, clause: String?, reason: String) {
        self.code = code
        self.clause = clause
        self.reason = reason
    }

    public var description: String {
        if let clause { return "\(reason) (\(clause))" }
        return reason
    }
}

extension RuleViolation {
    public static let openNeedsOfficer = RuleViolation(
        code: "case.openNeedsOfficer", clause: "SS-NXT-1",
        reason: "A case is opened only once an officer is allocated to it.")
    public static let openNeedsAssessment = RuleViolation(
        code: "case.openNeedsAssessment", clause: "SS-RT-1",
        reason: "A case is opened only once an officer has assessed its risk.")
    public static let closedCaseTakesNoIncident = RuleViolation(
        code: "case.closedTakesNoIncident", clause: "SS-CLS-1",
        reason: "The case is closed: a new report now opens a new case linked to it. Send it as a report with this caseReference.")
    public static func closedCaseTakesNoCasework(_ work: Casework) -> RuleViolation {
        RuleViolation(
            code: "case.closedTakesNoCasework", clause: "SS-CLS-1",
            reason: "The case is closed: reopen it, with a reason, before you \(work.phrase).")
    }
    public static func transitionNotAllowed(from: CaseStatus, to: CaseStatus) -> RuleViolation {
        RuleViolation(
            code: "case.transitionNotAllowed", clause: nil,
            reason: "A case cannot move from \(from.rawValue) to \(to.rawValue).")
    }
    public static let closureOnlyFromPending = RuleViolation(
        code: "case.closureOnlyFromPending", clause: "SS-CLS-2",
        reason: "A case is formally closed only after a closure proposal and the agreement visit or phone call.")
    public static let reopenNeedsReason = RuleViolation(
        code: "case.reopenNeedsReason", clause: "SS-CLS-1",
        reason: "Reopening a closed case needs a reason.")
}
