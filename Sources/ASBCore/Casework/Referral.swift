import Foundation

/// Where a referral to a partner agency has got to (SS-PRG-3, SS-REP-3). Stored and exchanged as
/// its raw value.
public enum ReferralStatus: String, Sendable, Codable, CaseIterable {
    case sent
    case accepted
    case declined
    case closed

    /// `closed` never changes again.
    public var isFinal: Bool { self == .closed }

    /// Whether the partner agency's users may see the case through this referral: while it is sent
    /// or accepted, not once the agency has declined it or the referral is closed. The server decides
    /// which referrals to pass to `ReferralRules.visibleFields(for:)` by this.
    public var grantsAccess: Bool { self == .sent || self == .accepted }
}

/// A part of a case that may be shared with a partner agency through a referral (SS-PRG-3).
/// Stored and exchanged as its raw value.
public enum SharedField: String, Sendable, Codable, CaseIterable {
    case caseSummary
    case incidents
    case reporterContact
    case allegedPerpetrator
    case riskAssessment
    case actionPlan
    case contactLog
    case documents

    /// In British English, for forms and the partner's view.
    public var displayName: String {
        switch self {
        case .caseSummary: "Case summary"
        case .incidents: "Incidents"
        case .reporterContact: "Reporter's contact details"
        case .allegedPerpetrator: "Person complained about"
        case .riskAssessment: "Risk assessment"
        case .actionPlan: "Action plan"
        case .contactLog: "Contact log"
        case .documents: "Documents and evidence"
        }
    }
}

/// Which agency leads on a case worked with partners (SS-PRG-3).
///
/// Stored as its `storageValue`: `landlord` or `partner:<name>`.
public enum LeadAgency: Sendable, Hashable, StorageStringCodable, CustomStringConvertible {
    public static let storageFormat = "landlord or partner:<name>"

    case landlord
    case partner(name: String)

    public var storageValue: String {
        switch self {
        case .landlord: "landlord"
        case .partner(let name): "partner:\(name)"
        }
    }

    /// Parses a `storageValue`; `nil` for anything else, including a partner with no name.
    public init?(storageValue: String) {
        if storageValue == "landlord" {
            self = .landlord
            return
        }
        let prefix = "partner:"
        guard storageValue.hasPrefix(prefix) else { return nil }
        let name = storageValue.dropFirst(prefix.count).trimmingWhitespace()
        guard !name.isEmpty else { return nil }
        self = .partner(name: name)
    }

    /// "the landlord" or the partner agency's name.
    public var description: String {
        switch self {
        case .landlord: "the landlord"
        case .partner(let name): name
        }
    }
}

/// The rules for referrals to partner agencies (SS-PRG-3, SS-REP-3).
public enum ReferralRules {
    /// The longest reason for a referral, and the longest lawful basis, in characters.
    public static let textLimit = 2000

    /// The statuses a referral may move to: sent → accepted or declined; accepted → closed;
    /// declined → closed. Closed is final.
    public static func allowedTargets(from status: ReferralStatus) -> Set<ReferralStatus> {
        switch status {
        case .sent: [.accepted, .declined]
        case .accepted, .declined: [.closed]
        case .closed: []
        }
    }

    /// Checks a status change; throws `referral.transitionNotAllowed` when the rules refuse it.
    public static func transition(from: ReferralStatus, to: ReferralStatus) throws(RuleViolation) {
        guard allowedTargets(from: from).contains(to) else {
            throw .referralTransitionNotAllowed(from: from, to: to)
        }
    }

    /// Checks a new referral: a reason is given; the reporter consented to sharing, or the lawful
    /// basis for sharing without consent is recorded (field `lawfulBasisWithoutConsent`); and at
    /// least the case summary is shared (field `shared`).
    public static func validate(reason: String, consentGiven: Bool, lawfulBasisWithoutConsent: String?,
                                shared: Set<SharedField>) -> [FieldError] {
        var errors: [FieldError] = []
        let why = reason.trimmingWhitespace()
        if why.isEmpty {
            errors.append(FieldError("reason", "Say why the case is being referred to this agency."))
        } else if why.count > textLimit {
            errors.append(FieldError("reason", "The reason must be \(textLimit) characters or fewer."))
        }
        let basis = (lawfulBasisWithoutConsent ?? "").trimmingWhitespace()
        if !consentGiven && basis.isEmpty {
            errors.append(FieldError(
                "lawfulBasisWithoutConsent",
                "The reporter has not consented to sharing their case: record the lawful basis for sharing it without consent, or get their consent first."))
        } else if basis.count > textLimit {
            errors.append(FieldError("lawfulBasisWithoutConsent", "The lawful basis must be \(textLimit) characters or fewer."))
        }
        if !shared.contains(.caseSummary) {
            errors.append(FieldError("shared", "Share at least the case summary with the partner agency."))
        }
        return errors
    }

    /// What a partner agency may see of one case: everything shared through any of its referrals on
    /// that case (pass the shares of the referrals that `grantsAccess`).
    public static func visibleFields(for shares: [Set<SharedField>]) -> Set<SharedField> {
        shares.reduce(into: Set<SharedField>()) { $0.formUnion($1) }
    }
}

extension RuleViolation {
    /// A referral status change the rules refuse (SS-PRG-3).
    public static func referralTransitionNotAllowed(from: ReferralStatus, to: ReferralStatus) -> RuleViolation {
        let reason = from == to
            ? "The referral is already \(from.rawValue)."
            : "A referral that is \(from.rawValue) cannot be changed to \(to.rawValue)."
        return RuleViolation(code: "referral.transitionNotAllowed", clause: "SS-PRG-3", reason: reason)
    }
}
