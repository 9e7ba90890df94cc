import Foundation

/// A step taken against the person complained about. Stored and exchanged as its raw value.
public enum EnforcementType: String, Sendable, Codable, CaseIterable {
    case verbalWarning
    case writtenWarning
    case acceptableBehaviourAgreement
    case mediation
    case communityProtectionWarning
    case communityProtectionNotice
    case civilInjunction
    case closureOrder
    case noticeOfSeekingPossession
    case possessionProceedings

    /// Legal action, considered only once witness evidence is confirmed (SS-PRG-5): a civil
    /// injunction, a closure order, a notice of seeking possession and possession proceedings.
    public var isLegalAction: Bool {
        switch self {
        case .civilInjunction, .closureOrder, .noticeOfSeekingPossession, .possessionProceedings: true
        case .verbalWarning, .writtenWarning, .acceptableBehaviourAgreement, .mediation,
             .communityProtectionWarning, .communityProtectionNotice: false
        }
    }

    /// In British English, sentence case, for example "Notice of seeking possession".
    public var displayName: String {
        switch self {
        case .verbalWarning: "Verbal warning"
        case .writtenWarning: "Written warning"
        case .acceptableBehaviourAgreement: "Acceptable behaviour agreement"
        case .mediation: "Mediation"
        case .communityProtectionWarning: "Community protection warning"
        case .communityProtectionNotice: "Community protection notice"
        case .civilInjunction: "Civil injunction"
        case .closureOrder: "Closure order"
        case .noticeOfSeekingPossession: "Notice of seeking possession"
        case .possessionProceedings: "Possession proceedings"
        }
    }
}

/// Where an enforcement step has got to. Stored and exchanged as its raw value.
public enum EnforcementStatus: String, Sendable, Codable, CaseIterable {
    case planned
    case inProgress
    case completed
    case withdrawn

    /// `completed` and `withdrawn` never change again.
    public var isFinal: Bool { self == .completed || self == .withdrawn }
}

/// The kind of witness evidence supporting legal action (SS-PRG-5).
public enum WitnessEvidenceKind: String, Sendable, Codable, CaseIterable {
    /// The reporter has confirmed they will support legal action with a witness statement.
    case reporterCommitment
    /// A professional witness (for example an officer or a partner agency's worker) gives the evidence.
    case professionalWitness
    /// Hearsay evidence, given where a witness cannot safely be named.
    case hearsay

    /// In British English, for messages.
    public var displayName: String {
        switch self {
        case .reporterCommitment: "Reporter's commitment to give a witness statement"
        case .professionalWitness: "Professional witness"
        case .hearsay: "Hearsay evidence"
        }
    }

    /// Professional witness and hearsay evidence support legal action only with a team leader's
    /// approval; the reporter's own commitment needs none.
    public var needsTeamLeaderApproval: Bool { self != .reporterCommitment }
}

/// Confirmed witness evidence on a case.
public struct WitnessEvidence: Sendable, Hashable, Codable {
    public var kind: WitnessEvidenceKind
    public var confirmedOn: LocalDate
    public var approvedByTeamLeader: Bool

    public init(kind: WitnessEvidenceKind, confirmedOn: LocalDate, approvedByTeamLeader: Bool = false) {
        self.kind = kind
        self.confirmedOn = confirmedOn
        self.approvedByTeamLeader = approvedByTeamLeader
    }

    /// Whether this evidence on its own lets legal action be considered (SS-PRG-5).
    public var supportsLegalAction: Bool { !kind.needsTeamLeaderApproval || approvedByTeamLeader }
}

/// The rules for enforcement steps (SS-PRG-5, SS-NXT-4).
public enum EnforcementRules {
    /// The longest note of how evidence was confirmed, in characters.
    public static let howConfirmedLimit = 1000

    /// The warning given for legal action against a person who has never been contacted (SS-NXT-4).
    public static let perpetratorNotContactedWarning =
        "The person complained about has not been contacted about the case. The investigation speaks to all parties, including the person complained about, before legal action is taken (SS-NXT-4)."

    /// Checks whether an enforcement step may be recorded or progressed.
    ///
    /// Legal action (`EnforcementType.isLegalAction`) is refused with `enforcement.needsWitnessCommitment`
    /// (SS-PRG-5) unless the evidence includes the reporter's confirmed commitment, or professional
    /// witness or hearsay evidence approved by a team leader. Other steps are never refused.
    ///
    /// - Returns: warnings the officer should read before going on; for legal action against a
    ///   person who has never been contacted, `perpetratorNotContactedWarning` (SS-NXT-4).
    public static func check(_ type: EnforcementType, evidence: [WitnessEvidence],
                             perpetratorEverContacted: Bool) throws(RuleViolation) -> [String] {
        guard type.isLegalAction else { return [] }
        guard evidence.contains(where: \.supportsLegalAction) else {
            let unapproved = Set(evidence.map(\.kind)).filter(\.needsTeamLeaderApproval)
            throw .needsWitnessCommitment(for: type, unapproved: unapproved)
        }
        return perpetratorEverContacted ? [] : [perpetratorNotContactedWarning]
    }

    /// The statuses a step may move to: planned → in progress, completed or withdrawn;
    /// in progress → completed or withdrawn. Completed and withdrawn are final.
    public static func allowedTargets(from status: EnforcementStatus) -> Set<EnforcementStatus> {
        switch status {
        case .planned: [.inProgress, .completed, .withdrawn]
        case .inProgress: [.completed, .withdrawn]
        case .completed, .withdrawn: []
        }
    }

    /// Checks a status change; throws `enforcement.transitionNotAllowed` when the rules refuse it.
    public static func transition(from: EnforcementStatus, to: EnforcementStatus) throws(RuleViolation) {
        guard allowedTargets(from: from).contains(to) else {
            throw RuleViolation(
                code: "enforcement.transitionNotAllowed", clause: nil,
                reason: "An enforcement step that is \(from.rawValue) cannot be changed to \(to.rawValue).")
        }
    }

    /// Checks witness evidence being recorded: the date it was confirmed is not after `today`, and
    /// how it was confirmed is said (at most `howConfirmedLimit` characters).
    public static func validateEvidence(kind: WitnessEvidenceKind, confirmedOn: LocalDate, today: LocalDate,
                                        howConfirmed: String) -> [FieldError] {
        var errors: [FieldError] = []
        if confirmedOn > today {
            errors.append(FieldError("confirmedOn", "The date the evidence was confirmed cannot be in the future."))
        }
        let how = howConfirmed.trimmingWhitespace()
        if how.isEmpty {
            let example = switch kind {
            case .reporterCommitment: "for example, a signed statement or a phone call with the reporter"
            case .professionalWitness: "for example, the witness's name, role and signed statement"
            case .hearsay: "for example, who gave the account and how it was recorded"
            }
            errors.append(FieldError("howConfirmed", "Say how the evidence was confirmed, \(example)."))
        } else if how.count > howConfirmedLimit {
            errors.append(FieldError("howConfirmed", "How the evidence was confirmed must be \(howConfirmedLimit) characters or fewer."))
        }
        return errors
    }
}

extension RuleViolation {
    /// Legal action refused because no witness evidence supports it (SS-PRG-5). The reason says what
    /// is missing, and names unapproved professional witness or hearsay evidence when there is some.
    public static func needsWitnessCommitment(for type: EnforcementType,
                                              unapproved: Set<WitnessEvidenceKind> = []) -> RuleViolation {
        var reason = "Legal action (\(type.displayName.lowercased())) is considered only once the reporter's "
            + "commitment to support it with a witness statement is confirmed. Record the reporter's commitment, or "
            + "professional witness or hearsay evidence approved by a team leader."
        let pending = WitnessEvidenceKind.allCases.filter { unapproved.contains($0) }.map { $0.displayName.lowercased() }
        if !pending.isEmpty {
            let verb = pending.count == 1 ? "needs" : "need"
            reason += " The \(pending.joined(separator: " and ")) recorded \(verb) a team leader's approval."
        }
        return RuleViolation(code: "enforcement.needsWitnessCommitment", clause: "SS-PRG-5", reason: reason)
    }
}
