import Foundation

/// A person's details as an officer enters or changes them (SS-NXT-3, SS-NXT-4). Every field is
/// optional: on a change, only the fields given change, and an empty text clears the field.
public struct PartyDetailsDraft: Sendable, Equatable {
    public var name: String?
    public var email: String?
    public var phone: String?
    public var address: String?
    public var postcode: String?
    public var preferredContactMethod: ContactMethod?
    public var preferredContactTimes: String?
    public var language: String?
    public var interpreterNeeded: Bool?
    public var supportNeeds: [SupportNeed]?
    public var supportNotes: String?
    public var consentToShare: Bool?
    public var tenancyReference: String?

    public init(name: String? = nil, email: String? = nil, phone: String? = nil, address: String? = nil,
                postcode: String? = nil, preferredContactMethod: ContactMethod? = nil, preferredContactTimes: String? = nil,
                language: String? = nil, interpreterNeeded: Bool? = nil, supportNeeds: [SupportNeed]? = nil,
                supportNotes: String? = nil, consentToShare: Bool? = nil, tenancyReference: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.address = address
        self.postcode = postcode
        self.preferredContactMethod = preferredContactMethod
        self.preferredContactTimes = preferredContactTimes
        self.language = language
        self.interpreterNeeded = interpreterNeeded
        self.supportNeeds = supportNeeds
        self.supportNotes = supportNotes
        self.consentToShare = consentToShare
        self.tenancyReference = tenancyReference
    }
}

public enum PartyValidator {
    /// Every problem with the details, with field names under `path` (e.g. `party.email`).
    /// A new party needs a name or an address, so that it can be told apart from others.
    public static func validate(_ d: PartyDetailsDraft, at path: String, isNew: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        func field(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
        func text(_ value: String?, _ name: String, limit: Int) {
            if let value, value.trimmingWhitespace().count > limit {
                errors.append(FieldError(field(name), "Keep this to \(limit) characters."))
            }
        }
        func trimmed(_ s: String?) -> String? {
            guard let t = s?.trimmingWhitespace(), !t.isEmpty else { return nil }
            return t
        }
        text(d.name, "name", limit: ReportValidator.nameLimit)
        text(d.address, "address", limit: ReportValidator.addressLimit)
        text(d.preferredContactTimes, "preferredContactTimes", limit: 200)
        text(d.language, "language", limit: 100)
        text(d.supportNotes, "supportNotes", limit: 2000)
        text(d.tenancyReference, "tenancyReference", limit: 50)
        if let email = trimmed(d.email), !ReportValidator.isEmailAddress(email) {
            errors.append(FieldError(field("email"), "Enter an email address in the right format, like name@example.com."))
        }
        if let phone = trimmed(d.phone), !ReportValidator.isPhoneNumber(phone) {
            errors.append(FieldError(field("phone"), "Enter a phone number, like 01632 960 001 or +44 7700 900 982."))
        }
        if let postcode = trimmed(d.postcode), Postcode(postcode) == nil {
            errors.append(FieldError(field("postcode"), "Enter a real UK postcode, for example SS1 1AA."))
        }
        if isNew && trimmed(d.name) == nil && trimmed(d.address) == nil {
            errors.append(FieldError(field("name"), "Give at least a name or an address, so this person can be told apart."))
        }
        return errors
    }
}
