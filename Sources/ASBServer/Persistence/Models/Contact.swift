import ASBCore
import Fluent
import Foundation

/// How a contact happened (DESIGN.md).
enum ContactChannel: String, Codable, Sendable, CaseIterable {
    case phone, visit, email, letter, meeting, text
}

enum ContactDirection: String, Codable, Sendable, CaseIterable {
    case outbound, inbound
}

/// The agreed frequency and method of contact with one party on one case (SS-NXT-5). A new
/// agreement replaces the active one and keeps it as history.
final class ContactPlan: Model, @unchecked Sendable {
    static let schema = "contact_plans"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Parent(key: "party_id") var party: Party
    /// `ContactFrequency.storageValue`.
    @Field(key: "frequency") var frequency: String
    @Field(key: "method") var method: ContactChannel
    /// `YYYY-MM-DD`.
    @Field(key: "agreed_on") var agreedOn: String
    @OptionalParent(key: "agreed_by_id") var agreedBy: User?
    /// `YYYY-MM-DD`, recomputed from the last contact with this party.
    @Field(key: "next_contact_due") var nextContactDue: String
    /// The plan is with the case's reporter: the contact-due queue lists these (SS-NXT-5).
    @Field(key: "for_reporter") var forReporter: Bool
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// One contact with someone on a case (SS-PRG-2). Restricted entries never reach the reporter,
/// a partner agency or an outgoing message.
final class ContactLogEntry: Model, @unchecked Sendable {
    static let schema = "contact_log"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @OptionalParent(key: "party_id") var party: Party?
    @Field(key: "at") var at: Date
    @Field(key: "method") var method: ContactChannel
    @Field(key: "direction") var direction: ContactDirection
    @Field(key: "summary") var summary: String
    @Field(key: "restricted") var restricted: Bool
    @OptionalParent(key: "recorded_by_id") var recordedBy: User?
    @Field(key: "recorded_at") var recordedAt: Date

    init() {}
}
