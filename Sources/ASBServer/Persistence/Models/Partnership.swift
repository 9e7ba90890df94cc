import ASBCore
import Fluent
import Foundation

/// A partner agency in the directory (SS-PRG-3).
final class PartnerAgency: Model, @unchecked Sendable {
    static let schema = "partner_agencies"

    enum Kind: String, Codable, Sendable, CaseIterable {
        case police, environmentalHealth, adultSocialCare, childrensServices, mentalHealth, communitySafetyPartnership
        case victimSupport, mediation, fireAndRescue, other
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: Kind
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "phone") var phone: String?
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A referral of a case to a partner agency, with what it shares.
final class Referral: Model, @unchecked Sendable {
    static let schema = "referrals"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Parent(key: "agency_id") var agency: PartnerAgency
    @Field(key: "reason") var reason: String
    @Field(key: "consent_given") var consentGiven: Bool
    /// The lawful basis for sharing when the person did not consent.
    @OptionalField(key: "lawful_basis") var lawfulBasis: String?
    @Field(key: "shared_fields") var sharedFields: [SharedField]
    @Field(key: "status") var status: ReferralStatus
    @Field(key: "sent_at") var sentAt: Date
    @OptionalParent(key: "sent_by_id") var sentBy: User?
    @Field(key: "updated_at") var updatedAt: Date

    @Children(for: \.$referral) var updates: [ReferralUpdate]

    init() {}

    /// A partner keeps access while the referral is live.
    static let activeStatuses: [ReferralStatus] = [.sent, .accepted]
}

/// A response or note on a referral, from the agency or the landlord.
final class ReferralUpdate: Model, @unchecked Sendable {
    static let schema = "referral_updates"

    @ID(key: .id) var id: UUID?
    @Parent(key: "referral_id") var referral: Referral
    @Field(key: "at") var at: Date
    @OptionalParent(key: "author_id") var author: User?
    @Field(key: "text") var text: String
    /// The status the referral moved to with this update, if it moved.
    @OptionalField(key: "status") var status: ReferralStatus?

    init() {}
}

/// A decision on which agency leads the case, kept as history.
final class LeadAgencyDecision: Model, @unchecked Sendable {
    static let schema = "lead_agency_decisions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    /// None: the landlord leads.
    @OptionalParent(key: "agency_id") var agency: PartnerAgency?
    @Field(key: "reason") var reason: String
    @OptionalParent(key: "decided_by_id") var decidedBy: User?
    @Field(key: "decided_at") var decidedAt: Date

    init() {}
}
