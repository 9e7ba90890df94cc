import ASBCore
import Fluent
import Foundation

/// A person or household involved in one or more cases.
final class Party: Model, @unchecked Sendable {
    static let schema = "parties"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "name") var name: String?
    /// Upper-cased name, for search without case.
    @OptionalField(key: "name_key") var nameKey: String?
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "address") var address: String?
    /// Upper-cased address, for search without case.
    @OptionalField(key: "address_key") var addressKey: String?
    @OptionalField(key: "postcode") var postcode: String?
    @OptionalField(key: "preferred_contact_method") var preferredContactMethod: ContactMethod?
    /// When they prefer to be contacted, in their words ("weekday evenings after 6").
    @OptionalField(key: "preferred_contact_times") var preferredContactTimes: String?
    @OptionalField(key: "language") var language: String?
    @Field(key: "interpreter_needed") var interpreterNeeded: Bool
    /// Notes on vulnerabilities and support needs (SS-NXT-3).
    @OptionalField(key: "support_notes") var supportNotes: String?
    /// Consent to share their details with partner agencies; nil until asked.
    @OptionalField(key: "consent_to_share") var consentToShare: Bool?
    @OptionalField(key: "consent_recorded_at") var consentRecordedAt: Date?
    @OptionalField(key: "tenancy_reference") var tenancyReference: String?
    /// Support needs to consider (SS-NXT-3), from risk answers and officers.
    @Field(key: "support_needs") var supportNeeds: [SupportNeed]
    @OptionalParent(key: "property_id") var property: Property?
    /// When retention anonymised this person (every case they were on had passed its period).
    @OptionalField(key: "anonymised_at") var anonymisedAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(person: ValidReport.Person, property: Property?, now: Date) {
        self.name = person.name
        self.nameKey = person.name?.uppercased()
        self.email = person.email
        self.phone = person.phone
        self.address = person.address
        self.addressKey = person.address?.uppercased()
        self.interpreterNeeded = false
        self.postcode = person.postcode?.value
        self.preferredContactMethod = person.preferredContactMethod
        self.tenancyReference = property?.tenancyReference
        self.supportNeeds = []
        self.$property.id = property?.id
        self.createdAt = now
        self.updatedAt = now
    }
}

/// A party's part in a case.
final class CaseParty: Model, @unchecked Sendable {
    static let schema = "case_parties"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Parent(key: "party_id") var party: Party
    @Field(key: "role") var role: PartyRole
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(caseID: UUID, partyID: UUID, role: PartyRole, now: Date) {
        self.$asbCase.id = caseID
        self.$party.id = partyID
        self.role = role
        self.createdAt = now
    }
}
