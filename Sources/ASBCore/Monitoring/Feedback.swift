import Foundation

/// Complaints and compliments (SS-MON-5): recorded from any channel, optionally about a case.
/// A complaint is acknowledged, investigated and closed with an outcome; a compliment is passed
/// to the officer it names and closed.
public enum FeedbackKind: String, Sendable, Codable, CaseIterable {
    case complaint, compliment

    public var displayName: String { self == .complaint ? "Complaint" : "Compliment" }
}

public enum FeedbackStatus: String, Sendable, Codable, CaseIterable {
    case received, acknowledged, investigating, closed

    public var displayName: String {
        switch self {
        case .received: "Received"
        case .acknowledged: "Acknowledged"
        case .investigating: "Being investigated"
        case .closed: "Closed"
        }
    }
}

public enum FeedbackOutcome: String, Sendable, Codable, CaseIterable {
    case upheld, partlyUpheld, notUpheld

    public var displayName: String {
        switch self {
        case .upheld: "Upheld"
        case .partlyUpheld: "Partly upheld"
        case .notUpheld: "Not upheld"
        }
    }
}

/// What the person told us, before it is checked.
public struct FeedbackDraft: Sendable, Equatable {
    public var kind: FeedbackKind?
    public var text: String
    public var name: String?
    public var email: String?
    public var phone: String?
    public var caseReference: String?
    public var officerName: String?

    public init(kind: FeedbackKind?, text: String, name: String? = nil, email: String? = nil, phone: String? = nil,
                caseReference: String? = nil, officerName: String? = nil) {
        self.kind = kind
        self.text = text
        self.name = name
        self.email = email
        self.phone = phone
        self.caseReference = caseReference
        self.officerName = officerName
    }
}

public enum FeedbackRules {
    public static let textLimit = 5000

    /// Checks a draft: a complaint needs a name and a way to reply; a compliment may be anonymous.
    public static func validate(_ draft: FeedbackDraft) throws(ValidationFailure) -> FeedbackDraft {
        var errors: [FieldError] = []
        var clean = draft
        func trimmed(_ s: String?) -> String? {
            let t = s?.trimmingWhitespace()
            return (t ?? "").isEmpty ? nil : t
        }
        clean.text = draft.text.trimmingWhitespace()
        clean.name = trimmed(draft.name)
        clean.email = trimmed(draft.email)?.lowercased()
        clean.phone = trimmed(draft.phone)
        clean.caseReference = trimmed(draft.caseReference)
        clean.officerName = trimmed(draft.officerName)
        if draft.kind == nil { errors.append(FieldError("kind", "Choose whether this is a complaint or a compliment.")) }
        if clean.text.isEmpty { errors.append(FieldError("text", "Tell us what happened.")) }
        if clean.text.count > textLimit { errors.append(FieldError("text", "Keep it to \(textLimit) characters.")) }
        if let email = clean.email, !ReportValidator.isEmailAddress(email) {
            errors.append(FieldError("email", "Enter an email address in the right format, like name@example.com."))
        }
        if let phone = clean.phone, !ReportValidator.isPhoneNumber(phone) {
            errors.append(FieldError("phone", "Enter a phone number, like 01632 960 001."))
        }
        if let reference = clean.caseReference {
            if let parsed = CaseReference(reference) { clean.caseReference = parsed.description } else {
                errors.append(FieldError("caseReference", "Enter the case reference like ASB-2026-00042, or leave it empty."))
            }
        }
        if draft.kind == .complaint {
            if clean.name == nil { errors.append(FieldError("name", "Give your name, so we can reply to your complaint.")) }
            if clean.email == nil && clean.phone == nil {
                errors.append(FieldError("email", "Give an email address or a phone number, so we can reply to your complaint."))
            }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        return clean
    }

    /// The steps a record may take next.
    public static func canMove(_ kind: FeedbackKind, from: FeedbackStatus, to: FeedbackStatus) -> Bool {
        switch (kind, from, to) {
        case (.complaint, .received, .acknowledged), (.complaint, .acknowledged, .investigating), (.complaint, .investigating, .closed):
            true
        case (.compliment, .received, .closed):
            true
        default:
            false
        }
    }
}

extension RuleViolation {
    public static func feedbackStep(kind: String, from: String, to: String) -> RuleViolation {
        RuleViolation(code: "feedback.stepNotAllowed", clause: "SS-MON-5",
                      reason: "A \(kind) that is \(from) cannot be marked \(to): a complaint is acknowledged, investigated, then closed with its outcome; a compliment is closed once passed on.")
    }
}
