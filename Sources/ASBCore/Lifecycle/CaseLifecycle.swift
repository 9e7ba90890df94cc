import Foundation

/// The case lifecycle: `received` → `open` → `closurePending` → `closed`, and `closed` → `open`
/// on reopening. Every transition is checked here and refused with a reason; the server only
/// asks.
public enum CaseTransition: String, Sendable, CaseIterable {
    case open
    case proposeClosure
    case withdrawClosureProposal
    case close
    case reopen

    public var target: CaseStatus {
        switch self {
        case .open, .withdrawClosureProposal, .reopen: .open
        case .proposeClosure: .closurePending
        case .close: .closed
        }
    }
}

/// What the lifecycle rules need to know about a case. Later rules add facts here.
public struct CaseFacts: Sendable, Equatable {
    public var status: CaseStatus
    public var hasAllocatedOfficer: Bool
    /// An officer has assessed the risk (a provisional priority from intake does not count).
    public var hasAssessment: Bool
    public var reopenReason: String?

    public init(status: CaseStatus, hasAllocatedOfficer: Bool, hasAssessment: Bool, reopenReason: String? = nil) {
        self.status = status
        self.hasAllocatedOfficer = hasAllocatedOfficer
        self.hasAssessment = hasAssessment
        self.reopenReason = reopenReason
    }
}

public enum CaseLifecycle {
    /// The statuses a transition may start from.
    public static func sources(of transition: CaseTransition) -> Set<CaseStatus> {
        switch transition {
        case .open: [.received]
        case .proposeClosure: [.open]
        case .withdrawClosureProposal: [.closurePending]
        case .close: [.closurePending]
        case .reopen: [.closed]
        }
    }

    /// Checks a transition against the rules; returns the new status or throws the rule that refuses it.
    public static func apply(_ transition: CaseTransition, to facts: CaseFacts) throws(RuleViolation) -> CaseStatus {
        guard sources(of: transition).contains(facts.status) else {
            if transition == .close { throw .closureOnlyFromPending }
            throw .transitionNotAllowed(from: facts.status, to: transition.target)
        }
        switch transition {
        case .open:
            guard facts.hasAssessment else { throw .openNeedsAssessment }
            guard facts.hasAllocatedOfficer else { throw .openNeedsOfficer }
        case .reopen:
            guard let reason = facts.reopenReason, !reason.trimmingWhitespace().isEmpty
            else { throw .reopenNeedsReason }
        case .proposeClosure, .withdrawClosureProposal, .close:
            break
        }
        return transition.target
    }

    /// A case that is `received` opens as soon as it is assessed and allocated (SS-RT-1, SS-NXT-1): returns the
    /// transition to apply after a change, if any.
    public static func automaticTransition(after facts: CaseFacts) -> CaseTransition? {
        if facts.status == .received, (try? apply(.open, to: facts)) != nil { return .open }
        return nil
    }

    /// Whether a new incident may be added to a case in this state (SS-PRG-1).
    public static func checkNewIncident(on status: CaseStatus) throws(RuleViolation) {
        if status == .closed { throw .closedCaseTakesNoIncident }
    }

    /// Whether this casework may be done on a case in this state: none of it on a closed case,
    /// which is reopened with a reason first (SS-CLS-1).
    public static func checkCasework(_ work: Casework, on status: CaseStatus) throws(RuleViolation) {
        if status == .closed { throw .closedCaseTakesNoCasework(work) }
    }

    public static func allows(_ work: Casework, on status: CaseStatus) -> Bool {
        (try? checkCasework(work, on: status)) != nil
    }
}

/// The casework that decides how a case is handled. A closed case takes none of it until it is
/// reopened with a reason (SS-CLS-1): its risk, officer, people, plans, partners and legal action
/// are what it was closed on, and its priority is what its published response times were
/// measured against (SS-MON-1, SS-MON-4): a reassessment after closure would rewrite them, and
/// so would a change to its categories, neighbourhood or ASB classification, which the figures
/// count it by.
///
/// What a closed case still takes: a logged contact (the closure call's follow-up, the survey),
/// a document, a community notice (SS-PRG-6), an ASB Case Review application, the satisfaction
/// survey (SS-MON-3), a legal hold, a partner's update to its own referral, and the record of a
/// review meeting that was held as planned.
public enum Casework: String, Sendable, CaseIterable {
    case assessRisk, allocate, addPerson
    case agreeActionPlan, updateAction, agreeContactPlan
    case referToPartner, decideLeadAgency, scheduleReview
    case recordWitnessEvidence, approveWitnessEvidence, recordEnforcement, updateEnforcement
    /// What the case is about (its categories), where (its neighbourhood) and whether it is ASB:
    /// the published figures count a closed case by these (SS-MON-1).
    case classify

    /// What the officer was about to do, for the refusal's sentence.
    public var phrase: String {
        switch self {
        case .assessRisk: "assess its risk"
        case .allocate: "allocate an officer"
        case .addPerson: "add a person"
        case .agreeActionPlan: "agree or revise its action plan"
        case .updateAction: "update an action"
        case .agreeContactPlan: "agree how often to keep in touch"
        case .referToPartner: "refer it to a partner agency"
        case .decideLeadAgency: "decide its lead agency"
        case .scheduleReview: "schedule a case review meeting"
        case .recordWitnessEvidence: "record witness evidence"
        case .approveWitnessEvidence: "approve witness evidence"
        case .recordEnforcement: "record enforcement"
        case .updateEnforcement: "update enforcement"
        case .classify: "change its categories, neighbourhood or ASB classification"
        }
    }
}
