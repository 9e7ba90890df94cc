import Fluent
import Foundation

/// A notice telling a neighbourhood about positive action (SS-PRG-6). Never names a party, a case
/// reference or an exact address.
final class CommunityNotice: Model, @unchecked Sendable {
    static let schema = "community_notices"

    enum Status: String, Codable, Sendable { case draft, published, withdrawn }

    @ID(key: .id) var id: UUID?
    @Parent(key: "neighbourhood_id") var neighbourhood: Neighbourhood
    /// The case it comes from, if any: its parties' names and addresses are screened out.
    @OptionalParent(key: "case_id") var asbCase: ASBCase?
    @Field(key: "title") var title: String
    @Field(key: "text") var text: String
    @Field(key: "status") var status: Status
    @OptionalParent(key: "drafted_by_id") var draftedBy: User?
    @Field(key: "drafted_at") var draftedAt: Date
    @OptionalParent(key: "approved_by_id") var approvedBy: User?
    @OptionalField(key: "published_at") var publishedAt: Date?

    init() {}
}
